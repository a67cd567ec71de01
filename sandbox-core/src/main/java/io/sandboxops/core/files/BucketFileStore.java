package io.sandboxops.core.files;

import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.api.TransferProgress;
import io.sandboxops.core.state.FileManifest;
import io.sandboxops.core.state.SessionStateStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The files of a Cloud Run sandbox as they are in its bucket: {@code manifest.json} for the tree, one object per
 * file content under {@code fs/} (DESIGN §5). File operations use it directly, with no container started; an
 * executor restores the tree when it starts and syncs its changes back, so both see the same files.
 *
 * <p>Only the persisted roots ({@code /workspace}, {@code /tmp}, …) live in the bucket. Above them are bare
 * directories nobody may write; everything else does not exist as far as this store knows, and cannot be
 * created (that is the "permission denied" a sandbox user gets for {@code /etc/passwd}). Everything under a root
 * belongs to the sandbox user, so its mode bits alone decide access.
 *
 * <p>Every manifest change is a read-modify-write with {@code ifGenerationMatch}, so it merges with an
 * executor syncing at the same time. Thread-safe.
 */
public final class BucketFileStore implements FileStore {
    private static final int MAX_LINK_HOPS = 40;
    private static final int CHUNK = 256 * 1024;

    private final SessionStateStore store;
    private final String sandboxId;

    public BucketFileStore(SessionStateStore store, String sandboxId) {
        this.store = store;
        this.sandboxId = sandboxId;
    }

    @Override
    public FileStat stat(String path) {
        FileManifest m = manifest();
        String parentResolved = resolve(m, SandboxPaths.parent(path), 0);
        String here = path.equals("/") ? "/" : (parentResolved.equals("/") ? "" : parentResolved) + "/" + SandboxPaths.name(path);
        FileManifest.Entry own = m.entries().get(here);
        if (own == null) {
            if (isAboveRoot(m, here)) {
                return new FileStat(true, FileEntry.Type.DIRECTORY, 4096, 0755, Instant.EPOCH, true, false, here);
            }
            if (m.rootOf(here).isEmpty()) {
                return FileStat.missingElsewhere("outside the directories this sandbox keeps in its bucket " + m.roots()
                        + "; files anywhere else live only inside one execution, where file operations do not reach");
            }
            return FileStat.missing(creatable(m, here));
        }
        String resolved = resolve(m, here, 0);
        FileManifest.Entry e = m.entries().get(resolved);
        if (e == null) {
            // a link that points nowhere
            return new FileStat(true, FileEntry.Type.SYMLINK, own.size(), own.mode(), Instant.ofEpochMilli(own.mtimeMillis()), false, false, resolved);
        }
        boolean writable = (e.mode() & 0200) != 0 && m.rootOf(resolved).isPresent();
        return new FileStat(true, e.type(), e.size(), e.mode(), Instant.ofEpochMilli(e.mtimeMillis()), (e.mode() & 0400) != 0, writable, resolved);
    }

    @Override
    public void read(String path, OutputStream out, TransferProgress progress) {
        FileManifest.Entry e = requireFile(manifest(), path);
        BlobId blob = BlobId.of(store.bucket(), SessionStateStore.sandboxPrefix(sandboxId) + e.blob());
        long done = 0;
        try (ReadChannel reader = store.storage().reader(blob)) {
            reader.setChunkSize(2 * 1024 * 1024);
            ByteBuffer buf = ByteBuffer.allocate(CHUNK);
            while (reader.read(buf) >= 0) {
                buf.flip();
                out.write(buf.array(), 0, buf.limit());
                done += buf.limit();
                buf.clear();
                progress.onProgress(done, e.size());
            }
        } catch (StorageException e2) {
            throw new SandboxUnavailableException("reading " + path + " from bucket " + store.bucket() + " failed: " + e2.getMessage(), e2);
        } catch (IOException e2) {
            throw new SandboxException("reading " + path + " failed: " + e2.getMessage(), e2);
        }
    }

    @Override
    public void write(String path, InputStream in, long size, int mode, TransferProgress progress) {
        String blob = "fs/u-" + UUID.randomUUID();
        BlobInfo info = BlobInfo.newBuilder(BlobId.of(store.bucket(), SessionStateStore.sandboxPrefix(sandboxId) + blob)).build();
        MessageDigest sha = sha256();
        long done = 0;
        WriteChannel writer = store.storage().writer(info, Storage.BlobWriteOption.doesNotExist(), Storage.BlobWriteOption.disableGzipContent());
        try {
            byte[] buf = new byte[CHUNK];
            while (done < size) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, size - done));
                if (n < 0) {
                    // The writer is not closed, so the upload is never finalized and no object appears.
                    throw new SandboxInvalidInputException("the content of " + path + " ended after " + done + " of the announced "
                            + size + " bytes; nothing was written");
                }
                sha.update(buf, 0, n);
                writer.write(ByteBuffer.wrap(buf, 0, n));
                done += n;
                progress.onProgress(done, size);
            }
            writer.close();
        } catch (StorageException e) {
            throw new SandboxUnavailableException("uploading " + path + " to bucket " + store.bucket() + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SandboxException("uploading " + path + " failed: " + e.getMessage(), e);
        }
        if (size == 0) {
            progress.onProgress(0, 0);
        }
        FileManifest.Entry entry = new FileManifest.Entry(FileEntry.Type.FILE, mode & 07777, size, System.currentTimeMillis(),
                HexFormat.of().formatHex(sha.digest()), blob, null);
        change(entries -> {
            requireParentDirectory(entries, path);
            entries.put(path, entry);
        });
    }

    @Override
    public void rename(String from, String to) {
        change(entries -> {
            if (!entries.containsKey(from)) {
                throw new SandboxNotFoundException("no such file or directory: " + from);
            }
            requireParentDirectory(entries, to);
            Map<String, FileManifest.Entry> moving = new TreeMap<>(under(entries, from));
            moving.put(from, entries.get(from));
            removeTree(entries, to);
            for (Map.Entry<String, FileManifest.Entry> e : moving.entrySet()) {
                entries.remove(e.getKey());
                entries.put(to + e.getKey().substring(from.length()), e.getValue());
            }
        });
    }

    @Override
    public List<FileEntry> list(String dir) {
        FileManifest m = manifest();
        List<FileEntry> out = new ArrayList<>();
        m.children(dir).forEach((p, e) -> out.add(entry(p, e)));
        if (out.isEmpty() && !m.entries().containsKey(dir)) {
            // a directory above the roots: its children are the roots (or directories leading to them)
            Set<String> names = new HashSet<>();
            String prefix = dir.equals("/") ? "/" : dir + "/";
            for (String root : m.roots()) {
                if (root.startsWith(prefix)) {
                    String name = root.substring(prefix.length()).split("/")[0];
                    if (names.add(name)) {
                        String p = prefix + name;
                        FileManifest.Entry e = m.entries().getOrDefault(p, FileManifest.Entry.directory(0755, 0));
                        out.add(entry(p, e));
                    }
                }
            }
        }
        return out;
    }

    @Override
    public List<String> walk(String dir, int maxDepth) {
        FileManifest m = manifest();
        String prefix = dir.equals("/") ? "/" : dir + "/";
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, FileManifest.Entry> e : m.entries().entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                continue;
            }
            String rel = e.getKey().substring(prefix.length());
            long depth = rel.chars().filter(ch -> ch == '/').count() + 1;
            if (depth > maxDepth || e.getValue().type() != FileEntry.Type.DIRECTORY) {
                out.add(rel);
            }
        }
        return out;
    }

    @Override
    public void delete(String path) {
        change(entries -> {
            if (!entries.containsKey(path)) {
                throw new SandboxNotFoundException("no such file or directory: " + path);
            }
            if (manifest().roots().contains(path)) {
                throw new SandboxInvalidInputException(path + " is a persisted root of the sandbox; delete what is inside it instead");
            }
            removeTree(entries, path);
        });
    }

    @Override
    public long downloadTree(String dir, Path localTarget, long maxBytes, TransferProgress progress) {
        SortedMap<String, FileManifest.Entry> tree = manifest().under(dir);
        LocalTreeWriter writer = new LocalTreeWriter(dir, localTarget, maxBytes, progress);
        writer.requireAtMost(tree.size());
        return writer.write(new ManifestTreeSource(dir, tree));
    }

    /**
     * The manifest's entries under a directory, contents read from their objects. The manifest is only as
     * trustworthy as whoever wrote it last, so the names and links are the writer's to judge.
     */
    private final class ManifestTreeSource implements TreeSource {
        private final int prefixLength;
        private final Iterator<Map.Entry<String, FileManifest.Entry>> entries;
        private FileManifest.Entry current;

        ManifestTreeSource(String dir, SortedMap<String, FileManifest.Entry> tree) {
            this.prefixLength = dir.equals("/") ? 1 : dir.length() + 1;
            this.entries = tree.entrySet().iterator();
        }

        @Override
        public TreeEntry next() {
            if (!entries.hasNext()) {
                return null;
            }
            Map.Entry<String, FileManifest.Entry> e = entries.next();
            current = e.getValue();
            String name = e.getKey().substring(prefixLength);
            return switch (current.type()) {
                case FILE -> new TreeEntry(name, TreeEntry.Kind.FILE, null, current.size());
                case DIRECTORY -> new TreeEntry(name, TreeEntry.Kind.DIRECTORY, null, 0);
                case SYMLINK -> new TreeEntry(name, TreeEntry.Kind.SYMLINK, current.target() == null ? "" : current.target(), 0);
                default -> new TreeEntry(name, TreeEntry.Kind.OTHER, null, 0);
            };
        }

        @Override
        public InputStream content() {
            if (current.blob() == null) {
                throw new SandboxInvalidInputException("its manifest entry names no content object");
            }
            ReadChannel reader = store.storage().reader(BlobId.of(store.bucket(), SessionStateStore.sandboxPrefix(sandboxId) + current.blob()));
            reader.setChunkSize(2 * 1024 * 1024);
            return Channels.newInputStream(reader);
        }

        @Override
        public void close() {
        }
    }

    // ---- the manifest ------------------------------------------------------------------------------------

    private FileManifest manifest() {
        return store.readManifest(sandboxId).value();
    }

    private interface Change {
        void apply(TreeMap<String, FileManifest.Entry> entries);
    }

    /** Changes the manifest (retrying on a concurrent writer), then removes contents nothing refers to any more. */
    private void change(Change change) {
        Set<String> before = new HashSet<>();
        SessionStateStore.Versioned<FileManifest> written = store.update(SessionStateStore.manifestObject(sandboxId), FileManifest.class, current -> {
            FileManifest m = current.orElseThrow(() -> new SandboxNotFoundException("sandbox " + sandboxId + " has no files any more; it was destroyed"));
            before.clear();
            m.entries().values().forEach(e -> {
                if (e.blob() != null) {
                    before.add(e.blob());
                }
            });
            TreeMap<String, FileManifest.Entry> entries = m.mutableEntries();
            change.apply(entries);
            return m.withEntries(entries);
        });
        written.value().entries().values().forEach(e -> before.remove(e.blob()));
        for (String orphan : before) {
            try {
                store.delete(SessionStateStore.sandboxPrefix(sandboxId) + orphan);
            } catch (RuntimeException e) {
                // An unreferenced content object costs storage, not correctness; destroying the sandbox removes it.
            }
        }
    }

    private static Map<String, FileManifest.Entry> under(TreeMap<String, FileManifest.Entry> entries, String dir) {
        String prefix = dir + "/";
        return entries.subMap(prefix, prefix + Character.MAX_VALUE);
    }

    private static void removeTree(TreeMap<String, FileManifest.Entry> entries, String path) {
        under(entries, path).clear();
        entries.remove(path);
    }

    private void requireParentDirectory(TreeMap<String, FileManifest.Entry> entries, String path) {
        FileManifest m = new FileManifest(1, manifestRoots(), entries);
        if (m.rootOf(path).isEmpty() || m.roots().contains(path)) {
            throw new SandboxException("permission denied: " + path + " is outside the sandbox's persisted directories " + m.roots());
        }
        // Parents are created as needed, as `mkdir -p` would.
        long now = System.currentTimeMillis();
        for (String p = SandboxPaths.parent(path); m.rootOf(p).isPresent() && !m.roots().contains(p); p = SandboxPaths.parent(p)) {
            FileManifest.Entry e = entries.get(p);
            if (e == null) {
                entries.put(p, FileManifest.Entry.directory(0755, now));
            } else if (e.type() != FileEntry.Type.DIRECTORY) {
                throw new SandboxInvalidInputException("cannot create " + path + ": " + p + " is not a directory");
            }
        }
    }

    private List<String> rootsCache;

    private synchronized List<String> manifestRoots() {
        if (rootsCache == null) {
            rootsCache = manifest().roots();
        }
        return rootsCache;
    }

    private static FileManifest.Entry requireFile(FileManifest m, String path) {
        FileManifest.Entry e = m.entries().get(path);
        if (e == null) {
            throw new SandboxNotFoundException("no such file or directory: " + path);
        }
        if (e.type() != FileEntry.Type.FILE) {
            throw new SandboxInvalidInputException(path + " is not a regular file");
        }
        return e;
    }

    /** {@code path} with every link in it followed (within the manifest). */
    private static String resolve(FileManifest m, String path, int hops) {
        if (path.equals("/")) {
            return path;
        }
        if (hops > MAX_LINK_HOPS) {
            throw new SandboxInvalidInputException("too many levels of symbolic links at " + path);
        }
        String parent = resolve(m, SandboxPaths.parent(path), hops);
        String here = (parent.equals("/") ? "" : parent) + "/" + SandboxPaths.name(path);
        FileManifest.Entry e = m.entries().get(here);
        if (e != null && e.type() == FileEntry.Type.SYMLINK) {
            String target = e.target().startsWith("/") ? e.target() : (parent.equals("/") ? "" : parent) + "/" + e.target();
            return resolve(m, SandboxPaths.resolve("/", target), hops + 1);
        }
        return here;
    }

    private static boolean isAboveRoot(FileManifest m, String path) {
        String prefix = path.equals("/") ? "/" : path + "/";
        return m.roots().stream().anyMatch(r -> r.startsWith(prefix));
    }

    private static boolean creatable(FileManifest m, String path) {
        if (m.rootOf(path).isEmpty()) {
            return false;
        }
        for (String p = SandboxPaths.parent(path); ; p = SandboxPaths.parent(p)) {
            Optional<FileManifest.Entry> e = m.get(p);
            if (e.isPresent()) {
                return e.get().type() == FileEntry.Type.DIRECTORY && (e.get().mode() & 0200) != 0;
            }
            if (p.equals("/")) {
                return false;
            }
        }
    }

    private static FileEntry entry(String path, FileManifest.Entry e) {
        return new FileEntry(SandboxPaths.name(path), path, e.type(), e.type() == FileEntry.Type.SYMLINK ? e.target().length() : e.size(),
                e.mode() & 07777, Instant.ofEpochMilli(e.mtimeMillis()));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
