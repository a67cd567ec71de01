package io.sandboxops.core.api;

import java.time.Instant;

/**
 * One entry of a directory listing.
 *
 * @param name     the entry's name
 * @param path     its absolute path in the sandbox
 * @param type     file, directory, symlink or other
 * @param size     size in bytes (for a symlink, of the link itself)
 * @param mode     permission bits, e.g. {@code 0644}
 * @param modified last modification time
 */
public record FileEntry(String name, String path, Type type, long size, int mode, Instant modified) {
    public enum Type { FILE, DIRECTORY, SYMLINK, OTHER }

    public boolean isDirectory() {
        return type == Type.DIRECTORY;
    }
}
