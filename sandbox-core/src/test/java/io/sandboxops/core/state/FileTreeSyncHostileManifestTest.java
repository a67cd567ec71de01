package io.sandboxops.core.state;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.sandboxops.core.testing.LocalStateBucket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.SandboxTooLargeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, attack 3 on the restore: a manifest rewritten by someone else (entries with {@code ..}, absolute names,
 * NUL, a link with files "under" it) is what an executor restores when it starts, on the host with the process
 * runner. Nothing lands, and nothing is deleted, outside the sandbox's persisted roots; the valid rest restores.
 */
class FileTreeSyncHostileManifestTest {
    private static final AtomicInteger SANDBOXES = new AtomicInteger();
    @RegisterExtension
    static final LocalStateBucket state = new LocalStateBucket();

    @TempDir
    Path local;
    private Path fsRoot;
    private Path outside;
    private String sandbox;
    private final List<FileTreeSync.Refused> refused = new ArrayList<>();

    @BeforeEach
    void newSandbox() throws IOException {
        sandbox = "sbx-hostile-" + SANDBOXES.incrementAndGet();
        fsRoot = Files.createDirectories(local.resolve("root"));
        outside = Files.createDirectories(local.resolve("outside"));
        Files.writeString(outside.resolve("precious.txt"), "the operator's");
    }

    private FileTreeSync sync() {
        return new FileTreeSync(state.store(), sandbox, fsRoot, p -> false, refused::add);
    }

    @Test
    void dotDotAbsoluteAndNulEntriesAreRefusedAndTheRestRestores() throws IOException {
        TreeMap<String, FileManifest.Entry> e = tree();
        e.put("/workspace/ok.txt", file("ok", "fine"));
        e.put("/workspace/../../escaped.txt", file("a", "written outside"));
        e.put("/workspace/sub/../../../escaped-too.txt", file("b", "written outside"));
        e.put("/" + outside.resolve("absolute.txt"), file("c", "written outside"));
        e.put("/workspace/nul\0.txt", file("d", "a NUL in a name"));
        long generation = forge(e, 0);

        sync().restore();

        assertThat(Files.readString(fsRoot.resolve("workspace/ok.txt"))).isEqualTo("fine");
        assertNothingOutsideChanged();
        assertThat(generation).isPositive();
        assertThat(refused).as("each refused entry is reported").hasSize(4)
                .anySatisfy(r -> assertThat(r.reason()).contains("\"..\""))
                .anySatisfy(r -> assertThat(r.path()).isEqualTo("/workspace/nul\\u0000.txt"));
    }

    @Test
    void aContentLongerThanItsEntryIsSkippedAndReported() throws IOException {
        TreeMap<String, FileManifest.Entry> e = tree();
        FileManifest.Entry big = file("big", "x".repeat(100_000));
        e.put("/workspace/small.txt", new FileManifest.Entry(FileEntry.Type.FILE, 0644, 10, 0, null, big.blob(), null));
        e.put("/workspace/ok.txt", file("ok", "fine"));
        forge(e, 0);

        sync().restore();

        assertThat(fsRoot.resolve("workspace/small.txt")).doesNotExist();
        assertThat(Files.readString(fsRoot.resolve("workspace/ok.txt"))).isEqualTo("fine");
        assertThat(refused).singleElement().satisfies(r -> assertThat(r.reason()).contains("longer"));
        try (Stream<Path> all = Files.list(fsRoot.resolve("workspace"))) {
            assertThat(all.map(p -> p.getFileName().toString()).toList()).as("no temporary file left").containsExactly("ok.txt");
        }
    }

    @Test
    void aLinkIsRestoredButNeverWrittenThrough() throws IOException {
        TreeMap<String, FileManifest.Entry> e = tree();
        e.put("/workspace/l", link(outside.toString()));
        e.put("/workspace/l/through-absolute.txt", file("a", "written outside"));
        e.put("/workspace/m", link("../.."));
        e.put("/workspace/m/outside/through-relative.txt", file("b", "written outside"));
        e.put("/workspace/n", link("."));
        e.put("/workspace/n/through-dot.txt", file("c", "written through a link"));
        e.put("/workspace/ok.txt", file("ok", "fine"));
        forge(e, 0);

        sync().restore();

        assertThat(Files.readSymbolicLink(fsRoot.resolve("workspace/l"))).isEqualTo(outside);
        assertThat(Files.readString(fsRoot.resolve("workspace/ok.txt"))).isEqualTo("fine");
        assertThat(fsRoot.resolve("workspace/through-dot.txt")).doesNotExist();
        assertNothingOutsideChanged();
        assertThat(refused).extracting(FileTreeSync.Refused::reason).hasSize(3).allSatisfy(r -> assertThat(r).contains("link"));
    }

    @Test
    void aPullNeverDeletesOutsideThroughALinkOrDotDot() throws IOException {
        TreeMap<String, FileManifest.Entry> e = tree();
        e.put("/workspace/l", link(outside.toString()));
        e.put("/workspace/l/precious.txt", file("a", "forged"));
        e.put("/workspace/../../outside/precious.txt", file("b", "forged"));
        long generation = forge(e, 0);
        FileTreeSync sync = sync();
        sync.restore();

        TreeMap<String, FileManifest.Entry> next = tree();
        next.put("/workspace/l", link(outside.toString()));
        forge(next, generation);
        assertThat(sync.pull()).isTrue();

        assertNothingOutsideChanged();
    }

    @Test
    void aForgedRootIsNeitherCreatedNorReadByAPush() throws IOException {
        TreeMap<String, FileManifest.Entry> e = tree();
        e.put("/workspace/ok.txt", file("ok", "fine"));
        state.store().write(SessionStateStore.manifestObject(sandbox), new FileManifest(1, List.of("/workspace", "/../outside", "/workspace/../.."), e), 0);
        FileTreeSync sync = sync();
        sync.restore();
        Files.writeString(fsRoot.resolve("workspace/new.txt"), "pushed");

        sync.push();

        FileManifest pushed = state.store().readManifest(sandbox).value();
        assertThat(pushed.entries()).containsKey("/workspace/new.txt").allSatisfy((path, entry) -> assertThat(path).doesNotContain(".."));
        assertThat(refused).extracting(FileTreeSync.Refused::path).containsExactlyInAnyOrder("/../outside", "/workspace/../..");
        assertNothingOutsideChanged();
    }

    @Test
    void moreEntriesThanTheCapRefuseTheRestoreBeforeAnythingIsWritten() {
        TreeMap<String, FileManifest.Entry> e = tree();
        for (int i = 0; i < 20; i++) {
            e.put("/workspace/d" + i, FileManifest.Entry.directory(0755, 0));
        }
        forge(e, 0);
        assertThatThrownBy(() -> new FileTreeSync(state.store(), sandbox, fsRoot, p -> false, refused::add, 10).restore())
                .isInstanceOf(SandboxTooLargeException.class).hasMessageContaining("entries");
        assertThat(fsRoot).isEmptyDirectory();
    }

    private void assertNothingOutsideChanged() throws IOException {
        try (Stream<Path> all = Files.list(local)) {
            assertThat(all.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder("root", "outside");
        }
        try (Stream<Path> all = Files.list(outside)) {
            assertThat(all.map(p -> p.getFileName().toString()).toList()).containsExactly("precious.txt");
        }
        assertThat(Files.readString(outside.resolve("precious.txt"))).isEqualTo("the operator's");
        try (Stream<Path> all = Files.list(fsRoot)) {
            assertThat(all.map(p -> p.getFileName().toString()).toList()).as("only the persisted root").containsExactly("workspace");
        }
    }

    private static TreeMap<String, FileManifest.Entry> tree() {
        TreeMap<String, FileManifest.Entry> e = new TreeMap<>();
        e.put("/workspace", FileManifest.Entry.directory(0755, 0));
        return e;
    }

    private long forge(TreeMap<String, FileManifest.Entry> entries, long generation) {
        return state.store().write(SessionStateStore.manifestObject(sandbox), new FileManifest(1, List.of("/workspace"), entries), generation);
    }

    private FileManifest.Entry file(String blobName, String content) {
        String blob = "fs/" + blobName;
        state.clients().storage().create(BlobInfo.newBuilder(BlobId.of("state", SessionStateStore.sandboxPrefix(sandbox) + blob)).build(),
                content.getBytes(StandardCharsets.UTF_8));
        return new FileManifest.Entry(FileEntry.Type.FILE, 0644, content.length(), 0, null, blob, null);
    }

    private static FileManifest.Entry link(String target) {
        return new FileManifest.Entry(FileEntry.Type.SYMLINK, 0777, 0, 0, null, null, target);
    }
}
