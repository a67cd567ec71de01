package io.sandboxops.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.run.v2.Execution;
import io.grpc.Status;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.cloudrun.CloudRunJobManager;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import io.sandboxops.emulator.faults.FaultRule;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Cloud Run backend under the emulator's injected faults (issue 4, "Tests"): transient errors on the APIs it
 * polls and on Cloud Storage are absorbed by retries, and an executor that dies mid-command is a clear failure
 * that loses nothing the earlier commands did and leaves no execution running.
 */
@RequiresPrivateNamespaces
class CloudRunJobsSandboxFaultTest {
    private static final Duration T = Duration.ofSeconds(60);
    private static final String S = "main";
    private static final List<String> STORAGE_METHODS = List.of("storage.objects.get", "storage.objects.insert", "storage.objects.list",
            "storage.objects.delete");

    private static LocalCloudHarness harness;

    @BeforeAll
    static void start() {
        harness = LocalCloudHarness.withProcessRunner();
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    /** What the executors logged, in the report of a failed test: the only view into a crash's timing. */
    @RegisterExtension
    final TestWatcher logsOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            System.out.println("---- execution logs ----\n" + harness.executionLogs());
        }
    };

    @AfterEach
    void clearFaults() {
        harness.cloud.faults().clear();
    }

    private static CloudRunJobsSandboxBackend backend(String mode) {
        return harness.backend(Map.of("SANDBOX_MODE", mode, "SANDBOX_IDLE_TIMEOUT", "30s"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"once", "session"})
    void everyCommandSucceedsDespiteUnavailableExecutionReadsAndStorage503s(String mode) {
        harness.cloud.faults().add(FaultRule.forMethod("google.cloud.run.v2.Executions/GetExecution")
                .failWith(Status.Code.UNAVAILABLE).probability(0.2).build());
        for (String method : STORAGE_METHODS) {
            harness.cloud.faults().add(FaultRule.forMethod(method).failWith(Status.Code.UNAVAILABLE).probability(0.1).build());
        }
        try (CloudRunJobsSandboxBackend backend = backend(mode)) {
            Sandbox sandbox = backend.create(SandboxSpec.newBuilder().build());
            try {
                int commands = mode.equals("once") ? 6 : 25;
                for (int i = 0; i < commands; i++) {
                    ExecResult r = sandbox.execStateful("echo " + i + " >> /workspace/log; export N=" + i + "; echo $N", S, T);
                    assertThat(r.exitCode()).as("command %d", i).isZero();
                    assertThat(r.stdout()).isEqualTo(i + "\n");
                }
                assertThat(sandbox.fileRead("/workspace/log", LineRange.all()).lines().toList()).hasSize(commands);
            } finally {
                sandbox.destroy();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"once", "session"})
    void anExecutorCrashingMidCommandIsAClearFailureThatKeepsTheLastGoodState(String mode) {
        try (CloudRunJobsSandboxBackend backend = backend(mode)) {
            Sandbox sandbox = backend.create(SandboxSpec.newBuilder().build());
            try {
                // In session mode the crash is armed for the worker that the first command starts: it has done that
                // command well before the crash and dies in the second; in once mode each command is an attempt.
                if (mode.equals("session")) {
                    harness.cloud.faults().crashNextTaskAttempts(1, Duration.ofSeconds(15));
                }
                assertThat(sandbox.execStateful("mkdir -p /workspace/d && cd /workspace/d && export KEPT=yes && echo good > f", S, T).exitCode())
                        .isZero();
                if (mode.equals("once")) {
                    harness.cloud.faults().crashNextTaskAttempts(1, Duration.ofSeconds(6));
                }

                assertThatThrownBy(() -> sandbox.execStateful("cd /; export KEPT=no; echo lost > /workspace/d/f; sleep 120", S, T))
                        .isInstanceOf(SandboxUnavailableException.class)
                        .hasMessageContaining("crashed")
                        .hasMessageContaining("last completed command");
                assertThat(notDone(backend)).as("executions left running after the crash").isEmpty();

                ExecResult after = sandbox.execStateful("pwd; echo $KEPT; cat f", S, T);
                assertThat(after.stdout()).isEqualTo("/workspace/d\nyes\ngood\n");
                assertThat(sandbox.fileRead("/workspace/d/f", LineRange.all())).isEqualTo("good\n");
            } finally {
                sandbox.destroy();
            }
            assertThat(notDone(backend)).as("executions left running after destroy").isEmpty();
        }
    }

    private static List<String> notDone(CloudRunJobsSandboxBackend backend) {
        return backend.jobs().runningExecutions().stream().map(Execution::getName).map(CloudRunJobManager::shortName).toList();
    }
}
