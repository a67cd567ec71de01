package io.sandboxops.core.files;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A tar stream as a {@link TreeSource}, as the Docker engine's archive API gives a directory ({@code dir/.}):
 * entries named {@code ./a}, the top one {@code ./}, hard links naming the earlier entry.
 */
public final class TarTreeSource implements TreeSource {
    private final TarArchiveInputStream tar;

    public TarTreeSource(InputStream archive) {
        this.tar = new TarArchiveInputStream(archive);
    }

    @Override
    public TreeEntry next() throws IOException {
        TarArchiveEntry e;
        String name;
        do {
            e = tar.getNextEntry();
            if (e == null) {
                return null;
            }
            name = relative(e.getName());
            // the directory itself ("./"), already the download's target
        } while (name.isEmpty() && e.isDirectory());
        if (e.isDirectory()) {
            return new TreeEntry(name, TreeEntry.Kind.DIRECTORY, null, 0);
        }
        if (e.isSymbolicLink()) {
            return new TreeEntry(name, TreeEntry.Kind.SYMLINK, e.getLinkName(), 0);
        }
        if (e.isLink()) {
            return new TreeEntry(name, TreeEntry.Kind.HARD_LINK, relative(e.getLinkName()), 0);
        }
        if (e.isCharacterDevice()) {
            return new TreeEntry(name, TreeEntry.Kind.CHARACTER_DEVICE, null, 0);
        }
        if (e.isBlockDevice()) {
            return new TreeEntry(name, TreeEntry.Kind.BLOCK_DEVICE, null, 0);
        }
        if (e.isFIFO()) {
            return new TreeEntry(name, TreeEntry.Kind.FIFO, null, 0);
        }
        if (e.isFile() && !e.isSparse()) {
            return new TreeEntry(name, TreeEntry.Kind.FILE, null, e.getSize());
        }
        return new TreeEntry(name, TreeEntry.Kind.OTHER, null, 0);
    }

    @Override
    public InputStream content() {
        // The tar stream ends the entry's content by itself; closing it stays ours.
        return new FilterInputStream(tar) {
            @Override
            public void close() {
            }
        };
    }

    @Override
    public void close() throws IOException {
        tar.close();
    }

    /** {@code ./a/b/} as {@code a/b}; anything else stays as it is, for the writer to judge. */
    private static String relative(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        if (n.equals(".")) {
            return "";
        }
        while (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        return n;
    }
}
