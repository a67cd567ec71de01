package io.sandboxops.executor;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A file a command writes is there for the next command and for {@code fileRead}, in both modes, and still there
 * after the session worker idled out and a new one restored the sandbox (issue 4, "Tests").
 */
@RequiresPrivateNamespaces
class CloudRunJobsSandboxFilesTest {
    private static final Duration T = Duration.ofSeconds(60);
    private static final String S = "main";

    @RegisterExtension
    static final ProcessRunnerCloud localCloud = new ProcessRunnerCloud();

    @ParameterizedTest
    @ValueSource(strings = {"once", "session"})
    void aFileWrittenByACommandIsReadByTheNextCommandAndByFileRead(String mode) {
        try (CloudRunJobsSandboxBackend backend = localCloud.harness().backend(Map.of("SANDBOX_MODE", mode, "SANDBOX_IDLE_TIMEOUT", "30s"))) {
            Sandbox sandbox = backend.create(SandboxSpec.newBuilder().build());
            try {
                assertThat(sandbox.execStateful("mkdir -p /workspace/out && printf 'one\\ntwo\\n' > /workspace/out/a.txt", S, T).exitCode()).isZero();
                assertThat(sandbox.execStateful("cat /workspace/out/a.txt", S, T).stdout()).isEqualTo("one\ntwo\n");
                assertThat(sandbox.fileRead("/workspace/out/a.txt", LineRange.all())).isEqualTo("one\ntwo\n");

                sandbox.fileWrite("/workspace/out/b.txt", "from fileWrite", false, false, true);
                assertThat(sandbox.execStateful("cat /workspace/out/b.txt", S, T).stdout()).isEqualTo("from fileWrite\n");
            } finally {
                sandbox.destroy();
            }
        }
    }

    @Test
    void filesOutliveTheSessionWorkerThatWroteThem() {
        try (CloudRunJobsSandboxBackend backend = localCloud.harness().backend(Map.of("SANDBOX_MODE", "session", "SANDBOX_IDLE_TIMEOUT", "1s"))) {
            Sandbox sandbox = backend.create(SandboxSpec.newBuilder().build());
            try {
                assertThat(sandbox.execStateful("printf kept > /workspace/a.txt && ln -s a.txt /workspace/link && mkdir /workspace/empty",
                        S, T).exitCode()).isZero();
                awaitNoExecutionRunning(backend);

                assertThat(sandbox.fileRead("/workspace/a.txt", LineRange.all())).isEqualTo("kept");
                sandbox.fileWrite("/workspace/b.txt", "written with no worker", false, false, false);
                assertThat(sandbox.execStateful("cat /workspace/a.txt; echo; cat /workspace/link; echo; cat /workspace/b.txt; echo; "
                        + "test -d /workspace/empty && echo empty-dir-kept", S, T).stdout())
                        .isEqualTo("kept\nkept\nwritten with no worker\nempty-dir-kept\n");
            } finally {
                sandbox.destroy();
            }
        }
    }

    private static void awaitNoExecutionRunning(CloudRunJobsSandboxBackend backend) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!backend.jobs().runningExecutions().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the session worker did not idle out within 60 s: " + backend.jobs().runningExecutions());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
