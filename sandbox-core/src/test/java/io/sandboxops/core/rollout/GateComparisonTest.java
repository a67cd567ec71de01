package io.sandboxops.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.observe.MetricsService.OperationStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The comparison rules on figures made by hand; the emulator-backed workloads are in the executor's BaselineCanaryGateTest. */
class GateComparisonTest {
    private static final Gate.Baseline B = new Gate.Baseline(0.5, 0.5, 1.5, 20, 0.05);

    /** {@code n} exec latencies spread evenly from {@code from} ms by {@code step} ms, all ok. */
    private static OperationStats stats(String backend, int n, double from, double step, long errors) {
        List<Duration> latencies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            latencies.add(Duration.ofNanos((long) ((from + i * step) * 1e6)));
        }
        return new OperationStats(backend, n, n - errors, 0, errors, latencies, false);
    }

    private static Gate.Check named(List<Gate.Check> checks, String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aSlowerCanaryBreachesTheP99ComparisonWithItsPValue() {
        List<Gate.Check> checks = Gate.compare(B, stats("cloudrun", 30, 300, 10, 0), stats("docker", 30, 100, 5, 0));
        Gate.Check latency = named(checks, "latency p99 vs Docker");
        assertThat(latency.verdict()).as(latency.describe()).isEqualTo(Gate.Verdict.BREACH);
        assertThat(latency.pValue().getAsDouble()).isLessThan(1e-6);
        assertThat(latency.describe()).contains("n=30").contains("Mann-Whitney U").contains("p=");
        assertThat(named(checks, "error rate vs Docker").verdict()).isEqualTo(Gate.Verdict.PASS);
    }

    @Test
    void pastTheFactorButNotSignificantIsTooEarlyToTell() {
        // Identical bodies, one slow outlier on Cloud Run: its p99 (the max at n=20) is 10 × Docker's, the distributions are not apart.
        OperationStats docker = stats("docker", 20, 100, 1, 0);
        List<Duration> lat = new ArrayList<>(docker.execLatencies());
        lat.set(0, Duration.ofMillis(1200));
        OperationStats cloudrun = new OperationStats("cloudrun", 20, 20, 0, 0, lat, false);
        Gate.Check latency = named(Gate.compare(B, cloudrun, docker), "latency p99 vs Docker");
        assertThat(latency.verdict()).as(latency.describe()).isEqualTo(Gate.Verdict.INSUFFICIENT_DATA);
        assertThat(latency.detail()).contains("not significant").contains("more samples needed");
    }

    @Test
    void tooFewSamplesSayHowManyOfHowMany() {
        List<Gate.Check> checks = Gate.compare(B, stats("cloudrun", 3, 300, 10, 0), stats("docker", 40, 100, 5, 0));
        assertThat(checks).allSatisfy(c -> {
            assertThat(c.verdict()).isEqualTo(Gate.Verdict.INSUFFICIENT_DATA);
            assertThat(c.detail()).isEqualTo("too few samples: n=3 on Cloud Run and n=40 on Docker, of at least 20 each");
            assertThat(c.pValue()).isEmpty();
        });
    }

    @Test
    void anErrorRateAboveDockersBeyondTheMarginBreaches() {
        List<Gate.Check> checks = Gate.compare(B, stats("cloudrun", 400, 100, 0.1, 12), stats("docker", 500, 100, 0.1, 1));
        Gate.Check errors = named(checks, "error rate vs Docker");
        assertThat(errors.verdict()).as(errors.describe()).isEqualTo(Gate.Verdict.BREACH);
        assertThat(errors.value()).contains("3.00 %");
        assertThat(errors.baselineValue()).contains("0.20 %");
        Gate.Check success = named(checks, "success rate vs Docker");
        assertThat(success.verdict()).as(success.describe()).isEqualTo(Gate.Verdict.BREACH);
    }

    @Test
    void equalFiguresPass() {
        List<Gate.Check> checks = Gate.compare(B, stats("cloudrun", 30, 100, 5, 0), stats("docker", 30, 100, 5, 0));
        assertThat(checks).allSatisfy(c -> assertThat(c.verdict()).as(c.describe()).isEqualTo(Gate.Verdict.PASS));
    }

    @Test
    void thresholdsAreDataWithSaneBoundsAndOldGatesGetTheDefaults() {
        assertThat(new Gate(99.0, Duration.ofSeconds(15), 1.0, 100).baseline()).contains(Gate.Baseline.defaults());
        assertThat(Gate.originalPlan().withoutBaseline().baseline()).isEmpty();
        assertThat(Gate.originalPlan().describe()).contains("1.50 × Docker's").contains("α=0.05").contains("≤ 15.000 s");
        assertThatThrownBy(() -> new Gate.Baseline(0.5, 0.5, 0.9, 20, 0.05)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new Gate.Baseline(0.5, 0.5, 1.5, 3, 0.05)).hasMessageContaining("at least 8 samples");
        assertThatThrownBy(() -> new Gate.Baseline(0.5, 0.5, 1.5, 20, 1.0)).hasMessageContaining("alpha");
        assertThat(new Gate.Result(Gate.Verdict.INSUFFICIENT_DATA, List.of(), 4, 100).shortfalls())
                .containsExactly("too few samples: n=4 Cloud Run executions of at least 100");
        assertThat(new Gate.Check("error rate", Optional.of("3.00 %"), "≤ 1.00 %", true, 200).describe())
                .isEqualTo("error rate 3.00 % (gate ≤ 1.00 %, n=200) BREACHED");
    }
}
