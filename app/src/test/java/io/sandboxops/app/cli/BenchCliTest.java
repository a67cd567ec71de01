package io.sandboxops.app.cli;

import static io.sandboxops.app.cli.CliRun.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxops.core.testing.RequiresDocker;
import org.junit.jupiter.api.Test;

/** {@code sandboxctl bench concurrent | sessions | files}, at tiny settings: the JSON they print and their errors. */
@RequiresDocker
class BenchCliTest {

    @Test
    void concurrentPrintsLatencyPercentilesAndNoFailures() throws Exception {
        CliRun r = ctl("bench", "concurrent", "--short", "--sessions", "2", "--duration", "2", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("benchmark").asText()).isEqualTo("concurrent");
        assertThat(j.get("sessions").asInt()).isEqualTo(2);
        assertThat(j.get("failures").asLong()).isZero();
        assertThat(j.get("commands").asLong()).isPositive();
        assertThat(j.get("latency_ms").get("p99").asDouble()).isGreaterThanOrEqualTo(j.get("latency_ms").get("p50").asDouble());
    }

    @Test
    void sessionsVerifiesEverySessionsOwnState() throws Exception {
        CliRun r = ctl("bench", "sessions", "--sessions", "3", "--commands", "4", "--parallel", "3", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("sessions_verified").asInt()).isEqualTo(3);
        assertThat(j.get("isolation_violations").asInt()).isZero();
        assertThat(j.get("failures").asLong()).isZero();
    }

    @Test
    void filesComeBackWithMatchingHashesAndTheHeapIsReported() throws Exception {
        CliRun r = ctl("bench", "files", "--files", "2", "--size", "300000", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("sha256_mismatches").asInt()).isZero();
        assertThat(j.get("bytes_down").asLong()).isEqualTo(600_000L);
        assertThat(j.get("heap_used_after_bytes").asLong()).isPositive();
    }

    @Test
    void badSettingsAreClearErrorsWithoutAStackTrace() {
        CliRun tooBig = ctl("bench", "files", "--files", "1", "--size", "1000000000");
        assertThat(tooBig.status()).isEqualTo(SandboxCtl.EXIT_FAILED);
        assertThat(tooBig.err()).contains("500 MB").doesNotContain("Exception").doesNotContain("\tat ");

        CliRun words = ctl("bench", "concurrent", "--sessions", "ten");
        assertThat(words.status()).isEqualTo(SandboxCtl.EXIT_USAGE);
        assertThat(words.err()).contains("--sessions").doesNotContain("\tat ");

        CliRun none = ctl("bench", "sessions", "--sessions", "0", "--commands", "2");
        assertThat(none.status()).isEqualTo(SandboxCtl.EXIT_FAILED);
        assertThat(none.err()).contains("sessions must be from 1");
    }
}
