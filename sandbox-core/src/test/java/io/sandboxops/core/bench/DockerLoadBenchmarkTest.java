package io.sandboxops.core.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.docker.DockerSandboxBackend;
import io.sandboxops.core.testing.RequiresDocker;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load benchmarks' contract ({@link LoadBenchmarkContractTest}) on a real Docker engine, and what only Docker needs:
 * more open sessions than the engine client's old connection pool, and the settings' bounds.
 */
@RequiresDocker
class DockerLoadBenchmarkTest extends LoadBenchmarkContractTest {

    @Override
    protected SandboxBackend openBackend() {
        return DockerSandboxBackend.fromEnvironment();
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
    void settingsOutOfRangeAreRefusedWithTheirName() {
        assertThatThrownBy(() -> new LoadBenchmark.ConcurrentSettings(0, Duration.ofSeconds(1)))
                .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("sessions");
        assertThatThrownBy(() -> new LoadBenchmark.ConcurrentSettings(1, Duration.ZERO)).hasMessageContaining("duration");
        assertThatThrownBy(() -> new LoadBenchmark.SessionSettings(5, 1)).hasMessageContaining("commands");
        assertThatThrownBy(() -> new LoadBenchmark.FileSettings(1, 600_000_000L)).hasMessageContaining("500 MB");
    }
}
