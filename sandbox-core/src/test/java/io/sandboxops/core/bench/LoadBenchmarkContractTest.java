package io.sandboxops.core.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxSpec;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The load benchmarks ({@link LoadBenchmark}) at their short settings, the same checks on every backend: a subclass
 * says which backend and what "left behind" means there. Only what they got right is asserted (no failure, every
 * session's own state, matching hashes, nothing left behind); how fast is for docs/PERFORMANCE.md, never a test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class LoadBenchmarkContractTest {
    /** Labels this run's sandboxes, so that the sweep and the checks find only them. */
    protected final String run = UUID.randomUUID().toString();
    protected SandboxBackend backend;
    protected LoadBenchmark bench;

    /** Opens the backend under test; closed after the last test. */
    protected abstract SandboxBackend openBackend();

    /** Called after the backend closed, for what it stood on (an emulator, say). */
    protected void afterClose() {
    }

    /** What the backend still runs after a benchmark destroyed its sandbox (executions, say); none by default. */
    protected List<String> leftRunning() {
        return List.of();
    }

    @BeforeAll
    void open() {
        backend = openBackend();
        bench = new LoadBenchmark(backend, SandboxSpec.newBuilder().label("test-run", run).build());
    }

    @AfterAll
    void sweep() {
        if (backend != null) {
            backend.list().stream().filter(s -> run.equals(s.labels().get("test-run"))).forEach(s -> backend.get(s.id()).destroy());
            backend.close();
        }
        afterClose();
    }

    @Test
    void concurrentSessionsRunEveryCommandWithoutAFailure() {
        LoadBenchmark.ConcurrentReport r = bench.concurrent(LoadBenchmark.ConcurrentSettings.SHORT, LoadBenchmark.Progress.NONE);

        assertThat(r.problems()).isEmpty();
        assertThat(r.failures()).isZero();
        assertThat(r.backend()).isEqualTo(backend.name());
        assertThat(r.commands()).isGreaterThanOrEqualTo(r.sessions());
        assertThat(r.latency().samples()).isEqualTo(r.commands());
        assertThat(r.latency().p99Ms()).isGreaterThanOrEqualTo(r.latency().p50Ms());
        assertThat(leftRunning()).as("left running after the benchmark destroyed its sandbox").isEmpty();
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
        assertThat(leftRunning()).as("left running after the benchmark destroyed its sandbox").isEmpty();
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
        assertThat(backend.list()).noneMatch(x -> run.equals(x.labels().get("test-run")));
    }
}
