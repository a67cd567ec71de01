package io.sandboxops.core.rollout;

import io.sandboxops.core.testing.LocalTargets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's hostile input for the control plane: percentages that are not percentages, a rollback on a service that
 * does not exist, no credentials. Each must be a clear error naming what to fix, never a crash or a write.
 */
class RolloutHostileInputTest {
    private static LocalCloud cloud;
    private static GoogleClients clients;

    @TempDir
    Path home;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start(LocalCloudConfig.newBuilder().build());
        clients = new GoogleClients(LocalTargets.of(cloud));
    }

    @AfterAll
    static void stop() {
        clients.close();
        cloud.close();
    }

    private RolloutController controller(String service) {
        return new RolloutController(clients, "local", service, new RolloutAuditLog(home.resolve("audit.jsonl")),
                RolloutController.Options.defaults());
    }

    @Test
    void percentagesOutsideZeroToOneHundredOrNotNumbersNameTheVariable() {
        for (String bad : new String[] {"101", "-1", "ten", "1e2", "50%", " 0x10 "}) {
            assertThatThrownBy(() -> RolloutSettings.fromEnvironment(Map.of(RolloutSettings.PERCENTAGE, bad)))
                    .as(bad).isInstanceOf(RolloutConfigurationException.class).hasMessageContaining(RolloutSettings.PERCENTAGE);
        }
        assertThatThrownBy(() -> new RolloutSettings(false, -1, Optional.empty())).hasMessageContaining("0 to 100");
        assertThatThrownBy(() -> RolloutChange.percentage(101)).isInstanceOf(RolloutConfigurationException.class);
        assertThatThrownBy(() -> RolloutChange.percentage(-1)).isInstanceOf(RolloutConfigurationException.class);
    }

    @Test
    void setPercentageOutOfRangeWritesNothingAndAuditsNothing() {
        RolloutController c = controller("never-touched");
        assertThatThrownBy(() -> c.setPercentage(101, "drill", "carol", RolloutProgress.NONE))
                .isInstanceOf(RolloutConfigurationException.class).hasMessageContaining("101");
        assertThat(Files.exists(home.resolve("audit.jsonl")) ? new RolloutAuditLog(home.resolve("audit.jsonl")).read() : java.util.List.of())
                .isEmpty();
    }

    @Test
    void aRollbackOnAServiceThatDoesNotExistIsAFailedReportNamingIt() {
        RollbackReport report = controller("no-such-service").rollback("drill", "carol", RolloutProgress.NONE);

        assertThat(report.outcome()).isEqualTo(RollbackReport.Outcome.FAILED);
        assertThat(report.after()).isEmpty();
        assertThat(report.problem()).hasValueSatisfying(p -> assertThat(p).contains("does not exist").contains("no-such-service"));
        assertThat(report.describe()).isNotEmpty();
    }

    @Test
    void withoutApplicationDefaultCredentialsAGoogleTargetSaysHowToLogIn() {
        Assumptions.assumeTrue(System.getenv("GOOGLE_APPLICATION_CREDENTIALS") == null
                && !Files.exists(Path.of(System.getProperty("user.home"), ".config/gcloud/application_default_credentials.json")),
                "this machine has Application Default Credentials");
        try (GoogleClients google = new GoogleClients(CloudTarget.google("some-project", "europe-west1"))) {
            assertThatThrownBy(google::services).isInstanceOf(SandboxUnavailableException.class)
                    .hasMessageContaining("some-project").hasMessageContaining("gcloud auth application-default login");
        }
    }
}
