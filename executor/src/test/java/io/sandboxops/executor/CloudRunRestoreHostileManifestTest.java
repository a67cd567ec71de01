package io.sandboxops.executor;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import io.sandboxops.core.state.FileManifest;
import io.sandboxops.core.state.RetryPolicy;
import io.sandboxops.core.state.SessionStateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12, attack 3 through the real executor: another session rewrote this sandbox's manifest (a link to a
 * directory of the host and a file "under" it, {@code ..}, an absolute name). The next execution restores it with
 * the process runner, on this machine as uid 1000: nothing lands in the host's directory, the session still runs
 * its command, and the executor's log names what it refused.
 */
@RequiresPrivateNamespaces
class CloudRunRestoreHostileManifestTest {
    private static final Duration T = Duration.ofSeconds(60);

    @RegisterExtension
    static final ProcessRunnerCloud localCloud = new ProcessRunnerCloud();

    @Test
    void aForgedManifestWritesNothingOnTheHostAndTheSessionGoesOn() throws IOException {
        // Outside /tmp, /workspace and /home/sandbox, which the executor's namespace replaces: the host's own disk.
        Path victim = Files.createDirectories(Path.of("target", "restore-victim-" + UUID.randomUUID()).toAbsolutePath());
        Files.writeString(victim.resolve("precious.txt"), "the operator's");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (CloudRunJobsSandboxBackend backend = localCloud.harness().backend(Map.of("SANDBOX_MODE", "once"))) {
            Sandbox sandbox = backend.create(SandboxSpec.newBuilder().build());
            try {
                assertThat(sandbox.execStateful("echo kept > /workspace/seed.txt", "main", T).exitCode()).isZero();

                SessionStateStore store = new SessionStateStore(localCloud.harness().clients.storage(), LocalCloudHarness.BUCKET, RetryPolicy.defaults());
                SessionStateStore.Versioned<FileManifest> m = store.readManifest(sandbox.id());
                TreeMap<String, FileManifest.Entry> e = m.value().mutableEntries();
                e.put("/workspace/l", new FileManifest.Entry(FileEntry.Type.SYMLINK, 0777, 0, 0, null, null, victim.toString()));
                e.put("/workspace/l/through-link.txt", planted(sandbox.id(), "a"));
                e.put("/workspace/.." + victim + "/climbed.txt", planted(sandbox.id(), "b"));
                e.put("/" + victim + "/absolute.txt", planted(sandbox.id(), "c"));
                store.write(SessionStateStore.manifestObject(sandbox.id()), m.value().withEntries(e), m.generation());

                ExecResult r = sandbox.execStateful("cat /workspace/seed.txt", "main", T);

                assertThat(r.stdout()).as(localCloud.harness().executionLogs()).isEqualTo("kept\n");
                try (Stream<Path> files = Files.list(victim)) {
                    assertThat(files.map(p -> p.getFileName().toString()).toList()).as(localCloud.harness().executionLogs()).containsExactly("precious.txt");
                }
                assertThat(localCloud.harness().executionLogs()).contains("restore-refused").contains("through-link.txt").contains("climbed.txt")
                        .contains("absolute.txt");
            } finally {
                sandbox.destroy();
            }
        } finally {
            try (Stream<Path> files = Files.list(victim)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.delete(p);
                }
            }
            Files.delete(victim);
        }
    }

    private static FileManifest.Entry planted(String sandboxId, String name) {
        String blob = "fs/planted-" + name;
        byte[] content = "planted by another session".getBytes(StandardCharsets.UTF_8);
        localCloud.harness().clients.storage().create(BlobInfo.newBuilder(BlobId.of(LocalCloudHarness.BUCKET,
                SessionStateStore.sandboxPrefix(sandboxId) + blob)).build(), content);
        return new FileManifest.Entry(FileEntry.Type.FILE, 0644, content.length, 0, null, blob, null);
    }
}
