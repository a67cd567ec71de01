package io.sandboxops.core.preflight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.api.SandboxInvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PreflightGateTest {
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    private static PreflightReport report(Instant time, PreflightCheck.Outcome outcome) {
        return new PreflightReport("staging", time, "me", List.of(new PreflightCheck("bucket IAM", outcome, "", "", Duration.ZERO)));
    }

    @Test
    void aMissingFailedOrStalePreflightIsRefusedNamingWhatToRun() {
        PreflightGate gate = PreflightGate.fromEnvironment(Map.of());
        assertThat(gate.maxAge()).isEqualTo(Duration.ofHours(24));
        assertThatThrownBy(() -> gate.require("staging", Optional.empty(), NOW)).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("sandboxctl env check --env staging").hasMessageContaining("--skip-preflight --reason");
        assertThatThrownBy(() -> gate.require("staging", Optional.of(report(NOW, PreflightCheck.Outcome.FAIL)), NOW))
                .hasMessageContaining("failed: bucket IAM");
        assertThatThrownBy(() -> gate.require("staging", Optional.of(report(NOW.minus(Duration.ofHours(25)), PreflightCheck.Outcome.PASS)), NOW))
                .hasMessageContaining("older than the allowed 24 h");
    }

    @Test
    void aFreshPassOrWarningGoesAheadAndTheAgeIsConfigurable() {
        PreflightGate gate = PreflightGate.fromEnvironment(Map.of(PreflightGate.MAX_AGE_VARIABLE, "90m"));
        assertThat(gate.maxAge()).isEqualTo(Duration.ofMinutes(90));
        gate.require("staging", Optional.of(report(NOW.minus(Duration.ofMinutes(80)), PreflightCheck.Outcome.WARN)), NOW);
        assertThatThrownBy(() -> gate.require("staging", Optional.of(report(NOW.minus(Duration.ofMinutes(100)), PreflightCheck.Outcome.PASS)), NOW))
                .hasMessageContaining("90 min");
        assertThatThrownBy(() -> PreflightGate.fromEnvironment(Map.of(PreflightGate.MAX_AGE_VARIABLE, "soon")))
                .hasMessageContaining(PreflightGate.MAX_AGE_VARIABLE).hasMessageContaining("24h");
    }

    @Test
    void deployResourcesParseAndListEveryFile() {
        assertThat(DeployResources.list("alert-policies")).hasSizeGreaterThanOrEqualTo(6);
        assertThat(DeployResources.alertPolicies()).allSatisfy(p -> assertThat(p.getDisplayName()).isNotBlank());
        assertThat(DeployResources.logMetrics()).extracting(m -> m.getName()).contains("sandbox_operation_latency");
        assertThat(DeployResources.lifecycleRules()).extracting(DeployResources::describe).contains("Delete after 14 d", "AbortIncompleteMultipartUpload after 1 d");
        assertThat(DeployResources.bucketBindings("p")).singleElement().satisfies(b ->
                assertThat(b.members()).containsExactly("serviceAccount:sandbox-backend@p.iam.gserviceaccount.com"));
    }
}
