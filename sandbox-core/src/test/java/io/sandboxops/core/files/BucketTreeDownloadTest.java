package io.sandboxops.core.files;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.sandboxops.core.testing.LocalStateBucket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxTooLargeException;
import io.sandboxops.core.api.TransferProgress;
import io.sandboxops.core.state.FileManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, attack 3 on Cloud Run: another session rewrote this sandbox's manifest. Whatever it holds (a link and
 * a file "under" it, {@code ..}, absolute names, more entries than a download takes), a directory download
 * through the real Google Storage client writes nothing outside its target.
 */
class BucketTreeDownloadTest {
    private static final AtomicInteger SANDBOXES = new AtomicInteger();
    @RegisterExtension
    static final LocalStateBucket state = new LocalStateBucket();

    @TempDir
    Path local;
    private Path target;
    private String sandbox;

    @BeforeEach
    void newSandbox() {
        sandbox = "sbx-download-" + SANDBOXES.incrementAndGet();
        target = local.resolve("download");
    }

    @Test
    void aForgedLinkAndAFileUnderItWriteNothingOutside() throws IOException {
        TreeMap<String, FileManifest.Entry> e = LocalStateBucket.workspaceTree();
        e.put("/workspace/a", LocalStateBucket.link("."));
        // "a/.." reads as the target itself; on disk it is the target's parent.
        e.put("/workspace/d", LocalStateBucket.link("a/.."));
        e.put("/workspace/d/escaped.txt", state.storedFile(sandbox, "escaped.txt", "written outside"));
        state.writeManifest(sandbox, e, 0);

        Throwable outcome = catchDownload();

        if (outcome != null) {
            assertThat(outcome).isInstanceOf(SandboxInvalidInputException.class);
        }
        assertOnlyTheTargetIsIn(local);
        assertNothingResolvesOutside(target);
    }

    @Test
    void dotDotAndAbsoluteNamesAreRefusedAndWriteNothingOutside() throws IOException {
        for (String name : List.of("/workspace/../escaped.txt", "/workspace/sub/../../../escaped.txt", "/workspace/" + local.resolve("abs.txt"),
                "/workspace/./dot.txt", "/workspace/nul\0.txt")) {
            newSandbox();
            TreeMap<String, FileManifest.Entry> e = LocalStateBucket.workspaceTree();
            e.put("/workspace/ok.txt", state.storedFile(sandbox, "ok.txt", "fine"));
            e.put(name, state.storedFile(sandbox, "bad", "written outside"));
            state.writeManifest(sandbox, e, 0);
            assertThatThrownBy(() -> new BucketFileStore(state.store(), sandbox).downloadTree("/workspace", target, Sandbox.MAX_TRANSFER_BYTES,
                    TransferProgress.NONE)).as(name).isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("refused");
            assertOnlyTheTargetIsIn(local);
        }
    }

    @Test
    void moreEntriesThanADownloadTakesAreRefusedBeforeAnythingIsWritten() {
        TreeMap<String, FileManifest.Entry> e = LocalStateBucket.workspaceTree();
        for (int i = 0; i <= LocalTreeWriter.MAX_ENTRIES; i++) {
            e.put("/workspace/d" + i, FileManifest.Entry.directory(0755, 0));
        }
        state.writeManifest(sandbox, e, 0);
        assertThatThrownBy(() -> new BucketFileStore(state.store(), sandbox).downloadTree("/workspace", target, Sandbox.MAX_TRANSFER_BYTES,
                TransferProgress.NONE)).isInstanceOf(SandboxTooLargeException.class).hasMessageContaining("entries");
        assertThat(target).satisfiesAnyOf(t -> assertThat(t).doesNotExist(), t -> assertThat(t).isEmptyDirectory());
    }

    @Test
    void aContentLongerThanItsEntryIsRefused() {
        TreeMap<String, FileManifest.Entry> e = LocalStateBucket.workspaceTree();
        FileManifest.Entry small = state.storedFile(sandbox, "big", "x".repeat(10_000));
        e.put("/workspace/small.txt", new FileManifest.Entry(FileEntry.Type.FILE, 0644, 10, 0, null, small.blob(), null));
        state.writeManifest(sandbox, e, 0);
        assertThatThrownBy(() -> new BucketFileStore(state.store(), sandbox).downloadTree("/workspace", target, Sandbox.MAX_TRANSFER_BYTES,
                TransferProgress.NONE)).isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("small.txt");
        assertThat(target.resolve("small.txt")).doesNotExist();
    }

    private Throwable catchDownload() {
        try {
            new BucketFileStore(state.store(), sandbox).downloadTree("/workspace", target, Sandbox.MAX_TRANSFER_BYTES, TransferProgress.NONE);
            return null;
        } catch (SandboxException e) {
            return e;
        }
    }





    private void assertOnlyTheTargetIsIn(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            assertThat(children.map(p -> p.getFileName().toString()).toList()).isSubsetOf("download");
        }
    }

    private static void assertNothingResolvesOutside(Path target) throws IOException {
        if (!Files.exists(target)) {
            return;
        }
        Path root = target.toRealPath();
        try (Stream<Path> all = Files.walk(target)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isSymbolicLink(p) && Files.exists(p)) {
                    assertThat(p.toRealPath()).as(p + " -> " + Files.readSymbolicLink(p)).startsWith(root);
                }
            }
        }
    }
}
