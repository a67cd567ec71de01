package io.sandboxops.executor;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import io.sandboxops.core.cloudrun.MailboxKey;
import io.sandboxops.core.cloudrun.StorageToken;
import io.sandboxops.core.cloudrun.WorkerProtocol;
import io.sandboxops.core.state.FileManifest;
import io.sandboxops.core.state.RetryPolicy;
import io.sandboxops.core.state.SessionStateStore;
import io.sandboxops.emulator.faults.FaultRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new sandbox's worker saves the files its image put in the persisted roots when it starts ({@link Worker#saveStartingFiles}),
 * beside the first command. The first command's answer waits for that save only when the command changed a file: its own
 * save then holds the image's files and its change, both in the bucket before the answer. A command that changed nothing
 * is answered at once (that save, were it lost, is made again from the same image by the next worker). The worker runs
 * in this process against the emulator's Storage; the image's uploads are held with injected latency.
 */
class WorkerStartingFilesTest {
    @RegisterExtension
    static final ProcessRunnerCloud localCloud = new ProcessRunnerCloud();
    private static final Duration HELD = Duration.ofSeconds(8); // far above a first command's own time, on a loaded machine too
    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path root;
    private CloudRunJobsSandboxBackend backend;
    private Sandbox sandbox;
    private SessionStateStore store;
    private Worker worker;

    @BeforeEach
    void aNewSandboxWhoseImageHasAHome() throws IOException {
        backend = localCloud.harness().backend(Map.of("SANDBOX_MODE", "session"));
        sandbox = backend.create(SandboxSpec.newBuilder().build());
        store = new SessionStateStore(localCloud.harness().clients.storage(), LocalCloudHarness.BUCKET, RetryPolicy.defaults());
        Path home = Files.createDirectories(root.resolve("fs/home/sandbox"));
        Files.writeString(home.resolve(".profile"), "# the image's profile\n");
        Files.writeString(home.resolve(".bashrc"), "# the image's bashrc\n");
        ExecutorConfig config = ExecutorConfig.parse(Map.of(
                "EXECUTION_ID", "worker-starting-files-test",
                "SESSION_ID", sandbox.id(),
                "SANDBOX_STATE_BUCKET", LocalCloudHarness.BUCKET,
                "GCP_PROJECT_ID", "local-project",
                StorageToken.ENV_TOKEN, "unused: the store is given",
                MailboxKey.ENV, MailboxKey.generate().toBase64(),
                "SANDBOX_FS_ROOT", root.resolve("fs").toString(),
                "SANDBOX_SCRATCH_DIR", root.resolve("scratch").toString()), List.of());
        worker = new Worker(config, store, new JsonLog(System.out, config.executionId(), sandbox.id()));
        worker.restore(store.readManifest(sandbox.id()));
        assertThat(savedFiles()).as("a new sandbox's manifest").isEmpty();
    }

    @AfterEach
    void close() {
        localCloud.harness().cloud.faults().clear();
        if (worker != null) {
            worker.close();
        }
        sandbox.destroy();
        backend.close();
    }

    @Test
    void aFirstCommandThatChangesNoFileIsAnsweredWithoutWaitingForTheImagesFiles() throws Exception {
        holdTheImagesUploads();

        ExecResult r = firstCommand("true");

        assertThat(r.exitCode()).isZero();
        assertThat(savedFiles()).as("the image's files, still uploading when the command was answered").isEmpty();
        assertThat(store.readShell(sandbox.id(), "main")).as("the command's own state is saved before its answer").isPresent();
        long deadline = System.nanoTime() + HELD.multipliedBy(4).toNanos();
        while (savedFiles().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(savedFiles()).as("the image's files, once their save ended").containsExactlyInAnyOrder("/home/sandbox/.profile", "/home/sandbox/.bashrc");
    }

    @Test
    void aFirstCommandThatChangesAFileIsAnsweredOnceTheImagesFilesAndItsChangeAreSaved() throws Exception {
        holdTheImagesUploads();

        // In this process the shell sees the host's paths: the file goes under the worker's file-system root by its full path.
        ExecResult r = firstCommand("echo made > " + root.resolve("fs/workspace/made.txt"));

        assertThat(r.exitCode()).isZero();
        assertThat(savedFiles()).as("everything in the bucket when the command is answered")
                .containsExactlyInAnyOrder("/home/sandbox/.profile", "/home/sandbox/.bashrc", "/workspace/made.txt");
    }

    /** A pooled worker's first request: it came with the claim, so the files restored after it hold everything (no pull). */
    private ExecResult firstCommand(String command) {
        WorkerProtocol.Request request = WorkerProtocol.Request.of(WorkerProtocol.Op.EXEC, "main").withCommand(command, T);
        return worker.handle(request, CompletableFuture.completedFuture(null)).orThrow().exec().toResult();
    }

    /** Saves the image's files with both uploads held for {@link #HELD}, and returns once both are held. */
    private void holdTheImagesUploads() throws InterruptedException {
        var faults = localCloud.harness().cloud.faults();
        faults.add(FaultRule.forMethod("storage.objects.insert").latency(HELD).times(2).build());
        worker.saveStartingFiles();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (faults.rulesInForce() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(faults.rulesInForce()).as("both uploads of the image's files are held").isZero();
    }

    private Set<String> savedFiles() {
        FileManifest m = store.readManifest(sandbox.id()).value();
        return m.entries().entrySet().stream().filter(e -> e.getValue().type() == FileEntry.Type.FILE).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }
}
