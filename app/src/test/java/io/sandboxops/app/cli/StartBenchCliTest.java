package io.sandboxops.app.cli;

import static io.sandboxops.app.cli.CliRun.ctl;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxops.core.testing.RequiresDocker;
import org.junit.jupiter.api.Test;

/**
 * {@code sandboxctl bench start --backend docker} at its smallest: every figure beside its same-run reference with its
 * goal, and the exit status saying whether every goal was met (never whether the machine was fast).
 */
@RequiresDocker
class StartBenchCliTest {

    @Test
    void dockerFiguresComeWithTheirGoalsAndTheExitStatusSaysWhetherAllWereMet() throws Exception {
        CliRun r = ctl("bench", "start", "--backend", "docker", "--rounds", "3", "--json");
        assertThat(r.status()).as(r.err()).isIn(0, SandboxCtl.EXIT_FAILED);
        JsonNode j = r.json();
        assertThat(j.get("backend").asText()).isEqualTo("docker");
        assertThat(j.get("sources")).hasSize(1);
        JsonNode docker = j.get("sources").get(0);
        assertThat(docker.get("source").asText()).isEqualTo("docker");
        assertThat(docker.get("figures")).hasSizeGreaterThanOrEqualTo(2);
        int missed = 0;
        for (JsonNode f : docker.get("figures")) {
            assertThat(f.get("samples_ms")).as(f.toString()).hasSize(3);
            assertThat(f.get("median_ms").asDouble()).isPositive();
            assertThat(f.get("goal").asText()).startsWith("≤ ");
            assertThat(f.get("line").asText()).startsWith(f.get("what").asText()).contains("goal " + f.get("goal").asText());
            missed += f.get("met").asBoolean() ? 0 : 1;
        }
        JsonNode cold = docker.get("figures").get(0);
        assertThat(cold.get("reference").asText()).as("the cold create has its reference from the same run").isNotBlank();
        assertThat(cold.get("reference_samples_ms")).hasSize(3);
        assertThat(docker.get("notes").toString()).contains("profile of one cold create");
        assertThat(j.get("missed").asInt()).isEqualTo(missed);
        assertThat(r.status()).isEqualTo(missed == 0 ? 0 : SandboxCtl.EXIT_FAILED);
        if (missed > 0) {
            assertThat(r.err()).contains("sandboxctl: bench start: " + missed + " of " + j.get("goals").asInt() + " goals missed: ");
        }
    }

    /** A benchmark that cannot run is said, by name and why, and the run fails: no figure is made up for it. */
    @Test
    void aBackendThatCannotBeReachedIsNotMeasuredAndFailsTheRun(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home) throws Exception {
        String saved = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            CliRun r = ctl("bench", "start", "--backend", "cloudrun", "--env", "local", "--rounds", "3", "--json");
            assertThat(r.status()).isEqualTo(SandboxCtl.EXIT_FAILED);
            JsonNode j = r.json();
            assertThat(j.get("goals").asInt()).isZero();
            assertThat(j.get("sources").get(0).get("source").asText()).isEqualTo("cloudrun");
            assertThat(j.get("sources").get(0).has("figures")).isFalse();
            assertThat(j.get("not_measured").get(0).asText()).startsWith("cloudrun: ");
            assertThat(r.err()).startsWith("sandboxctl: bench start: not measured: cloudrun: ");
        } finally {
            System.setProperty("user.home", saved);
        }
    }
}
