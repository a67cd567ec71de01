package io.sandboxops.app.cli;

import static io.sandboxops.app.cli.CliRun.ctl;
import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.app.env.LocalCloudSeeder;
import io.sandboxops.app.env.RunningEmulator;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.preflight.PreflightCheck;
import io.sandboxops.core.preflight.PreflightRecords;
import io.sandboxops.core.preflight.PreflightReport;
import io.sandboxops.core.rollout.AuditEntry;
import io.sandboxops.core.rollout.RolloutAuditLog;
import io.sandboxops.core.testing.LocalTargets;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rollout plan --advance} is a set: it goes through the same preflight gate as {@code rollout set}. */
class RolloutPlanPreflightCliTest {
    @TempDir
    static Path home;
    private static String savedHome;
    private static LocalCloud cloud;
    private static Environment local;

    @BeforeAll
    static void startLocalCloud() {
        savedHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        cloud = LocalCloud.start(LocalCloudConfig.newBuilder().revisionReadyDelay(Duration.ofMillis(200)).build());
        local = Environment.local();
        try (GoogleClients clients = clients()) {
            LocalCloudSeeder.seed(clients, local);
        }
        RunningEmulator.record(LocalTargets.of(cloud));
    }

    private static GoogleClients clients() {
        return new GoogleClients(local.localTarget(cloud.endpoints().grpcTarget(), cloud.endpoints().storageHost(), cloud.endpoints().accessToken()));
    }

    @AfterAll
    static void stop() {
        RunningEmulator.forget();
        cloud.close();
        System.setProperty("user.home", savedHome);
    }

    @Test
    void advanceIsRefusedWithoutAFreshPassedPreflightAndSkippingIsAudited() throws Exception {
        assertThat(ctl("rollout", "plan").status()).as("reading the plan needs no preflight").isZero();

        CliRun none = ctl("rollout", "plan", "--advance", "--reason", "gate passed");
        assertThat(none.status()).isNotZero();
        assertThat(none.err()).contains("no preflight of environment local is recorded").contains("env check --env local")
                .contains("--skip-preflight");
        assertThat(ctl("rollout", "status", "--json").json().get("flag").asText()).isEqualTo("false");

        try (GoogleClients clients = clients()) {
            new PreflightRecords(local, clients).save(new PreflightReport(local.name(), Instant.now().minus(Duration.ofHours(30)), "test",
                    List.of(new PreflightCheck("recorded by the test", PreflightCheck.Outcome.PASS, "", "", Duration.ZERO))));
        }
        CliRun stale = ctl("rollout", "plan", "--advance", "--reason", "gate passed");
        assertThat(stale.status()).isNotZero();
        assertThat(stale.err()).contains("30 h ago").contains("older than the allowed 24 h");

        CliRun noReason = ctl("rollout", "plan", "--advance", "--skip-preflight");
        assertThat(noReason.status()).isEqualTo(SandboxCtl.EXIT_USAGE);
        assertThat(noReason.err()).contains("--skip-preflight needs --reason");

        CliRun skipped = ctl("rollout", "plan", "--advance", "--skip-preflight", "--reason", "drill on the emulator");
        assertThat(skipped.status()).as(skipped.err()).isZero();
        assertThat(skipped.err()).contains("preflight skipped");
        assertThat(RolloutAuditLog.inUserHome().read()).filteredOn(e -> e.action().equals("preflight-skipped")).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("drill on the emulator"));
        assertThat(ctl("rollout", "status", "--json").json().get("flag").asText()).isEqualTo("true");

        CliRun rollback = ctl("rollout", "rollback", "--reason", "rollback is never gated");
        assertThat(rollback.status()).as(rollback.err()).isZero();
        assertThat(RolloutAuditLog.inUserHome().read()).extracting(AuditEntry::action).containsOnlyOnce("preflight-skipped");
    }
}
