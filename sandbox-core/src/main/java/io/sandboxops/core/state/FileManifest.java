package io.sandboxops.core.state;

import io.sandboxops.core.api.FileEntry;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What {@code sessions/{sandbox}/manifest.json} holds: every file, directory and link under the persisted roots,
 * by absolute path. File contents are objects under {@code fs/}, named in {@link Entry#blob}; the manifest is
 * what makes them a tree (modes, links, empty directories) and what a sync compares against. Immutable.
 *
 * @param schemaVersion {@link ShellState#SCHEMA_VERSION}
 * @param roots         the persisted roots, e.g. {@code /workspace}, {@code /tmp}
 * @param entries       path → entry, the roots themselves included
 */
public record FileManifest(int schemaVersion, List<String> roots, SortedMap<String, Entry> entries) {

    /**
     * @param type        what is there (links not followed)
     * @param mode        permission bits, e.g. {@code 0644} (as an int)
     * @param size        bytes of a file; 0 otherwise
     * @param mtimeMillis last modification
     * @param sha256      hex digest of a file's content; null otherwise
     * @param blob        the object under {@code sessions/{sandbox}/} holding a file's content; null otherwise
     * @param target      a link's target as written; null otherwise
     */
    public record Entry(FileEntry.Type type, int mode, long size, long mtimeMillis, String sha256, String blob, String target) {
        public static Entry directory(int mode, long mtimeMillis) {
            return new Entry(FileEntry.Type.DIRECTORY, mode, 0, mtimeMillis, null, null, null);
        }

        /** Whether a sync must rewrite the local copy to match {@code other}. */
        public boolean sameContent(Entry other) {
            return other != null && type == other.type && mode == other.mode && java.util.Objects.equals(sha256, other.sha256)
                    && java.util.Objects.equals(target, other.target);
        }
    }

    public FileManifest {
        roots = List.copyOf(roots);
        entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
    }

    /** A manifest holding just the roots, as empty directories ({@code /tmp} sticky and world-writable). */
    public static FileManifest empty(List<String> roots, long nowMillis) {
        SortedMap<String, Entry> e = new TreeMap<>();
        for (String r : roots) {
            e.put(r, Entry.directory(r.equals("/tmp") ? 01777 : 0755, nowMillis));
        }
        return new FileManifest(ShellState.SCHEMA_VERSION, roots, e);
    }

    public Optional<Entry> get(String path) {
        return Optional.ofNullable(entries.get(path));
    }

    /** The root {@code path} lies in, if any. */
    public Optional<String> rootOf(String path) {
        return roots.stream().filter(r -> path.equals(r) || path.startsWith(r + "/")).findFirst();
    }

    /** The entries directly inside {@code dir}. */
    public Map<String, Entry> children(String dir) {
        String prefix = dir.equals("/") ? "/" : dir + "/";
        Map<String, Entry> out = new TreeMap<>();
        for (Map.Entry<String, Entry> e : entries.tailMap(prefix).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            if (e.getKey().indexOf('/', prefix.length()) < 0) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** Every entry under {@code dir} (not {@code dir} itself). */
    public SortedMap<String, Entry> under(String dir) {
        String prefix = dir.equals("/") ? "/" : dir + "/";
        SortedMap<String, Entry> out = new TreeMap<>();
        for (Map.Entry<String, Entry> e : entries.tailMap(prefix).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    public FileManifest withEntries(SortedMap<String, Entry> newEntries) {
        return new FileManifest(schemaVersion, roots, newEntries);
    }

    /** A mutable copy of the entries, to build the next manifest from. */
    public TreeMap<String, Entry> mutableEntries() {
        return new TreeMap<>(entries);
    }
}
