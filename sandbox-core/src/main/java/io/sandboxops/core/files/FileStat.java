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
 * @param elsewhere null when a file written at this path is one of the sandbox's files, as its commands and the
 *                  store see them; otherwise what the path is on instead, for messages (e.g. "the kernel's proc
 *                  filesystem"): a write there would be lost or refused, so it is never attempted
 */
public record FileStat(boolean exists, FileEntry.Type type, long size, int mode, Instant modified, boolean readable,
                       boolean writable, String resolved, String elsewhere) {

    public FileStat(boolean exists, FileEntry.Type type, long size, int mode, Instant modified, boolean readable, boolean writable,
            String resolved) {
        this(exists, type, size, mode, modified, readable, writable, resolved, null);
    }

    public static FileStat missing(boolean creatable) {
        return new FileStat(false, FileEntry.Type.OTHER, 0, 0, Instant.EPOCH, false, creatable, "");
    }

    /** A path that does not exist and is not on the sandbox's filesystem: {@code elsewhere} says what it is on. */
    public static FileStat missingElsewhere(String elsewhere) {
        return new FileStat(false, FileEntry.Type.OTHER, 0, 0, Instant.EPOCH, false, false, "", elsewhere);
    }
}
