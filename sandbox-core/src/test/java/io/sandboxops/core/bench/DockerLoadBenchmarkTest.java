package io.sandboxops.core.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.docker.DockerSandboxBackend;
import io.sandboxops.core.testing.RequiresDocker;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load benchmarks at their short settings on a real Docker engine. Only what they got right is asserted
 * (no failure, every session's own state, matching hashes); how fast is for docs/PERFORMANCE.md, never a test.
 */
@RequiresDocker
class DockerLoadBenchmarkTest {
    private static final String RUN = UUID.randomUUID().toString();
    private static DockerSandboxBackend backend;
    private static LoadBenchmark bench;

    @BeforeAll
    static void connect() {
        backend = DockerSandboxBackend.fromEnvironment();
        bench = new LoadBenchmark(backend, SandboxSpec.newBuilder().label("test-run", RUN).build());
    }

    @AfterAll
    static void sweep() {
        if (backend != null) {
            backend.list().stream().filter(s -> RUN.equals(s.labels().get("test-run"))).forEach(s -> backend.get(s.id()).destroy());
            backend.close();
        }
    }

    @Test
    void concurrentSessionsRunEveryCommandWithoutAFailure() {
        LoadBenchmark.ConcurrentReport r = bench.concurrent(LoadBenchmark.ConcurrentSettings.SHORT, LoadBenchmark.Progress.NONE);

        assertThat(r.problems()).isEmpty();
        assertThat(r.failures()).isZero();
        assertThat(r.commands()).isGreaterThanOrEqualTo(r.sessions());
        assertThat(r.latency().samples()).isEqualTo(r.commands());
        assertThat(r.latency().p99Ms()).isGreaterThanOrEqualTo(r.latency().p50Ms());
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
    }

    /** Each open shell holds one engine connection; with a pool of 64 the 65th session waited forever. */
    @Test
    @Timeout(value = 150, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void moreSessionsThanTheEnginesOldConnectionPoolAllRunAndKeepTheirState() {
        LoadBenchmark.SessionReport r = bench.sessions(new LoadBenchmark.SessionSettings(70, 2), 8, LoadBenchmark.Progress.NONE);

        assertThat(r.problems()).isEmpty();
        assertThat(r.sessionsVerified()).isEqualTo(70);
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

    @Test
    void settingsOutOfRangeAreRefusedWithTheirName() {
        assertThatThrownBy(() -> new LoadBenchmark.ConcurrentSettings(0, Duration.ofSeconds(1)))
                .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("sessions");
        assertThatThrownBy(() -> new LoadBenchmark.ConcurrentSettings(1, Duration.ZERO)).hasMessageContaining("duration");
        assertThatThrownBy(() -> new LoadBenchmark.SessionSettings(5, 1)).hasMessageContaining("commands");
        assertThatThrownBy(() -> new LoadBenchmark.FileSettings(1, 600_000_000L)).hasMessageContaining("500 MB");
    }
}
