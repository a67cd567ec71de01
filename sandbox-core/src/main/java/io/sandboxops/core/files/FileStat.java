package io.sandboxops.core.files;

import io.sandboxops.core.api.FileEntry;
import java.time.Instant;

/**
 * A path as the sandbox user sees it.
 *
 * @param exists    whether anything is there
 * @param type      what is there (links followed)
 * @param size      its size in bytes
 * @param mode      permission bits
 * @param modified  last modification
 * @param readable  readable by the sandbox user
 * @param writable  writable by the sandbox user; for a missing path, whether it could be created
 * @param resolved  the path with every link followed
 */
public record FileStat(boolean exists, FileEntry.Type type, long size, int mode, Instant modified, boolean readable,
                       boolean writable, String resolved) {

    public static FileStat missing(boolean creatable) {
        return new FileStat(false, FileEntry.Type.OTHER, 0, 0, Instant.EPOCH, false, creatable, "");
    }
}
