package io.sandboxops.core.files;

/**
 * One entry of a directory tree on its way from a sandbox to the local disk ({@link LocalTreeWriter}). The Docker
 * engine leaves sockets out of its archives; anything but files, directories and links is refused.
 *
 * @param name   where it goes, relative to the tree's top ({@code a/b.txt}); as the sandbox gave it, so untrusted
 * @param kind   what it is
 * @param link   a symbolic link's target, or for a hard link the name of the earlier entry it shares content with;
 *               null otherwise
 * @param size   a file's bytes, as announced; 0 otherwise
 */
public record TreeEntry(String name, Kind kind, String link, long size) {

    /** What an entry is. Only files, directories and links are ever written; the rest is refused. */
    public enum Kind {
        FILE("a file"),
        DIRECTORY("a directory"),
        SYMLINK("a symbolic link"),
        HARD_LINK("a hard link"),
        CHARACTER_DEVICE("a character device"),
        BLOCK_DEVICE("a block device"),
        FIFO("a fifo (named pipe)"),
        /** Anything else (a socket, a sparse file, a manifest entry of an unknown type). */
        OTHER("of a kind that is neither file, directory nor link");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        /** E.g. "a fifo (named pipe)", for messages. */
        public String description() {
            return description;
        }
    }
}
