package io.sandboxops.executor;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.run.v2.Execution;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.bench.LoadBenchmark;
import io.sandboxops.core.cloudrun.CloudRunJobManager;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The load benchmarks ({@link LoadBenchmark}) at their short settings on the Cloud Run Jobs backend in session mode,
 * against the embedded emulator running the executor as local processes. As for Docker
 * ({@code DockerLoadBenchmarkTest}), only what they got right is asserted (no failure, every session's own state,
 * matching hashes, no execution left running); how fast is for docs/PERFORMANCE.md, never a test.
 */
@RequiresPrivateNamespaces
class CloudRunLoadBenchmarkTest {
    private static final String RUN = UUID.randomUUID().toString();

    private static LocalCloudHarness harness;
    private static CloudRunJobsSandboxBackend backend;
    private static LoadBenchmark bench;

    @BeforeAll
    static void start() {
        harness = LocalCloudHarness.withProcessRunner();
        backend = harness.backend(Map.of("SANDBOX_MODE", "session", "SANDBOX_IDLE_TIMEOUT", "30s"));
        bench = new LoadBenchmark(backend, SandboxSpec.newBuilder().label("test-run", RUN).build());
    }

    @AfterAll
    static void stop() {
        if (backend != null) {
            backend.list().stream().filter(s -> RUN.equals(s.labels().get("test-run"))).forEach(s -> backend.get(s.id()).destroy());
            backend.close();
        }
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

    @Test
    void concurrentSessionsRunEveryCommandWithoutAFailure() {
        LoadBenchmark.ConcurrentReport r = bench.concurrent(LoadBenchmark.ConcurrentSettings.SHORT, LoadBenchmark.Progress.NONE);

        assertThat(r.problems()).isEmpty();
        assertThat(r.failures()).isZero();
        assertThat(r.backend()).isEqualTo(CloudRunJobsSandboxBackend.NAME);
        assertThat(r.commands()).isGreaterThanOrEqualTo(r.sessions());
        assertThat(r.latency().samples()).isEqualTo(r.commands());
        assertThat(notDone()).as("executions left running after the benchmark destroyed its sandbox").isEmpty();
    }

    @Test
    void everySessionEndsWithTheStateItsOwnCommandsLeftAndNoOneElses() {
        LoadBenchmark.SessionSettings s = LoadBenchmark.SessionSettings.SHORT;
        LoadBenchmark.SessionReport r = bench.sessions(s, 4, LoadBenchmark.Progress.NONE);

        assertThat(r.problems()).isEmpty();
        assertThat(r.failures()).isZero();
        assertThat(r.isolationViolations()).isZero();
        assertThat(r.sessionsVerified()).isEqualTo(s.sessions());
        assertThat(r.commands()).isEqualTo((long) s.sessions() * s.commands());
        assertThat(notDone()).as("executions left running after the benchmark destroyed its sandbox").isEmpty();
    }

    @Test
    void everyFileComesBackWithTheSameSha256() {
        LoadBenchmark.FileSettings s = LoadBenchmark.FileSettings.SHORT;
        LoadBenchmark.FileReport r = bench.files(s, LoadBenchmark.Progress.NONE);

        assertThat(r.problems()).isEmpty();
        assertThat(r.failures()).isZero();
        assertThat(r.hashMismatches()).isZero();
        assertThat(r.bytesUp()).isEqualTo(s.files() * s.sizeBytes());
        assertThat(r.bytesDown()).isEqualTo(r.bytesUp());
        assertThat(backend.list()).noneMatch(x -> RUN.equals(x.labels().get("test-run")));
    }

    private static List<String> notDone() {
        return backend.jobs().runningExecutions().stream().map(Execution::getName).map(CloudRunJobManager::shortName).toList();
    }
}
