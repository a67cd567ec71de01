package io.sandboxops.core.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.api.TransferProgress;
import io.sandboxops.core.files.FileStat;
import io.sandboxops.core.files.FileStore;
import io.sandboxops.core.files.LocalTreeWriter;
import io.sandboxops.core.files.SandboxPaths;
import io.sandboxops.core.files.TarTreeSource;
import io.sandboxops.core.shell.NulRecords;
import io.sandboxops.core.shell.ProcessOutcome;
import io.sandboxops.core.shell.ShellHost;
import io.sandboxops.core.shell.ShellScript;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Files of a container. Content moves through the engine's archive API as tar streams; metadata, listings
 * and deletes run as the sandbox user with the path as an argument (never inside a command line).
 */
final class DockerFileStore implements FileStore {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int COPY_BUFFER = 64 * 1024;

    private final DockerClient docker;
    private final String containerId;
    private final ShellHost host;
    private final int uid;
    private final int gid;

    DockerFileStore(DockerClient docker, String containerId, ShellHost host, String user) {
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
        if (!"1".equals(kv.get("exists"))) {
            return FileStat.missing("1".equals(kv.get("writable")));
        }
        String resolved = kv.getOrDefault("resolved", "x");
        resolved = resolved.substring(0, resolved.length() - 1);
        if (resolved.endsWith("\n")) {
            resolved = resolved.substring(0, resolved.length() - 1);
        }
        return new FileStat(true, type(kv.get("type")), parseLong(kv.get("size")), Integer.parseInt(kv.getOrDefault("mode", "0"), 8),
                Instant.ofEpochSecond(parseLong(kv.get("mtime"))), "1".equals(kv.get("readable")), "1".equals(kv.get("writable")),
                resolved.isEmpty() ? path : resolved);
    }

    @Override
    public void read(String path, OutputStream out, TransferProgress progress) {
        try (InputStream raw = docker.copyArchiveFromContainerCmd(containerId, path).exec();
             TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
            TarArchiveEntry entry = tar.getNextEntry();
            if (entry == null || !entry.isFile()) {
                throw new SandboxInvalidInputException(path + " is not a regular file");
            }
            copy(tar, out, entry.getSize(), progress);
        } catch (NotFoundException e) {
            throw new SandboxNotFoundException("no such file: " + path, e);
        } catch (IOException e) {
            throw new SandboxUnavailableException("reading " + path + " from the container failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void write(String path, InputStream in, long size, int mode, TransferProgress progress) {
        String parent = SandboxPaths.parent(path);
        ProcessOutcome mk = host.run(List.of("mkdir", "-p", "--", parent), TIMEOUT, 4096);
        if (!mk.succeeded()) {
            throw new SandboxException("cannot create " + parent + ": " + mk.stderrText());
        }
        PipedInputStream tarIn = new PipedInputStream(COPY_BUFFER * 4);
        PipedOutputStream tarOut;
        try {
            tarOut = new PipedOutputStream(tarIn);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // The tar is produced while the engine reads it, so a 500 MB upload never sits in memory.
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(tarOut)) {
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                TarArchiveEntry entry = new TarArchiveEntry(SandboxPaths.name(path));
                entry.setSize(size);
                entry.setMode(0100000 | (mode & 07777));
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
            docker.copyArchiveToContainerCmd(containerId).withRemotePath(parent).withTarInputStream(tarIn).exec();
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
    public List<String> walk(String dir) {
        ProcessOutcome o = host.run(List.of("find", dir, "-mindepth", "1", "!", "-type", "d", "-printf", "%P\\0"),
                TIMEOUT, 64L * 1024 * 1024);
        if (!o.succeeded() && o.stdout().length == 0) {
            throw new SandboxException("cannot search " + dir + ": " + o.stderrText());
        }
        return NulRecords.fields(o.stdout());
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

    /** The tar of a directory's content, entries named {@code ./…}. */
    private InputStream openTreeArchive(String dir) {
        return docker.copyArchiveFromContainerCmd(containerId, dir + "/.").exec();
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
