package io.sandboxops.core.state;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxTooLargeException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.files.ContainedPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Keeps an executor's local files and the sandbox's files in the bucket the same (DESIGN §5): {@link #restore}
 * when an execution starts, {@link #pull} before a request (file operations may have changed the bucket), and
 * {@link #push} after a command and when the execution ends: only what changed is uploaded, contents are named
 * by their SHA-256 so an unchanged file is never sent twice, and the manifest is written with
 * {@code ifGenerationMatch}. When another writer came first, its changes are pulled in and the push is made
 * again; for one path changed on both sides, the bucket's version wins.
 *
 * <p>The manifest is only as trustworthy as whoever wrote it last, and a restore runs on the executor's machine
 * (the host itself with the emulator's process runner). So every entry is checked before it touches the disk
 * ({@link ContainedPaths}): a plain absolute name (no {@code ..}, no NUL) under a persisted root, reached through
 * real directories only, never through a link; a file exactly as long as its entry says. An entry that fails is
 * skipped and reported to {@code onRefused}, and the rest restores: a forged entry then never bricks the session,
 * and the next push, which records only what is on the disk, drops it from the manifest. A manifest larger than
 * {@link #MAX_ENTRIES} entries or {@link #MAX_BYTES} bytes is refused as a whole, before anything is written:
 * restoring part of it would make the next push delete the rest.
 *
 * <p>Links in the tree are restored as they are, wherever they point: they are the sandbox's own, and the
 * restore never writes or deletes through one. Between a check and its write nothing else changes the tree:
 * the restore runs before any command, and a pull between commands races only the sandbox's own background
 * processes, which run with the same rights and could write there themselves.
 *
 * <p>Not thread-safe: one executor syncs from one thread at a time.
 */
public final class FileTreeSync {
    /** The most entries a restore takes: far above a sandbox with a few node_modules trees. */
    public static final int MAX_ENTRIES = 1_000_000;
    /** The most bytes a restore writes: Cloud Run's largest memory, where an executor's files live. */
    public static final long MAX_BYTES = 32L * 1024 * 1024 * 1024;
    /** Contents sent at once by a push. */
    static final int PARALLEL_UPLOADS = 8;
    /** The threads that send them, shared by every tree of the process; daemons, made as needed and gone when idle. */
    private static final java.util.concurrent.ExecutorService UPLOADS = new java.util.concurrent.ThreadPoolExecutor(0, Integer.MAX_VALUE,
            30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "file-upload");
                t.setDaemon(true);
                return t;
            });

    private final SessionStateStore store;
    private final String sandboxId;
    private final Path fsRoot;
    private final Predicate<String> excluded;
    private final Consumer<Refused> onRefused;
    private final int maxEntries;
    /** Read by {@link #snapshot} beside a save that replaces it. */
    private volatile FileManifest base;
    private long baseGeneration;

    /**
     * A manifest entry a restore or pull did not write.
     *
     * @param path   the entry's name, made printable ({@link ContainedPaths#printable})
     * @param reason why, e.g. "it goes through workspace/l, which is a link"
     */
    public record Refused(String path, String reason) {
    }

    /** What a push did. */
    public record PushResult(boolean manifestWritten, int filesUploaded, long bytesUploaded, int entries) {
    }

    /**
     * @param fsRoot   where sandbox path {@code /} is on this machine ({@code /} inside a container)
     * @param excluded  sandbox paths never synced (the executor's own scratch files)
     * @param onRefused told of each manifest entry a restore or pull refused to write
     */
    public FileTreeSync(SessionStateStore store, String sandboxId, Path fsRoot, Predicate<String> excluded, Consumer<Refused> onRefused) {
        this(store, sandboxId, fsRoot, excluded, onRefused, MAX_ENTRIES);
    }

    /** With a lower entry cap, so a test need not forge a million entries. */
    FileTreeSync(SessionStateStore store, String sandboxId, Path fsRoot, Predicate<String> excluded, Consumer<Refused> onRefused,
            int maxEntries) {
        this.store = store;
        this.sandboxId = sandboxId;
        this.fsRoot = fsRoot;
        this.excluded = excluded;
        this.onRefused = onRefused;
        this.maxEntries = maxEntries;
    }

    public List<String> roots() {
        return base == null ? List.of() : base.roots();
    }

    /**
     * Materializes the whole tree of the bucket here.
     *
     * @return how many entries the manifest holds
     * @throws SandboxTooLargeException when it holds more than {@link #MAX_ENTRIES} entries or {@link #MAX_BYTES}
     *                                  bytes; nothing is written
     */
    public int restore() {
        return restore(store.readManifest(sandboxId));
    }

    /** Restores from the manifest as the caller read it (beside other reads, say); the same checks as {@link #restore()}. */
    public int restore(SessionStateStore.Versioned<FileManifest> m) {
        requireRestorable(m.value());
        for (String root : m.value().roots()) {
            try {
                ContainedPaths.directory(fsRoot, elements(root), true);
            } catch (SandboxInvalidInputException e) {
                refuse(root, e.getMessage());
            } catch (IOException e) {
                throw new SandboxException("cannot create " + local(root) + ": " + e.getMessage(), e);
            }
        }
        apply(FileManifest.empty(m.value().roots(), 0).withEntries(new TreeMap<>()), m.value());
        base = m.value();
        baseGeneration = m.generation();
        return base.entries().size();
    }

    /** Brings in what changed in the bucket since the last sync. @return whether anything had */
    public boolean pull() {
        if (store.manifestGeneration(sandboxId) == baseGeneration) {
            return false;
        }
        SessionStateStore.Versioned<FileManifest> m = store.readManifest(sandboxId);
        requireRestorable(m.value());
        apply(base, m.value());
        base = m.value();
        baseGeneration = m.generation();
        return true;
    }

    /** Sends what changed here since the last sync. */
    public PushResult push() {
        for (int attempt = 1; ; attempt++) {
            try {
                return push(scan());
            } catch (SessionStateStore.GenerationConflict conflict) {
                if (attempt >= 20) {
                    throw new SandboxException("could not save the sandbox's files: the manifest kept changing under " + attempt
                            + " attempts", conflict);
                }
                pull();
            }
        }
    }

    /**
     * Sends the tree as it is when {@code scanned} is called: what changes after that is not part of this save, so the
     * caller may let a command run while the contents upload. One attempt: when the bucket's manifest changed meanwhile
     * nothing is written, and the next {@link #push()} brings both together.
     *
     * @param scanned called with the tree this save sends, before anything is sent
     */
    public PushResult pushAsScanned(Consumer<Snapshot> scanned) {
        TreeMap<String, FileManifest.Entry> tree = scan();
        scanned.accept(new Snapshot(new TreeMap<>(tree)));
        try {
            return push(tree);
        } catch (SessionStateStore.GenerationConflict conflict) {
            return new PushResult(false, 0, 0, tree.size());
        }
    }

    /**
     * The tree here now, to compare with what a save in flight sends ({@link #pushAsScanned}). It reads only the local
     * tree, so it may run while that save holds this object.
     */
    public Snapshot snapshot() {
        return new Snapshot(scan());
    }

    /** The local tree as one scan saw it: paths, types, modes, sizes, times and contents' digests. */
    public static final class Snapshot {
        private final TreeMap<String, FileManifest.Entry> entries;

        private Snapshot(TreeMap<String, FileManifest.Entry> entries) {
            this.entries = entries;
        }

        /** Whether both scans saw the same tree, as a save would record it. */
        public boolean sameAs(Snapshot other) {
            return sameTree(entries, other.entries);
        }
    }

    /** Whether the bucket's tree, as last synced, has a file: false for a sandbox that never saved one. */
    public boolean holdsFiles() {
        return base.entries().values().stream().anyMatch(e -> e.type() == FileEntry.Type.FILE);
    }

    /** Sends {@code scanned}: its new contents, then the manifest. @throws SessionStateStore.GenerationConflict when another writer came first */
    private PushResult push(TreeMap<String, FileManifest.Entry> scanned) {
        if (sameTree(base.entries(), scanned)) {
            return new PushResult(false, 0, 0, scanned.size());
        }
        Map<String, String> blobBySha = new HashMap<>();
        base.entries().values().forEach(e -> {
            if (e.sha256() != null) {
                blobBySha.putIfAbsent(e.sha256(), e.blob());
            }
        });
        List<Upload> uploads = new ArrayList<>();
        for (Map.Entry<String, FileManifest.Entry> e : scanned.entrySet()) {
            FileManifest.Entry entry = e.getValue();
            if (entry.type() != FileEntry.Type.FILE) {
                continue;
            }
            String blob = blobBySha.get(entry.sha256());
            if (blob == null) {
                blob = "fs/" + entry.sha256();
                uploads.add(new Upload(e.getKey(), blob, entry.size()));
                blobBySha.put(entry.sha256(), blob);
            }
            e.setValue(new FileManifest.Entry(entry.type(), entry.mode(), entry.size(), entry.mtimeMillis(), entry.sha256(), blob, null));
        }
        long bytes = uploadAll(uploads);
        FileManifest next = base.withEntries(scanned);
        long generation = store.write(SessionStateStore.manifestObject(sandboxId), next, baseGeneration);
        Set<String> dropped = blobs(base);
        dropped.removeAll(blobs(next));
        base = next;
        baseGeneration = generation;
        for (String orphan : dropped) {
            try {
                store.delete(SessionStateStore.sandboxPrefix(sandboxId) + orphan);
            } catch (RuntimeException ignored) {
                // An unreferenced content object costs storage only; destroying the sandbox removes it.
            }
        }
        return new PushResult(true, uploads.size(), bytes, scanned.size());
    }

    // ---- local tree --------------------------------------------------------------------------------------

    private TreeMap<String, FileManifest.Entry> scan() {
        TreeMap<String, FileManifest.Entry> out = new TreeMap<>();
        for (String root : base.roots()) {
            Path start = rootHere(root);
            if (start == null || !Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try {
                Files.walkFileTree(start, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                        String p = sandboxPath(dir);
                        if (excluded.test(p)) {
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                        FileManifest.Entry old = base.entries().get(p);
                        int mode = base.roots().contains(p) && old != null ? old.mode() : mode(dir);
                        out.put(p, FileManifest.Entry.directory(mode, attrs.lastModifiedTime().toMillis()));
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        String p = sandboxPath(file);
                        if (excluded.test(p)) {
                            return FileVisitResult.CONTINUE;
                        }
                        if (attrs.isSymbolicLink()) {
                            String target = Files.readSymbolicLink(file).toString();
                            out.put(p, new FileManifest.Entry(FileEntry.Type.SYMLINK, 0777, 0, attrs.lastModifiedTime().toMillis(), null, null, target));
                        } else if (attrs.isRegularFile()) {
                            out.put(p, fileEntry(p, file, attrs));
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException exc) {
                        // A file deleted while walking, or one the sandbox user cannot read: not synced.
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                throw new SandboxException("could not scan " + start + " to save the sandbox's files: " + e.getMessage(), e);
            }
        }
        return out;
    }

    private FileManifest.Entry fileEntry(String p, Path file, BasicFileAttributes attrs) throws IOException {
        long mtime = attrs.lastModifiedTime().toMillis();
        int mode = mode(file);
        FileManifest.Entry old = base.entries().get(p);
        if (old != null && old.type() == FileEntry.Type.FILE && old.size() == attrs.size() && old.mtimeMillis() == mtime) {
            return new FileManifest.Entry(FileEntry.Type.FILE, mode, old.size(), mtime, old.sha256(), old.blob(), null);
        }
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return new FileManifest.Entry(FileEntry.Type.FILE, mode, attrs.size(), mtime, HexFormat.of().formatHex(sha.digest()), null, null);
    }

    private static boolean sameTree(SortedMap<String, FileManifest.Entry> a, SortedMap<String, FileManifest.Entry> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, FileManifest.Entry> e : a.entrySet()) {
            FileManifest.Entry x = e.getValue();
            FileManifest.Entry y = b.get(e.getKey());
            if (!x.sameContent(y)) {
                return false;
            }
            // A directory's time changes with every child; a file's time alone is worth recording.
            if (x.type() == FileEntry.Type.FILE && x.mtimeMillis() != y.mtimeMillis()) {
                return false;
            }
        }
        return true;
    }

    private void requireRestorable(FileManifest m) {
        long bytes = 0;
        for (FileManifest.Entry e : m.entries().values()) {
            bytes += Math.max(0, e.size());
        }
        if (m.entries().size() > maxEntries || bytes > MAX_BYTES) {
            throw new SandboxTooLargeException("the saved files of sandbox " + sandboxId + " hold " + m.entries().size() + " entries and "
                    + bytes + " bytes, more than a restore takes (" + maxEntries + " entries, " + MAX_BYTES + " bytes); nothing was restored."
                    + " Delete files of the sandbox (sandboxctl file delete works without starting it), or destroy it.");
        }
    }

    /** Makes the local tree go from {@code from} to {@code to}. */
    private void apply(FileManifest from, FileManifest to) {
        List<String> gone = new ArrayList<>();
        for (String p : from.entries().keySet()) {
            if (!to.entries().containsKey(p)) {
                gone.add(p);
            }
        }
        Collections.reverse(gone);
        for (String p : gone) {
            // A name refused when it came in is not deleted either; one under a link is not reached.
            Path existing = contained(p, to, false);
            if (existing != null) {
                deleteTree(existing);
            }
        }
        for (Map.Entry<String, FileManifest.Entry> e : to.entries().entrySet()) {
            FileManifest.Entry old = from.entries().get(e.getKey());
            FileManifest.Entry entry = e.getValue();
            if (entry.sameContent(old) && (entry.type() != FileEntry.Type.FILE || entry.mtimeMillis() == old.mtimeMillis())) {
                continue;
            }
            try {
                Path target = contained(e.getKey(), to, true);
                if (target == null) {
                    continue;
                }
                switch (entry.type()) {
                    case DIRECTORY -> {
                        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                            deleteTree(target);
                            Files.createDirectory(target);
                        }
                        if (!to.roots().contains(e.getKey())) {
                            Files.setPosixFilePermissions(target, permissions(entry.mode()));
                        }
                    }
                    case SYMLINK -> {
                        if (entry.target() == null || entry.target().isEmpty() || entry.target().indexOf('\0') >= 0) {
                            throw new SandboxInvalidInputException("it is a link with an empty target or a NUL in it");
                        }
                        deleteTree(target);
                        Files.createSymbolicLink(target, Path.of(entry.target()));
                    }
                    case FILE -> {
                        if (entry.blob() == null || entry.size() < 0) {
                            throw new SandboxInvalidInputException("it is a file with no content object or a negative size");
                        }
                        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                            deleteTree(target);
                        }
                        download(entry, target);
                    }
                    default -> throw new SandboxInvalidInputException("it is neither a file, a directory nor a link");
                }
            } catch (SandboxInvalidInputException refused) {
                refuse(e.getKey(), refused.getMessage());
            } catch (IOException ex) {
                throw new SandboxException("could not restore " + e.getKey() + ": " + ex.getMessage(), ex);
            }
        }
    }

    /**
     * Where the manifest's {@code path} is here, with every directory above it a real directory (created when
     * {@code create}), never a link; null when refused (reported when {@code create}) or, for a deletion, when
     * it is not there.
     */
    private Path contained(String path, FileManifest m, boolean create) {
        try {
            List<String> parts = elements(path);
            String root = m.rootOf(path).orElse(null);
            if (root == null) {
                throw new SandboxInvalidInputException("it is outside the sandbox's persisted directories " + m.roots());
            }
            elements(root);
            Path dir = ContainedPaths.directory(fsRoot, parts.subList(0, parts.size() - 1), create);
            return dir == null ? null : dir.resolve(parts.get(parts.size() - 1));
        } catch (SandboxInvalidInputException e) {
            if (create) {
                refuse(path, e.getMessage());
            }
            return null;
        } catch (IOException e) {
            throw new SandboxException("could not restore " + ContainedPaths.printable(path) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Where a persisted root is here, reached through real directories only; null for a root the manifest names
     * in a form no push wrote ({@code /../home}), or through a link: a push never reads outside the tree.
     */
    private Path rootHere(String root) {
        try {
            List<String> parts = elements(root);
            Path parent = ContainedPaths.directory(fsRoot, parts.subList(0, parts.size() - 1), false);
            return parent == null ? null : parent.resolve(parts.get(parts.size() - 1));
        } catch (SandboxInvalidInputException e) {
            return null;
        } catch (IOException e) {
            throw new SandboxException("could not scan " + ContainedPaths.printable(root) + " to save the sandbox's files: " + e.getMessage(), e);
        }
    }

    /** The elements of a manifest path such as {@code /workspace/a.txt}. */
    private static List<String> elements(String sandboxPath) {
        if (sandboxPath == null || !sandboxPath.startsWith("/") || sandboxPath.equals("/")) {
            throw new SandboxInvalidInputException("its name is not an absolute path below /");
        }
        return ContainedPaths.elements(sandboxPath.substring(1), ContainedPaths.backslashIsData());
    }

    private void refuse(String path, String reason) {
        onRefused.accept(new Refused(ContainedPaths.printable(path), reason));
    }

    private void download(FileManifest.Entry entry, Path target) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), ".sbx-restore-", "");
        BlobId id = BlobId.of(store.bucket(), SessionStateStore.sandboxPrefix(sandboxId) + entry.blob());
        try {
            store.retryPolicy().run("downloading " + id.getName(), RetryPolicy.Idempotency.IDEMPOTENT, () -> {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    store.storage().downloadTo(id, new BoundedOutput(out, entry.size()));
                } catch (StorageException e) {
                    // the client wraps what the stream threw; a content too long is not a failure to retry
                    if (e.getCause() instanceof SandboxInvalidInputException tooLong) {
                        throw tooLong;
                    }
                    throw e;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long got = Files.size(tmp);
            if (got != entry.size()) {
                throw new SandboxInvalidInputException("its content object holds " + got + " bytes, not the " + entry.size() + " its entry says");
            }
            Files.setPosixFilePermissions(tmp, permissions(entry.mode()));
            Files.setLastModifiedTime(tmp, FileTime.fromMillis(entry.mtimeMillis()));
            // rename(2) replaces a link at the target itself; it never writes through it
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Stops a content longer than its manifest entry says before it fills the disk. */
    private static final class BoundedOutput extends java.io.FilterOutputStream {
        private final long limit;
        private long written;

        BoundedOutput(OutputStream out, long limit) {
            super(out);
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            written += len;
            if (written > limit) {
                throw new SandboxInvalidInputException("its content object is longer than the " + limit + " bytes its entry says");
            }
            out.write(b, off, len);
        }
    }

    /** A content to send: the file at {@code path}, as the object {@code blob} of the sandbox. */
    private record Upload(String path, String blob, long size) {
    }

    /**
     * Sends the contents side by side, at most {@link #PARALLEL_UPLOADS} at once: each is a Storage round trip, and a
     * command that wrote several files would otherwise wait for them one after another. All have ended when this
     * returns; the first failure is thrown, the others added to it.
     *
     * @return the bytes sent
     */
    private long uploadAll(List<Upload> uploads) {
        if (uploads.size() <= 1) {
            return uploads.isEmpty() ? 0 : upload(uploads.get(0));
        }
        List<java.util.concurrent.Future<Long>> sent = new ArrayList<>();
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(PARALLEL_UPLOADS);
        for (Upload u : uploads) {
            slots.acquireUninterruptibly();
            sent.add(UPLOADS.submit(() -> {
                try {
                    return upload(u);
                } finally {
                    slots.release();
                }
            }));
        }
        long bytes = 0;
        RuntimeException failure = null;
        for (java.util.concurrent.Future<Long> f : sent) {
            try {
                bytes += getUninterruptibly(f);
            } catch (java.util.concurrent.ExecutionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException r ? r
                        : new SandboxException("saving the sandbox's files failed: " + e.getCause(), e.getCause());
                if (failure == null) {
                    failure = cause;
                } else if (failure != cause) {
                    failure.addSuppressed(cause);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return bytes;
    }

    private static <T> T getUninterruptibly(java.util.concurrent.Future<T> f) throws java.util.concurrent.ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** @return the bytes sent: 0 when the content was there already or the file went since the scan */
    private long upload(Upload u) {
        BlobInfo info = BlobInfo.newBuilder(BlobId.of(store.bucket(), SessionStateStore.sandboxPrefix(sandboxId) + u.blob())).build();
        try {
            // doesNotExist makes the upload idempotent (the client may retry it); 412 means the content is there.
            store.storage().createFrom(info, local(u.path()), Storage.BlobWriteOption.doesNotExist(), Storage.BlobWriteOption.disableGzipContent());
            return u.size();
        } catch (StorageException e) {
            if (e.getCode() != 412) {
                throw new SandboxUnavailableException("uploading " + u.path() + " to bucket " + store.bucket() + " failed: " + e.getMessage(), e);
            }
            return 0;
        } catch (NoSuchFileException e) {
            // Deleted since the scan; the next push records that.
            return 0;
        } catch (IOException e) {
            throw new SandboxException("could not read " + u.path() + " to save it: " + e.getMessage(), e);
        }
    }

    private static Set<String> blobs(FileManifest m) {
        Set<String> out = new HashSet<>();
        m.entries().values().forEach(e -> {
            if (e.blob() != null) {
                out.add(e.blob());
            }
        });
        return out;
    }

    private Path local(String sandboxPath) {
        return sandboxPath.equals("/") ? fsRoot : fsRoot.resolve(sandboxPath.substring(1));
    }

    private String sandboxPath(Path local) {
        Path rel = fsRoot.relativize(local);
        return "/" + rel.toString();
    }

    private static void deleteTree(Path p) {
        try {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                try (var children = Files.list(p)) {
                    for (Path c : (Iterable<Path>) children::iterator) {
                        deleteTree(c);
                    }
                }
            }
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new SandboxException("cannot remove " + p + ": " + e.getMessage(), e);
        }
    }

    private static int mode(Path p) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int mode = 0;
        for (PosixFilePermission perm : a.permissions()) {
            mode |= 1 << (8 - perm.ordinal());
        }
        return mode;
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values();
        for (int i = 0; i < 9; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                out.add(all[i]);
            }
        }
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
