package io.sandboxops.executor;

import com.google.cloud.run.v2.Execution;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.bench.LoadBenchmarkContractTest;
import io.sandboxops.core.cloudrun.CloudRunJobManager;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The load benchmarks' contract ({@link LoadBenchmarkContractTest}) on the Cloud Run Jobs backend in session mode,
 * against the embedded emulator running the executor as local processes; nothing may be left running.
 */
@RequiresPrivateNamespaces
class CloudRunLoadBenchmarkTest extends LoadBenchmarkContractTest {
    private LocalCloudHarness harness;
    private CloudRunJobsSandboxBackend cloudRun;

    @Override
    protected SandboxBackend openBackend() {
        harness = LocalCloudHarness.withProcessRunner();
        cloudRun = harness.backend(Map.of("SANDBOX_MODE", "session", "SANDBOX_IDLE_TIMEOUT", "30s"));
        return cloudRun;
    }

    @Override
    protected List<String> leftRunning() {
        return cloudRun.jobs().runningExecutions().stream().map(Execution::getName).map(CloudRunJobManager::shortName).toList();
    }

    @Override
    protected void afterClose() {
        if (harness != null) {
            harness.close();
        }
    }

    /** What the executors logged, in the report of a failed test. */
    @RegisterExtension
    final TestWatcher logsOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            System.out.println("---- execution logs ----\n" + harness.executionLogs());
        }
    };
}
