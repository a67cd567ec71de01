package io.sandboxops.core.files;

import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxTooLargeException;
import io.sandboxops.core.api.TransferProgress;
import io.sandboxops.core.util.ByteSize;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a directory tree from a sandbox onto the local disk, under one target directory, for both backends
 * ({@link FileStore#downloadTree}). The tree's names, links and sizes come from the sandbox and are untrusted;
 * the writer keeps these promises whatever they say:
 *
 * <ul>
 *   <li>nothing is written outside the target: names are plain relative names, and every directory on the way
 *       is a real directory on the disk, never a link ({@link ContainedPaths});</li>
 *   <li>no link is left that leads outside the target, judged by following it on the disk (when it is made,
 *       and again once the whole tree is in place, since a later entry can change where an earlier link
 *       leads); a link that would is refused and removed;</li>
 *   <li>only files, directories and links are written: devices, fifos and sockets are refused; a hard link
 *       becomes a copy of the earlier file it names;</li>
 *   <li>at most {@link #MAX_ENTRIES} entries and {@code maxBytes} bytes, each file exactly as long as announced;
 *       a file appears under its name only once complete (temporary name, then an atomic move).</li>
 * </ul>
 *
 * A refusal stops the whole download with a {@link SandboxInvalidInputException} naming the entry and the
 * reason (the API's promise is that links out of the target "are refused", not dropped). What was written
 * before the refusal stays, all of it inside the target.
 */
public final class LocalTreeWriter {
    /** The most entries one download writes: a tree a person downloads, with room for a node_modules. */
    public static final int MAX_ENTRIES = 100_000;
    private static final int COPY_BUFFER = 64 * 1024;
    private static final String ADVICE = " Nothing was written outside the download directory. Remove or change that entry in the sandbox,"
            + " or download the files you need one by one.";

    private final String from;
    private final Path target;
    private final long maxBytes;
    private final TransferProgress progress;

    private Path root;
    private final Map<String, TreeEntry.Kind> written = new HashMap<>();
    private final List<Link> links = new ArrayList<>();
    private long entries;
    private long bytes;

    private record Link(String name, Path dir, Path at, String target) {
    }

    /**
     * @param from     the sandbox directory, for messages
     * @param target   the local directory the tree goes under; created when missing
     * @param maxBytes the most bytes the files may hold together
     */
    public LocalTreeWriter(String from, Path target, long maxBytes, TransferProgress progress) {
        this.from = from;
        this.target = target.toAbsolutePath().normalize();
        this.maxBytes = maxBytes;
        this.progress = progress;
    }

    /**
     * Refuses a tree known in advance to hold more than {@link #MAX_ENTRIES} entries, before anything is written.
     *
     * @throws SandboxTooLargeException when it does
     */
    public void requireAtMost(long entryCount) {
        if (entryCount > MAX_ENTRIES) {
            throw tooManyEntries();
        }
    }

    /**
     * Writes every entry of {@code source} (and closes it).
     *
     * @return the bytes written
     * @throws SandboxInvalidInputException when an entry is refused; the message names it and says why
     * @throws SandboxTooLargeException     when the tree holds more than the entries or bytes allowed
     */
    public long write(TreeSource source) {
        try (source) {
            Files.createDirectories(target);
            root = target.toRealPath();
            try {
                writeAll(source);
            } catch (IOException | RuntimeException stopped) {
                // A link judged inside when it was made may lead out now that the download stops half-way.
                try {
                    removeLinksLeadingOutside();
                } catch (IOException | RuntimeException cleanup) {
                    stopped.addSuppressed(cleanup);
                }
                throw stopped;
            }
            List<Link> removed = removeLinksLeadingOutside();
            if (!removed.isEmpty()) {
                Link first = removed.get(0);
                throw refusal(first.name(), "it is a link to \"" + ContainedPaths.printable(first.target()) + "\", which leads outside the download"
                        + " directory " + root + " once the whole tree is in place (followed on this disk, at most 40 links deep)"
                        + (removed.size() > 1 ? "; " + (removed.size() - 1) + " more such links" : "") + "; removed");
            }
            return bytes;
        } catch (IOException e) {
            throw new SandboxException("downloading " + from + " to " + target + " failed: " + e.getMessage(), e);
        }
    }

    private void write(TreeEntry e, TreeSource source) throws IOException {
        List<String> parts = ContainedPaths.elements(e.name(), ContainedPaths.backslashIsData());
        String name = String.join("/", parts);
        if (written.containsKey(name)) {
            throw new SandboxInvalidInputException("it appears twice in the tree");
        }
        Path dir = ContainedPaths.directory(root, parts.subList(0, parts.size() - 1), true);
        Path at = dir.resolve(parts.get(parts.size() - 1));
        switch (e.kind()) {
            case DIRECTORY -> {
                BasicFileAttributes a = ContainedPaths.attributes(at);
                if (a != null && !a.isDirectory()) {
                    // a file or link of the same name already there locally: the download replaces it
                    Files.delete(at);
                    a = null;
                }
                if (a == null) {
                    Files.createDirectory(at);
                }
            }
            case SYMLINK -> {
                if (!ContainedPaths.linkStaysInside(root, dir, e.link())) {
                    throw new SandboxInvalidInputException("it is a link to \"" + ContainedPaths.printable(e.link()) + "\", which leads outside the download directory "
                            + root + " (followed on this disk, at most 40 links deep)");
                }
                clearForNonDirectory(at);
                Files.deleteIfExists(at);
                Files.createSymbolicLink(at, Path.of(e.link()));
                links.add(new Link(name, dir, at, e.link()));
            }
            case FILE -> {
                if (e.size() < 0) {
                    throw new SandboxInvalidInputException("it announces a negative size");
                }
                addBytes(e.size());
                clearForNonDirectory(at);
                try (InputStream in = source.content()) {
                    place(in, e.size(), dir, at);
                }
            }
            case HARD_LINK -> {
                // A copy of the earlier file: only one this download wrote, reached without following links.
                List<String> original = ContainedPaths.elements(e.link() == null ? "" : e.link(), ContainedPaths.backslashIsData());
                if (written.get(String.join("/", original)) != TreeEntry.Kind.FILE) {
                    throw new SandboxInvalidInputException("it is a hard link to \"" + ContainedPaths.printable(e.link()) + "\", which is not a file earlier in the tree");
                }
                Path originalDir = ContainedPaths.directory(root, original.subList(0, original.size() - 1), false);
                Path originalFile = originalDir == null ? null : originalDir.resolve(original.get(original.size() - 1));
                BasicFileAttributes a = originalFile == null ? null : ContainedPaths.attributes(originalFile);
                if (a == null || !a.isRegularFile()) {
                    throw new SandboxInvalidInputException("it is a hard link to \"" + ContainedPaths.printable(e.link()) + "\", which is no longer a file here");
                }
                addBytes(a.size());
                clearForNonDirectory(at);
                try (InputStream in = Files.newInputStream(originalFile, LinkOption.NOFOLLOW_LINKS)) {
                    place(in, a.size(), dir, at);
                }
            }
            default -> throw new SandboxInvalidInputException("it is " + e.kind().description()
                    + "; only files, directories and links can be downloaded");
        }
        written.put(name, e.kind() == TreeEntry.Kind.HARD_LINK ? TreeEntry.Kind.FILE : e.kind());
    }

    /** Writes exactly {@code size} bytes to a temporary file in {@code dir}, then moves it to {@code at}. */
    private void place(InputStream in, long size, Path dir, Path at) throws IOException {
        Path tmp = Files.createTempFile(dir, ".part-", "");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                copyExactly(in, out, size);
            }
            // rename(2) replaces a link at "at" itself; it never writes through it
            Files.move(tmp, at, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void copyExactly(InputStream in, OutputStream out, long size) throws IOException {
        byte[] buf = new byte[COPY_BUFFER];
        long before = bytes - size;
        long done = 0;
        long lastReport = 0;
        while (done < size) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, size - done));
            if (n < 0) {
                throw new SandboxInvalidInputException("its content ended after " + done + " of the announced " + size + " bytes");
            }
            out.write(buf, 0, n);
            done += n;
            if (done - lastReport >= 1024 * 1024 || done == size) {
                progress.onProgress(before + done, -1);
                lastReport = done;
            }
        }
        if (in.read() >= 0) {
            throw new SandboxInvalidInputException("its content is longer than the announced " + size + " bytes");
        }
        if (size == 0) {
            progress.onProgress(before, -1);
        }
    }

    /** Makes room for a file or link at {@code at}: what is there goes, unless it is a directory with content. */
    private void clearForNonDirectory(Path at) throws IOException {
        BasicFileAttributes a = ContainedPaths.attributes(at);
        if (a != null && a.isDirectory()) {
            try {
                Files.delete(at);
            } catch (DirectoryNotEmptyException e) {
                throw new SandboxInvalidInputException("it would replace the directory " + at + ", which is not empty");
            }
        }
    }

    private void addBytes(long size) {
        bytes += size;
        if (bytes > maxBytes) {
            throw new SandboxTooLargeException(from + " holds more than " + maxBytes + " bytes (" + ByteSize.decimal(maxBytes) + "); the download stopped");
        }
    }

    private void writeAll(TreeSource source) throws IOException {
        TreeEntry e;
        while ((e = source.next()) != null) {
            if (++entries > MAX_ENTRIES) {
                throw tooManyEntries();
            }
            try {
                write(e, source);
            } catch (SandboxTooLargeException tooLarge) {
                throw tooLarge;
            } catch (SandboxInvalidInputException refused) {
                throw refusal(e.name(), refused.getMessage());
            }
        }
    }

    /**
     * A link judged inside when made can lead outside once later entries are in place ({@code x -> a/../e} made
     * before {@code a -> .}). Every link this download made is judged again; those that lead out are removed.
     *
     * @return the links removed
     */
    private List<Link> removeLinksLeadingOutside() throws IOException {
        List<Link> out = new ArrayList<>();
        for (Link l : links) {
            if (!ContainedPaths.linkStaysInside(root, l.dir(), l.target())) {
                out.add(l);
            }
        }
        for (Link l : out) {
            Files.deleteIfExists(l.at());
        }
        return out;
    }

    private SandboxTooLargeException tooManyEntries() {
        return new SandboxTooLargeException(from + " holds more than " + MAX_ENTRIES + " entries; a download takes at most that many."
                + " Download its subdirectories one by one.");
    }

    private SandboxInvalidInputException refusal(String name, String reason) {
        String inSandbox = (from.endsWith("/") ? from : from + "/") + (name == null ? "" : name);
        return new SandboxInvalidInputException("refused to download " + from + ": \"" + ContainedPaths.printable(inSandbox) + "\": " + reason + "."
                + ADVICE);
    }
}
