package io.sandboxops.core.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxTimeoutException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.api.TransferProgress;
import io.sandboxops.core.files.FileStat;
import io.sandboxops.core.files.FileStore;
import io.sandboxops.core.files.LocalTreeWriter;
import io.sandboxops.core.files.TarTreeSource;
import io.sandboxops.core.shell.NulRecords;
import io.sandboxops.core.shell.ProcessOutcome;
import io.sandboxops.core.shell.ShellScript;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files of a container. Every operation on a path the sandbox can change runs as the sandbox user with the path as an
 * argument (never inside a command line): the engine's archive API runs as root and resolves links when it transfers,
 * so it only ever writes into a staging directory the sandbox cannot change (DESIGN §4, containment).
 */
final class DockerFileStore implements FileStore {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Duration WALK_BUDGET = Duration.ofSeconds(20);
    private static final int COPY_BUFFER = 64 * 1024;
    /** Where the archive API puts uploads before the sandbox user copies them into place; root's, mode 0711 (see {@link #write}). */
    static final String STAGING = "/.sandboxops-staging";
    /**
     * Filesystems the kernel makes up (stat -f %T names): what is written there is no file the sandbox keeps, and a
     * write either fails or changes a kernel setting. Any other type is the sandbox's: a tmpfs such as /dev/shm holds
     * files its commands see, and {@link ShellScript#PLACE} writes into it from inside the container.
     */
    private static final Set<String> KERNEL_FILESYSTEMS = Set.of("proc", "sysfs", "devpts", "cgroupfs", "cgroup2fs",
            "mqueue", "debugfs", "securityfs", "tracefs", "bpf_fs", "pstorefs", "configfs", "fusectl", "binfmt_misc", "efivarfs",
            "selinux", "nsfs");
    private static final Logger log = LoggerFactory.getLogger(DockerFileStore.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DockerClient docker;
    private final String containerId;
    private final DockerShellHost host;
    private final int uid;
    private final int gid;

    DockerFileStore(DockerClient docker, String containerId, DockerShellHost host, String user) {
        this.docker = docker;
        this.containerId = containerId;
        this.host = host;
        String[] ids = user.split(":");
        this.uid = parseId(ids[0]);
        this.gid = ids.length > 1 ? parseId(ids[1]) : this.uid;
    }

    @Override
    public FileStat stat(String path) {
        ProcessOutcome o = host.runScript(ShellScript.STAT, List.of(path), TIMEOUT);
        if (!o.succeeded()) {
            throw new SandboxException("cannot look at " + path + ": " + o.stderrText());
        }
        Map<String, String> kv = new HashMap<>();
        NulRecords.pairs(o.stdout()).forEach(e -> kv.put(e.getKey(), e.getValue()));
        String elsewhere = kernelFilesystem(kv.get("fs"));
        if (!"1".equals(kv.get("exists"))) {
            return elsewhere != null ? FileStat.missingElsewhere(elsewhere) : FileStat.missing("1".equals(kv.get("writable")));
        }
        String resolved = kv.getOrDefault("resolved", "x");
        resolved = resolved.substring(0, resolved.length() - 1);
        if (resolved.endsWith("\n")) {
            resolved = resolved.substring(0, resolved.length() - 1);
        }
        return new FileStat(true, type(kv.get("type")), parseLong(kv.get("size")), Integer.parseInt(kv.getOrDefault("mode", "0"), 8),
                Instant.ofEpochSecond(parseLong(kv.get("mtime"))), "1".equals(kv.get("readable")), "1".equals(kv.get("writable")),
                resolved.isEmpty() ? path : resolved, elsewhere);
    }

    /** What the path is on instead of the sandbox's files ({@link FileStat#elsewhere}), or null. */
    private static String kernelFilesystem(String type) {
        return type != null && KERNEL_FILESYSTEMS.contains(type.strip()) ? "the kernel's " + type.strip() + " filesystem, which holds no files" : null;
    }

    /**
     * Streams the file as the sandbox user ({@link ShellScript#READ}): opened once, exactly the size it had when opened,
     * so neither a link swapped in on the way nor a root-only file is ever read.
     */
    @Override
    public void read(String path, OutputStream out, TransferProgress progress) {
        try (ExecStream exec = host.stream(ShellScript.READ.argv(List.of(path)), TIMEOUT)) {
            InputStream in = exec.stdout();
            long size = readSizeLine(in);
            if (size < 0) {
                throw readRefused(path, exec);
            }
            long copied = copy(in, out, size, progress);
            if (copied < size) {
                throw new SandboxUnavailableException("reading " + path + " stopped after " + copied + " of " + size + " bytes: "
                        + exec.stderrText());
            }
        } catch (IOException e) {
            throw new SandboxUnavailableException("reading " + path + " from the container failed: " + e.getMessage(), e);
        }
    }

    /**
     * Creates or replaces the file with the sandbox user's rights. The engine's archive API runs as root and follows
     * links when it writes, so it only ever extracts into {@link #STAGING}: a directory under {@code /} that root owns and
     * the sandbox cannot list or change, under a fresh random name. From there the sandbox user copies it into place
     * ({@link ShellScript#PLACE}, paths as arguments), and the staged copy is removed.
     */
    @Override
    public void write(String path, InputStream in, long size, int mode, TransferProgress progress) {
        String name = stagingName();
        String staged = STAGING + "/" + name;
        try {
            stage(name, path, in, size, progress);
            ProcessOutcome placed = host.runScript(ShellScript.PLACE, List.of(staged, path, Integer.toOctalString(mode & 07777)), TIMEOUT);
            if (!placed.succeeded()) {
                throw new SandboxException("cannot write " + path + " as the sandbox user: " + placed.stderrText());
            }
        } finally {
            removeStaged(staged);
        }
    }

    /** Best effort, so that a failure to clean up never hides why the write failed (e.g. the container is gone). */
    private void removeStaged(String staged) {
        try {
            ProcessOutcome removed = host.runAsRoot(List.of("rm", "-f", "--", staged), TIMEOUT);
            if (!removed.succeeded()) {
                log.warn("could not remove the staged copy {} in container {}: {}", staged, containerId, removed.stderrText());
            }
        } catch (RuntimeException e) {
            log.warn("could not remove the staged copy {} in container {}: {}", staged, containerId, e.getMessage());
        }
    }

    /** Streams {@code in} into the staging directory as one tar: the directory itself (root's, 0711), then the file (0600). */
    private void stage(String name, String path, InputStream in, long size, TransferProgress progress) {
        PipedInputStream tarIn = new PipedInputStream(COPY_BUFFER * 4);
        PipedOutputStream tarOut;
        try {
            tarOut = new PipedOutputStream(tarIn);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String dir = STAGING.substring(1);
        // The tar is produced while the engine reads it, so a 500 MB upload never sits in memory.
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(tarOut)) {
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                TarArchiveEntry staging = new TarArchiveEntry(dir + "/");
                staging.setMode(040711);
                staging.setIds(0, 0);
                tar.putArchiveEntry(staging);
                tar.closeArchiveEntry();
                TarArchiveEntry entry = new TarArchiveEntry(dir + "/" + name);
                entry.setSize(size);
                entry.setMode(0100600);
                entry.setIds(uid, gid);
                entry.setModTime(System.currentTimeMillis());
                tar.putArchiveEntry(entry);
                long copied = copy(in, tar, size, progress);
                if (copied < size) {
                    throw new SandboxInvalidInputException("the upload ended after " + copied + " of " + size + " bytes; nothing was written");
                }
                tar.closeArchiveEntry();
                tar.finish();
            } catch (IOException e) {
                throw new SandboxUnavailableException("streaming " + path + " to the container failed: " + e.getMessage(), e);
            }
        });
        RuntimeException engineError = null;
        try {
            docker.copyArchiveToContainerCmd(containerId).withRemotePath("/").withTarInputStream(tarIn).exec();
        } catch (RuntimeException e) {
            engineError = e;
        } finally {
            try {
                // Unblocks the producer if the engine stopped reading early.
                tarIn.close();
            } catch (IOException ignored) {
                // nothing left to read
            }
        }
        Throwable producerError = producer.handle((v, t) -> t == null ? null : (t.getCause() != null ? t.getCause() : t)).join();
        if (producerError instanceof SandboxException se) {
            throw se;
        }
        if (engineError != null) {
            throw new SandboxUnavailableException("writing " + path + " into the container failed: " + SandboxException.rootMessage(engineError),
                    engineError);
        }
        if (producerError != null) {
            throw new SandboxException("writing " + path + " failed: " + producerError.getMessage(), producerError);
        }
    }

    @Override
    public void rename(String from, String to) {
        ProcessOutcome o = host.run(List.of("mv", "-f", "--", from, to), TIMEOUT, 4096);
        if (!o.succeeded()) {
            throw new SandboxException("cannot move " + from + " to " + to + ": " + o.stderrText());
        }
    }

    @Override
    public List<FileEntry> list(String dir) {
        ProcessOutcome o = host.run(List.of("find", dir, "-mindepth", "1", "-maxdepth", "1", "-printf", "%y\\0%s\\0%m\\0%T@\\0%f\\0"),
                TIMEOUT, 64L * 1024 * 1024);
        if (!o.succeeded() && o.stdout().length == 0) {
            throw new SandboxException("cannot list " + dir + ": " + o.stderrText());
        }
        List<String> f = NulRecords.fields(o.stdout());
        List<FileEntry> out = new ArrayList<>();
        String base = dir.equals("/") ? "" : dir;
        for (int i = 0; i + 4 < f.size(); i += 5) {
            double mtime = Double.parseDouble(f.get(i + 3));
            out.add(new FileEntry(f.get(i + 4), base + "/" + f.get(i + 4), findType(f.get(i)), parseLong(f.get(i + 1)),
                    Integer.parseInt(f.get(i + 2), 8), Instant.ofEpochMilli((long) (mtime * 1000))));
        }
        return out;
    }

    @Override
    public List<String> walk(String dir, int maxDepth) {
        // timeout(1) stops find inside the container; the engine's own wait would leave it running there. Directories are
        // printed too (with their depth) because find has no test for "exactly one level below -maxdepth".
        ProcessOutcome o = host.run(List.of("timeout", "-s", "KILL", Long.toString(WALK_BUDGET.toSeconds()), "find", dir, "-mindepth", "1",
                "-maxdepth", Integer.toString(maxDepth + 1), "-printf", "%y%d\\0%P\\0"), WALK_BUDGET.plusSeconds(10), 64L * 1024 * 1024);
        if (o.exitCode() == 137) {
            throw new SandboxTimeoutException("listing the files under " + dir + " took more than " + WALK_BUDGET.toSeconds()
                    + " s; find in a smaller directory");
        }
        if (!o.succeeded() && o.stdout().length == 0) {
            throw new SandboxException("cannot search " + dir + ": " + o.stderrText());
        }
        List<String> f = NulRecords.fields(o.stdout());
        List<String> out = new ArrayList<>();
        for (int i = 0; i + 1 < f.size(); i += 2) {
            String kind = f.get(i);
            if (!kind.startsWith("d") || parseLong(kind.substring(1)) > maxDepth) {
                out.add(f.get(i + 1));
            }
        }
        return out;
    }

    @Override
    public void delete(String path) {
        ProcessOutcome o = host.run(List.of("rm", "-rf", "--", path), TIMEOUT, 4096);
        if (!o.succeeded()) {
            throw new SandboxException("cannot delete " + path + ": " + o.stderrText());
        }
    }

    @Override
    public long downloadTree(String dir, Path localTarget, long maxBytes, TransferProgress progress) {
        try {
            return new LocalTreeWriter(dir, localTarget, maxBytes, progress).write(new TarTreeSource(openTreeArchive(dir)));
        } catch (NotFoundException e) {
            throw new SandboxNotFoundException("no such directory: " + dir, e);
        }
    }

    /**
     * The tree under {@code dir} as a tar stream ({@code ./}-relative names), made by {@code tar} running as the sandbox
     * user: what that user cannot read fails the archive, and links are stored as links, never followed. Reading past
     * the end of the archive throws when tar failed, with what it said.
     */
    private InputStream openTreeArchive(String dir) {
        ExecStream exec = host.stream(List.of("tar", "-C", dir, "-cf", "-", "."), TIMEOUT);
        return new FilterInputStream(exec.stdout()) {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                // GNU tar: 1 means a file changed while it was read (its content is still what the user may read).
                if (n < 0 && exec.exitCode() > 1) {
                    throw new IOException("tar could not archive " + dir + " as the sandbox user: " + exec.stderrText());
                }
                return n;
            }
        };
    }

    /** The decimal size line {@link ShellScript#READ} prints before the content; -1 when the script ended without one. */
    private static long readSizeLine(InputStream in) throws IOException {
        StringBuilder digits = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c < '0' || c > '9' || digits.length() > 19) {
                throw new IOException("unexpected output from the read script");
            }
            digits.append((char) c);
        }
        return c < 0 || digits.length() == 0 ? -1 : Long.parseLong(digits.toString());
    }

    private static SandboxException readRefused(String path, ExecStream exec) throws IOException {
        int exit = exec.exitCode();
        String said = exec.stderrText();
        return switch (exit) {
            case 2 -> new SandboxNotFoundException("no such file: " + path);
            case 3 -> new SandboxInvalidInputException(path + " is not a regular file");
            case 4 -> new SandboxException("permission denied: " + path + " is not readable by the sandbox user");
            default -> new SandboxUnavailableException("reading " + path + " failed (exit " + exit + "): " + said);
        };
    }

    /** An unpredictable name, so that nothing in the sandbox can aim at a staged file before it exists. */
    private static String stagingName() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static long copy(InputStream in, OutputStream out, long expected, TransferProgress progress) throws IOException {
        byte[] buf = new byte[COPY_BUFFER];
        long done = 0;
        long lastReport = 0;
        int n;
        while (done < expected && (n = in.read(buf, 0, (int) Math.min(buf.length, expected - done))) >= 0) {
            out.write(buf, 0, n);
            done += n;
            if (done - lastReport >= 1024 * 1024 || done == expected) {
                progress.onProgress(done, expected);
                lastReport = done;
            }
        }
        if (expected == 0) {
            progress.onProgress(0, 0);
        }
        return done;
    }

    private static FileEntry.Type type(String t) {
        if (t == null) {
            return FileEntry.Type.OTHER;
        }
        return switch (t) {
            case "file" -> FileEntry.Type.FILE;
            case "directory" -> FileEntry.Type.DIRECTORY;
            case "symlink" -> FileEntry.Type.SYMLINK;
            default -> FileEntry.Type.OTHER;
        };
    }

    private static FileEntry.Type findType(String y) {
        return switch (y) {
            case "f" -> FileEntry.Type.FILE;
            case "d" -> FileEntry.Type.DIRECTORY;
            case "l" -> FileEntry.Type.SYMLINK;
            default -> FileEntry.Type.OTHER;
        };
    }

    private static long parseLong(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int parseId(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
