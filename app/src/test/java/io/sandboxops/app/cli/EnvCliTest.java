package io.sandboxops.app.cli;

import static io.sandboxops.app.cli.CliRun.ctl;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.Role;
import com.google.logging.v2.LogMetricName;
import com.google.monitoring.dashboard.v1.Dashboard;
import com.google.monitoring.v3.AlertPolicy;
import com.google.monitoring.v3.ProjectName;
import io.sandboxops.app.env.LocalCloudSeeder;
import io.sandboxops.app.env.RunningEmulator;
import io.sandboxops.app.env.SandboxBackends;
import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.preflight.DeployResources;
import io.sandboxops.core.preflight.EnvironmentPreflight;
import io.sandboxops.core.preflight.PreflightCheck;
import io.sandboxops.core.preflight.PreflightReport;
import io.sandboxops.core.rollout.RolloutAuditLog;
import io.sandboxops.core.testing.LocalTargets;
import io.sandboxops.core.testing.RequiresDocker;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudConfig;
import io.sandboxops.emulator.run.DockerExecutionRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sandboxctl env check / env apply} on the seeded local environment, its canary on the real executor image through
 * the emulator's Docker runner, and the preflight gate of {@code rollout set}.
 */
@RequiresDocker
class EnvCliTest {
    @TempDir
    static Path home;
    private static String savedHome;
    private static LocalCloud cloud;
    private static CloudTarget target;

    @BeforeAll
    static void startLocalCloud() throws Exception {
        boolean image = new ProcessBuilder("docker", "image", "inspect", "sandboxops/executor:latest").start().waitFor() == 0;
        if (!Boolean.getBoolean("sandbox.requireDocker")) {
            Assumptions.assumeTrue(image, "SKIPPED: the executor image is not built (bash executor/build-image.sh)");
        }
        savedHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        cloud = LocalCloud.start(LocalCloudConfig.newBuilder().runner(DockerExecutionRunner::connect)
                .revisionReadyDelay(Duration.ofMillis(100)).build());
        target = LocalTargets.of(cloud);
        try (GoogleClients clients = new GoogleClients(target)) {
            LocalCloudSeeder.seed(clients, Environment.local());
        }
        RunningEmulator.record(target);
    }

    @AfterAll
    static void stop() {
        if (cloud != null) {
            RunningEmulator.forget();
            cloud.close();
            System.setProperty("user.home", savedHome);
        }
    }

    @Test
    void rolloutSetIsRefusedWithoutAPassedPreflightAndGoesAheadAfterOneOrWithAnAuditedSkip() throws Exception {
        CliRun refused = ctl("rollout", "set", "1", "--reason", "step 1");
        assertThat(refused.status()).as(refused.err()).isEqualTo(SandboxCtl.EXIT_FAILED);
        assertThat(refused.err()).contains("no preflight of environment local").contains("sandboxctl env check --env local")
                .contains("--skip-preflight --reason");
        assertThat(ctl("rollout", "status", "--json").json().get("percentage").asText()).isEqualTo("0");

        assertThat(ctl("rollout", "set", "1", "--skip-preflight").status()).isEqualTo(SandboxCtl.EXIT_USAGE);
        CliRun skipped = ctl("rollout", "set", "1", "--skip-preflight", "--reason", "drill without preflight");
        assertThat(skipped.status()).as(skipped.err()).isZero();
        assertThat(RolloutAuditLog.inUserHome().read()).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("preflight-skipped");
            assertThat(e.reason()).isEqualTo("drill without preflight");
        });

        CliRun check = ctl("env", "check", "--json");
        assertThat(check.status()).as(check.err() + check.out()).isZero();
        JsonNode report = check.json();
        assertThat(report.get("passed").asBoolean()).isTrue();
        assertThat(report.get("recorded").asBoolean()).isTrue();
        assertThat(report.get("checks").findValuesAsText("name")).contains("bucket IAM", "service IAM", "job IAM", "executor image",
                "alert policies", "dashboard", "canary: create", "canary: exec", "canary: file write/read", "canary: background process", "canary: close");
        assertThat(check.err()).as("progress, one line per check as it runs").contains("PASS  canary: exec");
        assertThat(check(report, "dashboard").get("outcome").asText()).as("the seeder created deploy/dashboard.json's dashboard").isEqualTo("PASS");
        System.out.println("env check on the seeded local environment (emulator, Docker runner, executor image):\n" + check.err());
        CliRun allowed = ctl("rollout", "set", "0", "--reason", "back after the drill");
        assertThat(allowed.status()).as(allowed.err()).isZero();
    }

    @Test
    void aRemovedBucketBindingAndMissingDeployResourcesFailTheCheckUntilApplyCreatesThemOnce() throws Exception {
        Environment local = Environment.local();
        try (GoogleClients clients = new GoogleClients(target)) {
            clients.storage().setIamPolicy(local.bucket(), clients.storage().getIamPolicy(local.bucket()).toBuilder()
                    .removeRole(Role.of("storage.objectAdmin")).build());
            clients.logMetrics().deleteLogMetric(LogMetricName.of(local.projectId(), "sandbox_operation_latency"));
            AlertPolicy first = clients.alertPolicies().listAlertPolicies(ProjectName.of(local.projectId())).iterateAll().iterator().next();
            clients.alertPolicies().deleteAlertPolicy(first.getName());
            for (Dashboard d : clients.dashboards().listDashboards(ProjectName.of(local.projectId()).toString()).iterateAll()) {
                clients.dashboards().deleteDashboard(d.getName());
            }
        }
        CliRun failed = ctl("env", "check", "--json");
        assertThat(failed.status()).isEqualTo(SandboxCtl.EXIT_FAILED);
        JsonNode iam = check(failed.json(), "bucket IAM");
        assertThat(iam.get("outcome").asText()).isEqualTo("FAIL");
        assertThat(iam.get("found").asText()).contains("storage.objects.get").contains("gs://" + local.bucket());
        assertThat(iam.get("fix").asText()).contains("roles/storage.objectAdmin").contains("sandboxctl env apply --env local");
        assertThat(check(failed.json(), "log metric sandbox_operation_latency").get("outcome").asText()).isEqualTo("FAIL");
        JsonNode dashboard = check(failed.json(), "dashboard");
        assertThat(dashboard.get("outcome").asText()).isEqualTo("FAIL");
        assertThat(dashboard.get("found").asText()).contains(DeployResources.dashboard().getDisplayName());
        assertThat(dashboard.get("fix").asText()).contains("sandboxctl env apply --env local");
        assertThat(ctl("rollout", "enable", "--reason", "x").err()).contains("the last preflight of local").contains("failed: bucket IAM");

        JsonNode dry = ctl("env", "apply", "--dry-run", "--json").json();
        assertThat(dry.get("would_create")).hasSize(4);
        assertThat(dry.get("would_create").toString()).contains("roles/storage.objectAdmin").contains("sandbox_operation_latency")
                .contains("alert policy").contains("dashboard");
        assertThat(ctl("env", "apply", "--json").json().get("created")).hasSize(4);
        CliRun again = ctl("env", "apply");
        assertThat(again.out()).contains("nothing to create");
        assertThat(ctl("env", "apply", "--dry-run", "--json").json().get("would_create")).isEmpty();
        assertThat(ctl("env", "check").status()).isZero();
        try (GoogleClients clients = new GoogleClients(target)) {
            assertThat(clients.dashboards().listDashboards(ProjectName.of(local.projectId()).toString()).iterateAll())
                    .as("one dashboard after two applies").extracting(Dashboard::getDisplayName)
                    .containsExactly(DeployResources.dashboard().getDisplayName());
        }
    }

    @Test
    void aMissingExecutorImageFailsTheCheckNamingTheImage() {
        Environment local = Environment.local();
        Environment missing = new Environment(local.name(), local.kind(), local.projectId(), local.region(), local.service(), local.bucket(),
                "sandboxops/executor:preflight-missing", local.jobNamePrefix(), false, false);
        try (GoogleClients clients = new GoogleClients(target)) {
            PreflightReport r = new EnvironmentPreflight(missing, clients, Optional.of(() -> SandboxBackends.cloudRun(missing, target)), "test")
                    .run(c -> { });
            assertThat(r.passed()).isFalse();
            PreflightCheck image = r.check("executor image").orElseThrow();
            assertThat(image.outcome()).isEqualTo(PreflightCheck.Outcome.FAIL);
            assertThat(image.found()).contains("sandboxops/executor:preflight-missing");
            assertThat(image.fix()).contains("executor/build-image.sh");
            assertThat(r.failures()).extracting(PreflightCheck::name).contains("canary: exec");
        }
    }

    private static JsonNode check(JsonNode report, String name) {
        for (JsonNode c : report.get("checks")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + report);
    }
}
