package io.sandboxops.core.state;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.sandboxops.core.testing.LocalStateBucket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.emulator.faults.FaultRule;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileTreeSync} between two local trees (two executors of one sandbox, one after the other) through the
 * emulator's Cloud Storage: what one pushes, the other restores or pulls, with modes, symlinks and empty
 * directories kept, and only changed contents sent.
 */
class FileTreeSyncTest {
    private static final AtomicInteger SANDBOXES = new AtomicInteger();
    @RegisterExtension
    static final LocalStateBucket state = new LocalStateBucket();

    @TempDir
    Path first;
    @TempDir
    Path second;
    private String sandbox;

    @BeforeEach
    void newSandbox() {
        sandbox = "sbx-sync-" + SANDBOXES.incrementAndGet();
        state.store().write(SessionStateStore.manifestObject(sandbox), FileManifest.empty(List.of("/workspace"), 0), 0);
    }

    private FileTreeSync sync(Path root) {
        return new FileTreeSync(state.store(), sandbox, root, p -> p.startsWith("/workspace/.scratch"), refused -> {
            throw new AssertionError("a manifest a push wrote has nothing to refuse: " + refused);
        });
    }

    @Test
    void modesSymlinksAndEmptyDirectoriesSurviveARestoreElsewhere() throws IOException {
        FileTreeSync a = sync(first);
        a.restore();
        Path ws = first.resolve("workspace");
        write(ws.resolve("src/run.sh"), "#!/bin/sh\necho hi\n", "rwxr-x---");
        write(ws.resolve("src/secret.txt"), "s", "rw-------");
        Files.createDirectories(ws.resolve("empty/nested-empty"));
        Files.setPosixFilePermissions(ws.resolve("empty"), PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(ws.resolve("link"), Path.of("src/run.sh"));
        Files.createSymbolicLink(ws.resolve("dangling"), Path.of("/nowhere/at/all"));
        FileTreeSync.PushResult pushed = a.push();
        assertThat(pushed.manifestWritten()).isTrue();
        assertThat(pushed.filesUploaded()).isEqualTo(2);

        FileTreeSync b = sync(second);
        b.restore();
        Path restored = second.resolve("workspace");
        assertThat(Files.readString(restored.resolve("src/run.sh"))).isEqualTo("#!/bin/sh\necho hi\n");
        assertThat(mode(restored.resolve("src/run.sh"))).isEqualTo("rwxr-x---");
        assertThat(mode(restored.resolve("src/secret.txt"))).isEqualTo("rw-------");
        assertThat(restored.resolve("empty/nested-empty")).isEmptyDirectory();
        assertThat(mode(restored.resolve("empty"))).isEqualTo("rwx------");
        assertThat(Files.readSymbolicLink(restored.resolve("link"))).isEqualTo(Path.of("src/run.sh"));
        assertThat(Files.readSymbolicLink(restored.resolve("dangling"))).isEqualTo(Path.of("/nowhere/at/all"));
        assertThat(Files.getLastModifiedTime(restored.resolve("src/run.sh")).toMillis())
                .isEqualTo(Files.getLastModifiedTime(ws.resolve("src/run.sh")).toMillis());
    }

    @Test
    void onlyWhatChangedIsUploaded() throws IOException {
        FileTreeSync a = sync(first);
        a.restore();
        Path ws = first.resolve("workspace");
        write(ws.resolve("big.bin"), "x".repeat(100_000), "rw-r--r--");
        write(ws.resolve("small.txt"), "one", "rw-r--r--");
        assertThat(a.push().filesUploaded()).isEqualTo(2);

        FileTreeSync.PushResult nothing = a.push();
        assertThat(nothing.manifestWritten()).as("an unchanged tree writes nothing").isFalse();
        assertThat(nothing.filesUploaded()).isZero();

        write(ws.resolve("small.txt"), "two", "rw-r--r--");
        FileTreeSync.PushResult one = a.push();
        assertThat(one.filesUploaded()).isEqualTo(1);
        assertThat(one.bytesUploaded()).isEqualTo(3);

        write(ws.resolve("copy-of-big.bin"), "x".repeat(100_000), "rw-r--r--");
        FileTreeSync.PushResult copy = a.push();
        assertThat(copy.manifestWritten()).isTrue();
        assertThat(copy.filesUploaded()).as("a content the bucket has is referenced, not sent again").isZero();

        Files.setPosixFilePermissions(ws.resolve("small.txt"), PosixFilePermissions.fromString("rwxr--r--"));
        FileTreeSync.PushResult chmod = a.push();
        assertThat(chmod.manifestWritten()).as("a mode change is a change").isTrue();
        assertThat(chmod.filesUploaded()).isZero();
    }

    /**
     * A push sends its contents side by side, a few at a time: more than go at once all arrive, each counted once; one
     * that fails fails the push, naming the file, and leaves the bucket's manifest as it was for the next push to finish.
     */
    @Test
    void moreFilesThanAreSentAtOnceAllArriveAndAFailedOneFailsThePush() throws IOException {
        FileTreeSync a = sync(first);
        a.restore();
        Path ws = first.resolve("workspace");
        int n = FileTreeSync.PARALLEL_UPLOADS * 3 + 1;
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            write(ws.resolve("many/" + i + ".txt"), "content " + i, "rw-r--r--");
            bytes += ("content " + i).length();
        }
        FileTreeSync.PushResult pushed = a.push();
        assertThat(pushed.filesUploaded()).isEqualTo(n);
        assertThat(pushed.bytesUploaded()).isEqualTo(bytes);
        FileTreeSync b = sync(second);
        b.restore();
        for (int i = 0; i < n; i++) {
            assertThat(Files.readString(second.resolve("workspace/many/" + i + ".txt"))).isEqualTo("content " + i);
        }

        long before = state.store().manifestGeneration(sandbox);
        for (String name : List.of("a", "b", "c")) {
            write(ws.resolve("more/" + name + ".txt"), name + name, "rw-r--r--");
        }
        // Refused, as a token without the right would be: the client does not retry a 403.
        state.cloud().faults().add(FaultRule.forMethod("storage.objects.insert").failWith(Status.Code.PERMISSION_DENIED).times(1).build());
        assertThatThrownBy(a::push).isInstanceOf(SandboxUnavailableException.class).hasMessageContaining("uploading /workspace/more/");
        assertThat(state.store().manifestGeneration(sandbox)).as("no manifest names a content that is not there").isEqualTo(before);
        FileTreeSync.PushResult retried = a.push();
        assertThat(retried.manifestWritten()).isTrue();
        b.pull();
        assertThat(Files.readString(second.resolve("workspace/more/c.txt"))).isEqualTo("cc");
    }

    /** A save of the tree as scanned: what changes once the scan is done (a command starting) waits for the next push. */
    @Test
    void aSaveAsScannedLeavesOutWhatChangesAfterTheScan() throws IOException {
        FileTreeSync a = sync(first);
        a.restore();
        assertThat(a.holdsFiles()).as("a new sandbox").isFalse();
        Path ws = first.resolve("workspace");
        write(ws.resolve(".profile"), "from the image", "rw-r--r--");
        java.util.concurrent.atomic.AtomicReference<FileTreeSync.Snapshot> sent = new java.util.concurrent.atomic.AtomicReference<>();
        FileTreeSync.PushResult saved = a.pushAsScanned(tree -> {
            sent.set(tree);
            assertThat(a.snapshot().sameAs(tree)).as("nothing changed since the save's scan").isTrue();
            try {
                write(ws.resolve("written-by-a-command.txt"), "later", "rw-r--r--");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            assertThat(a.snapshot().sameAs(tree)).as("a file written since the save's scan").isFalse();
        });
        assertThat(saved.filesUploaded()).isEqualTo(1);
        assertThat(a.holdsFiles()).isTrue();
        FileTreeSync b = sync(second);
        b.restore();
        assertThat(Files.readString(second.resolve("workspace/.profile"))).isEqualTo("from the image");
        assertThat(second.resolve("workspace/written-by-a-command.txt")).doesNotExist();
        assertThat(a.push().filesUploaded()).isEqualTo(1);
        b.pull();
        assertThat(Files.readString(second.resolve("workspace/written-by-a-command.txt"))).isEqualTo("later");

        // Another writer came first: nothing is written, and the next push brings both together.
        write(second.resolve("workspace/elsewhere.txt"), "b's", "rw-r--r--");
        b.push();
        write(ws.resolve("mine.txt"), "a's", "rw-r--r--");
        assertThat(a.pushAsScanned(tree -> { }).manifestWritten()).isFalse();
        assertThat(a.push().manifestWritten()).isTrue();
        b.pull();
        assertThat(Files.readString(second.resolve("workspace/mine.txt"))).isEqualTo("a's");
        assertThat(Files.readString(first.resolve("workspace/elsewhere.txt"))).isEqualTo("b's");
    }

    @Test
    void pullBringsInChangesAndDeletionsMadeElsewhere() throws IOException {
        FileTreeSync a = sync(first);
        a.restore();
        write(first.resolve("workspace/keep.txt"), "keep", "rw-r--r--");
        write(first.resolve("workspace/gone/inner.txt"), "gone", "rw-r--r--");
        a.push();

        FileTreeSync b = sync(second);
        b.restore();
        assertThat(b.pull()).as("nothing changed since the restore").isFalse();
        deleteRecursively(second.resolve("workspace/gone"));
        write(second.resolve("workspace/new.txt"), "new", "rw-r--r--");
        b.push();

        assertThat(a.pull()).isTrue();
        assertThat(first.resolve("workspace/gone")).doesNotExist();
        assertThat(Files.readString(first.resolve("workspace/new.txt"))).isEqualTo("new");
        assertThat(Files.readString(first.resolve("workspace/keep.txt"))).isEqualTo("keep");
    }

    @Test
    void excludedPathsStayLocal() throws IOException {
        FileTreeSync a = sync(first);
        a.restore();
        write(first.resolve("workspace/.scratch/own.txt"), "executor's own", "rw-r--r--");
        write(first.resolve("workspace/shared.txt"), "shared", "rw-r--r--");
        a.push();

        FileManifest m = state.store().readManifest(sandbox).value();
        assertThat(m.entries()).containsKey("/workspace/shared.txt").doesNotContainKeys("/workspace/.scratch", "/workspace/.scratch/own.txt");
    }

    private static void write(Path file, String content, String mode) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (var children = Files.list(p)) {
                for (Path c : (Iterable<Path>) children::iterator) {
                    deleteRecursively(c);
                }
            }
        }
        Files.deleteIfExists(p);
    }
}
