package io.sandboxops.core.files;

import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxTimeoutException;
import io.sandboxops.core.api.SandboxTooLargeException;
import io.sandboxops.core.api.SearchMatch;
import io.sandboxops.core.api.TransferProgress;
import io.sandboxops.core.util.ByteSize;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;

/**
 * The file half of the {@link Sandbox} API, the same on every backend: paths resolved against the workdir,
 * access checked as the sandbox user, limits enforced before any byte moves, text handled here.
 */
public final class FileOperations {
    /** The largest text file read, searched or edited in memory. */
    public static final long MAX_TEXT_BYTES = 64L * 1024 * 1024;
    /** The most time a search or a find spends on the client; the store bounds its own part (a walk, a read). */
    static final Duration OPERATION_BUDGET = Duration.ofSeconds(10);
    /** How deep find goes below its directory: far below any project tree, and a bound on what a sandbox can build. */
    public static final int MAX_FIND_DEPTH = 64;

    private final FileStore store;
    private final String workdir;

    public FileOperations(FileStore store, String workdir) {
        this.store = store;
        this.workdir = workdir;
    }

    public String resolve(String path) {
        return SandboxPaths.resolve(workdir, path);
    }

    public String read(String path, LineRange range) {
        String p = resolve(path);
        FileStat st = requireReadableFile(p);
        if (st.size() > Sandbox.MAX_TRANSFER_BYTES) {
            throw new SandboxTooLargeException(p + " is " + st.size() + " bytes (" + ByteSize.decimal(st.size()) + "), more than the "
                    + Sandbox.MAX_TRANSFER_BYTES + " bytes (" + ByteSize.decimal(Sandbox.MAX_TRANSFER_BYTES) + ") a read may return; read a "
                    + "line range or download it");
        }
        RangeCollector collector = new RangeCollector(range);
        store.read(st.resolved(), collector, TransferProgress.NONE);
        return collector.text();
    }

    public void write(String path, String content, boolean append, boolean leadingNewline, boolean trailingNewline) {
        String p = resolve(path);
        FileStat st = store.stat(p);
        requireOnTheSandboxsFiles(p, st);
        String text = (leadingNewline ? "\n" : "") + content + (trailingNewline ? "\n" : "");
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int mode = 0644;
        if (st.exists()) {
            if (st.type() == FileEntry.Type.DIRECTORY) {
                throw new SandboxInvalidInputException(p + " is a directory; give a file path");
            }
            requireRegularTarget(p, st);
            requireWritable(p, st);
            mode = st.mode();
            if (append) {
                byte[] old = readAll(st);
                byte[] joined = new byte[old.length + bytes.length];
                System.arraycopy(old, 0, joined, 0, old.length);
                System.arraycopy(bytes, 0, joined, old.length, bytes.length);
                bytes = joined;
            }
            p = st.resolved();
        } else {
            requireWritable(p, st);
        }
        store.write(p, new ByteArrayInputStream(bytes), bytes.length, mode, TransferProgress.NONE);
    }

    public boolean exists(String path) {
        return store.stat(resolve(path)).exists();
    }

    public void delete(String path) {
        String p = resolve(path);
        if (p.equals("/")) {
            throw new SandboxInvalidInputException("refusing to delete /");
        }
        FileStat st = store.stat(p);
        if (!st.exists()) {
            throw notFound(p);
        }
        store.delete(p);
    }

    public List<FileEntry> list(String path) {
        String p = resolve(path);
        FileStat st = store.stat(p);
        if (!st.exists()) {
            throw notFound(p);
        }
        if (st.type() != FileEntry.Type.DIRECTORY) {
            throw new SandboxInvalidInputException(p + " is not a directory");
        }
        List<FileEntry> entries = new ArrayList<>(store.list(st.resolved()));
        entries.sort((a, b) -> a.name().compareTo(b.name()));
        return entries;
    }

    public List<SearchMatch> search(String path, String regex) {
        Pattern pattern = LinearRegex.compile(regex);
        String p = resolve(path);
        FileStat st = requireReadableFile(p);
        String text = new String(readAll(st), StandardCharsets.UTF_8);
        List<SearchMatch> matches = new ArrayList<>();
        long deadline = System.nanoTime() + OPERATION_BUDGET.toNanos();
        int lineNo = 0;
        for (String line : (Iterable<String>) text.lines()::iterator) {
            lineNo++;
            Matcher m = pattern.matcher(new DeadlineCharSequence(line, deadline, regex));
            if (m.find()) {
                matches.add(new SearchMatch(lineNo, line));
            }
        }
        return matches;
    }

    public List<String> find(String dir, String glob) {
        Glob g = Glob.compile(glob);
        String p = resolve(dir);
        FileStat st = store.stat(p);
        if (!st.exists()) {
            throw notFound(p);
        }
        if (st.type() != FileEntry.Type.DIRECTORY) {
            throw new SandboxInvalidInputException(p + " is not a directory");
        }
        String base = p.equals("/") ? "" : p;
        long deadline = System.nanoTime() + OPERATION_BUDGET.toNanos();
        List<String> found = new ArrayList<>();
        int n = 0;
        for (String rel : store.walk(st.resolved(), MAX_FIND_DEPTH)) {
            if (depth(rel) > MAX_FIND_DEPTH) {
                throw new SandboxTooLargeException(p + " goes more than " + MAX_FIND_DEPTH + " levels deep (" + ContainedPaths.printable(base + "/" + rel)
                        + "); find looks at most that deep, and says so rather than leave out what is below. Find in a directory further down");
            }
            if ((++n & 0x3FF) == 0 && System.nanoTime() > deadline) {
                throw new SandboxTimeoutException("matching \"" + glob + "\" against the paths under " + p + " took more than "
                        + OPERATION_BUDGET.toSeconds() + " s; find in a smaller directory");
            }
            if (g.matches(rel)) {
                found.add(base + "/" + rel);
            }
        }
        found.sort(null);
        return found;
    }

    private static int depth(String relativePath) {
        int d = 1;
        for (int i = relativePath.indexOf('/'); i >= 0; i = relativePath.indexOf('/', i + 1)) {
            d++;
        }
        return d;
    }

    public int replace(String path, String oldText, String newText) {
        if (oldText.isEmpty()) {
            throw new SandboxInvalidInputException("the text to replace is empty");
        }
        String p = resolve(path);
        FileStat st = requireReadableFile(p);
        requireWritable(p, st);
        String text = new String(readAll(st), StandardCharsets.UTF_8);
        int count = 0;
        for (int i = text.indexOf(oldText); i >= 0; i = text.indexOf(oldText, i + oldText.length())) {
            count++;
        }
        if (count > 0) {
            byte[] bytes = text.replace(oldText, newText).getBytes(StandardCharsets.UTF_8);
            store.write(st.resolved(), new ByteArrayInputStream(bytes), bytes.length, st.mode(), TransferProgress.NONE);
        }
        return count;
    }

    public long upload(InputStream content, long size, String path, TransferProgress progress) {
        if (size < 0) {
            throw new SandboxInvalidInputException("the upload's size must be known in advance");
        }
        if (size > Sandbox.MAX_TRANSFER_BYTES) {
            throw new SandboxTooLargeException("refusing to upload " + size + " bytes: the limit is " + Sandbox.MAX_TRANSFER_BYTES
                    + " bytes (" + ByteSize.decimal(Sandbox.MAX_TRANSFER_BYTES) + "); nothing was sent");
        }
        String p = resolve(path);
        FileStat st = store.stat(p);
        requireOnTheSandboxsFiles(p, st);
        int mode = 0644;
        if (st.exists()) {
            if (st.type() == FileEntry.Type.DIRECTORY) {
                throw new SandboxInvalidInputException(p + " is a directory; give the file's full path");
            }
            requireRegularTarget(p, st);
            mode = st.mode();
            p = st.resolved();
        }
        requireWritable(p, st);
        // Into a temporary name first, so a broken or short upload never leaves a half-written file behind.
        String temp = SandboxPaths.parent(p) + "/." + SandboxPaths.name(p) + ".upload-" + Long.toHexString(System.nanoTime());
        try {
            store.write(temp, content, size, mode, progress);
            store.rename(temp, p);
        } catch (RuntimeException e) {
            try {
                store.delete(temp);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return size;
    }

    public long download(String path, OutputStream out, TransferProgress progress) {
        String p = resolve(path);
        FileStat st = requireReadableFile(p);
        requireTransferable(p, st.size());
        CountingStream counting = new CountingStream(out);
        store.read(st.resolved(), counting, progress);
        return counting.count;
    }

    public long download(String path, Path localTarget, TransferProgress progress) {
        String p = resolve(path);
        FileStat st = store.stat(p);
        if (!st.exists()) {
            throw notFound(p);
        }
        if (!st.readable()) {
            throw new SandboxException("permission denied: " + p + " is not readable by the sandbox user");
        }
        if (st.type() == FileEntry.Type.DIRECTORY) {
            return store.downloadTree(st.resolved(), localTarget, Sandbox.MAX_TRANSFER_BYTES, progress);
        }
        requireTransferable(p, st.size());
        Path target = Files.isDirectory(localTarget) ? localTarget.resolve(SandboxPaths.name(p)) : localTarget;
        try {
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (OutputStream out = Files.newOutputStream(target)) {
                return download(st.resolved(), out, progress);
            }
        } catch (IOException e) {
            throw new SandboxException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private byte[] readAll(FileStat st) {
        if (st.size() > MAX_TEXT_BYTES) {
            throw new SandboxTooLargeException(st.resolved() + " is " + st.size() + " bytes; text operations take files up to "
                    + MAX_TEXT_BYTES + " bytes");
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream((int) st.size());
        store.read(st.resolved(), buf, TransferProgress.NONE);
        return buf.toByteArray();
    }

    private FileStat requireReadableFile(String p) {
        FileStat st = store.stat(p);
        if (!st.exists()) {
            throw notFound(p);
        }
        if (st.type() == FileEntry.Type.DIRECTORY) {
            throw new SandboxInvalidInputException(p + " is a directory; give a file path");
        }
        if (st.type() != FileEntry.Type.FILE) {
            throw new SandboxInvalidInputException(p + " is not a regular file");
        }
        if (!st.readable()) {
            throw new SandboxException("permission denied: " + p + " is not readable by the sandbox user");
        }
        return st;
    }

    private static void requireWritable(String p, FileStat st) {
        if (!st.writable()) {
            throw new SandboxException("permission denied: " + p + (st.exists() ? " is not writable" : " cannot be created")
                    + " by the sandbox user");
        }
    }

    /** A write where the sandbox keeps no files would report success for a file nobody sees: refused before any byte moves. */
    private void requireOnTheSandboxsFiles(String p, FileStat st) {
        if (st.elsewhere() != null) {
            // "permission denied" first, as for any path the sandbox user may not create: scripts match on it
            throw new SandboxInvalidInputException("permission denied: " + p + " is not on the sandbox's filesystem: it is " + st.elsewhere()
                    + ". Nothing was written; give a path under " + workdir + " or another directory of the sandbox's own");
        }
    }

    /** A device, fifo or socket: writing "a file" there would feed it bytes or fail half-way. */
    private static void requireRegularTarget(String p, FileStat st) {
        if (st.type() == FileEntry.Type.OTHER) {
            throw new SandboxInvalidInputException(p + " is a device, fifo or socket, not a regular file; nothing was written");
        }
    }

    private static void requireTransferable(String p, long size) {
        if (size > Sandbox.MAX_TRANSFER_BYTES) {
            throw new SandboxTooLargeException(p + " is " + size + " bytes, more than the " + Sandbox.MAX_TRANSFER_BYTES
                    + " bytes (500 MB) a download may move; nothing was sent");
        }
    }

    private static SandboxNotFoundException notFound(String p) {
        return new SandboxNotFoundException("no such file or directory: " + p);
    }

    /** Keeps the lines of a range, with their own line endings, from a stream of bytes. */
    private static final class RangeCollector extends OutputStream {
        private final LineRange range;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private int line = 1;

        RangeCollector(LineRange range) {
            this.range = range;
        }

        @Override
        public void write(int b) {
            if (range.contains(line)) {
                kept.write(b);
            }
            if (b == '\n') {
                line++;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        String text() {
            return kept.toString(StandardCharsets.UTF_8);
        }
    }

    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    /**
     * A line that stops a search once its time budget is spent: the engine is linear, but 64 MiB of text under a
     * large regex still takes a while, and reading characters is where it can be stopped.
     */
    private static final class DeadlineCharSequence implements CharSequence {
        private final String s;
        private final long deadline;
        private final String regex;
        private int reads;

        DeadlineCharSequence(String s, long deadline, String regex) {
            this.s = s;
            this.deadline = deadline;
            this.regex = regex;
        }

        @Override
        public char charAt(int index) {
            if ((++reads & 0xFFFF) == 0 && System.nanoTime() > deadline) {
                throw new SandboxTimeoutException("searching with the regex \"" + regex + "\" took more than " + OPERATION_BUDGET.toSeconds()
                        + " s; search a smaller file, or a simpler regex");
            }
            return s.charAt(index);
        }

        @Override
        public int length() {
            return s.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new DeadlineCharSequence(s.substring(start, end), deadline, regex);
        }

        @Override
        public String toString() {
            return s;
        }
    }
}
