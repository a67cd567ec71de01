package io.sandboxops.core.files;

import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.TransferProgress;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The few primitives a backend gives for files; {@link FileOperations} builds the whole file API on them.
 * Paths are absolute and normalized ({@link SandboxPaths}). Access checks are the caller's: a store moves
 * bytes.
 */
public interface FileStore {

    /** Describes a path; never throws for a missing one. */
    FileStat stat(String path);

    /** Streams the content of a regular file. */
    void read(String path, OutputStream out, TransferProgress progress);

    /** Creates or replaces a regular file with exactly {@code size} bytes from {@code in}, creating parents. */
    void write(String path, InputStream in, long size, int mode, TransferProgress progress);

    /** Moves a file within the sandbox, replacing what is at {@code to}. */
    void rename(String from, String to);

    /** The entries of a directory. */
    List<FileEntry> list(String dir);

    /**
     * Every path under a directory that is not a directory itself, relative to it, down to {@code maxDepth} levels; and
     * anything at all one level further down, so that the caller sees the tree goes deeper instead of missing what is
     * there. Bounded in time by the store.
     */
    List<String> walk(String dir, int maxDepth);

    /** Deletes a file, link or directory tree. */
    void delete(String path);

    /**
     * Copies a directory tree to the local disk under {@code localTarget} through {@link LocalTreeWriter}, which
     * keeps every entry and link inside it.
     *
     * @return bytes written
     */
    long downloadTree(String dir, Path localTarget, long maxBytes, TransferProgress progress);
}
