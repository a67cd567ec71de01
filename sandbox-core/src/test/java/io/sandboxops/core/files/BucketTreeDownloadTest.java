package io.sandboxops.core.files;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.sandboxops.core.testing.LocalStateBucket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxTooLargeException;
import io.sandboxops.core.api.TransferProgress;
import io.sandboxops.core.state.FileManifest;
import io.sandboxops.core.state.SessionStateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
        TreeMap<String, FileManifest.Entry> e = tree();
        e.put("/workspace/a", link("."));
        // "a/.." reads as the target itself; on disk it is the target's parent.
        e.put("/workspace/d", link("a/.."));
        e.put("/workspace/d/escaped.txt", file("escaped.txt", "written outside"));
        forge(e);

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
            TreeMap<String, FileManifest.Entry> e = tree();
            e.put("/workspace/ok.txt", file("ok.txt", "fine"));
            e.put(name, file("bad", "written outside"));
            forge(e);
            assertThatThrownBy(() -> new BucketFileStore(state.store(), sandbox).downloadTree("/workspace", target, Sandbox.MAX_TRANSFER_BYTES,
                    TransferProgress.NONE)).as(name).isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("refused");
            assertOnlyTheTargetIsIn(local);
        }
    }

    @Test
    void moreEntriesThanADownloadTakesAreRefusedBeforeAnythingIsWritten() {
        TreeMap<String, FileManifest.Entry> e = tree();
        for (int i = 0; i <= LocalTreeWriter.MAX_ENTRIES; i++) {
            e.put("/workspace/d" + i, FileManifest.Entry.directory(0755, 0));
        }
        forge(e);
        assertThatThrownBy(() -> new BucketFileStore(state.store(), sandbox).downloadTree("/workspace", target, Sandbox.MAX_TRANSFER_BYTES,
                TransferProgress.NONE)).isInstanceOf(SandboxTooLargeException.class).hasMessageContaining("entries");
        assertThat(target).satisfiesAnyOf(t -> assertThat(t).doesNotExist(), t -> assertThat(t).isEmptyDirectory());
    }

    @Test
    void aContentLongerThanItsEntryIsRefused() {
        TreeMap<String, FileManifest.Entry> e = tree();
        FileManifest.Entry small = file("big", "x".repeat(10_000));
        e.put("/workspace/small.txt", new FileManifest.Entry(FileEntry.Type.FILE, 0644, 10, 0, null, small.blob(), null));
        forge(e);
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

    private static TreeMap<String, FileManifest.Entry> tree() {
        TreeMap<String, FileManifest.Entry> e = new TreeMap<>();
        e.put("/workspace", FileManifest.Entry.directory(0755, 0));
        return e;
    }

    private void forge(TreeMap<String, FileManifest.Entry> entries) {
        state.store().write(SessionStateStore.manifestObject(sandbox), new FileManifest(1, List.of("/workspace"), entries), 0);
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
