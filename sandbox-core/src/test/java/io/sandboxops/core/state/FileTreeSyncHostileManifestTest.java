package io.sandboxops.core.state;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.sandboxops.core.testing.LocalStateBucket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.SandboxTooLargeException;
import java.io.IOException;
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
        TreeMap<String, FileManifest.Entry> e = LocalStateBucket.workspaceTree();
        e.put("/workspace/ok.txt", state.storedFile(sandbox, "ok", "fine"));
        e.put("/workspace/../../escaped.txt", state.storedFile(sandbox, "a", "written outside"));
        e.put("/workspace/sub/../../../escaped-too.txt", state.storedFile(sandbox, "b", "written outside"));
        e.put("/" + outside.resolve("absolute.txt"), state.storedFile(sandbox, "c", "written outside"));
        e.put("/workspace/nul\0.txt", state.storedFile(sandbox, "d", "a NUL in a name"));
        long generation = state.writeManifest(sandbox, e, 0);

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
        TreeMap<String, FileManifest.Entry> e = LocalStateBucket.workspaceTree();
        FileManifest.Entry big = state.storedFile(sandbox, "big", "x".repeat(100_000));
        e.put("/workspace/small.txt", new FileManifest.Entry(FileEntry.Type.FILE, 0644, 10, 0, null, big.blob(), null));
        e.put("/workspace/ok.txt", state.storedFile(sandbox, "ok", "fine"));
        state.writeManifest(sandbox, e, 0);

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
        TreeMap<String, FileManifest.Entry> e = LocalStateBucket.workspaceTree();
        e.put("/workspace/l", LocalStateBucket.link(outside.toString()));
        e.put("/workspace/l/through-absolute.txt", state.storedFile(sandbox, "a", "written outside"));
        e.put("/workspace/m", LocalStateBucket.link("../.."));
        e.put("/workspace/m/outside/through-relative.txt", state.storedFile(sandbox, "b", "written outside"));
        e.put("/workspace/n", LocalStateBucket.link("."));
        e.put("/workspace/n/through-dot.txt", state.storedFile(sandbox, "c", "written through a link"));
        e.put("/workspace/ok.txt", state.storedFile(sandbox, "ok", "fine"));
        state.writeManifest(sandbox, e, 0);

        sync().restore();

        assertThat(Files.readSymbolicLink(fsRoot.resolve("workspace/l"))).isEqualTo(outside);
        assertThat(Files.readString(fsRoot.resolve("workspace/ok.txt"))).isEqualTo("fine");
        assertThat(fsRoot.resolve("workspace/through-dot.txt")).doesNotExist();
        assertNothingOutsideChanged();
        assertThat(refused).extracting(FileTreeSync.Refused::reason).hasSize(3).allSatisfy(r -> assertThat(r).contains("link"));
    }

    @Test
    void aPullNeverDeletesOutsideThroughALinkOrDotDot() throws IOException {
        TreeMap<String, FileManifest.Entry> e = LocalStateBucket.workspaceTree();
        e.put("/workspace/l", LocalStateBucket.link(outside.toString()));
        e.put("/workspace/l/precious.txt", state.storedFile(sandbox, "a", "forged"));
        e.put("/workspace/../../outside/precious.txt", state.storedFile(sandbox, "b", "forged"));
        long generation = state.writeManifest(sandbox, e, 0);
        FileTreeSync sync = sync();
        sync.restore();

        TreeMap<String, FileManifest.Entry> next = LocalStateBucket.workspaceTree();
        next.put("/workspace/l", LocalStateBucket.link(outside.toString()));
        state.writeManifest(sandbox, next, generation);
        assertThat(sync.pull()).isTrue();

        assertNothingOutsideChanged();
    }

    @Test
    void aForgedRootIsNeitherCreatedNorReadByAPush() throws IOException {
        TreeMap<String, FileManifest.Entry> e = LocalStateBucket.workspaceTree();
        e.put("/workspace/ok.txt", state.storedFile(sandbox, "ok", "fine"));
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
        TreeMap<String, FileManifest.Entry> e = LocalStateBucket.workspaceTree();
        for (int i = 0; i < 20; i++) {
            e.put("/workspace/d" + i, FileManifest.Entry.directory(0755, 0));
        }
        state.writeManifest(sandbox, e, 0);
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




}
