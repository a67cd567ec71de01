package io.sandboxops.app.cli;

import io.sandboxops.core.testing.LocalTargets;
import static io.sandboxops.app.cli.CliRun.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxops.app.env.LocalCloudSeeder;
import io.sandboxops.app.env.RunningEmulator;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.preflight.PreflightCheck;
import io.sandboxops.core.preflight.PreflightRecords;
import io.sandboxops.core.preflight.PreflightReport;
import java.time.Instant;
import java.util.List;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sandboxctl rollout / metrics / logs on the local environment, as an on-call engineer would run them. */
class RolloutCliTest {
    @TempDir
    static Path home;
    private static String savedHome;
    private static LocalCloud cloud;

    @BeforeAll
    static void startLocalCloud() {
        savedHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        cloud = LocalCloud.start(LocalCloudConfig.newBuilder().revisionReadyDelay(Duration.ofMillis(200)).build());
        Environment local = Environment.local();
        try (GoogleClients clients = new GoogleClients(local.localTarget(cloud.endpoints().grpcTarget(), cloud.endpoints().storageHost(), cloud.endpoints().accessToken()))) {
            LocalCloudSeeder.seed(clients, local);
            LocalCloudSeeder.seed(clients, local);
            // set and enable need a passed, fresh preflight; EnvCliTest runs the real one (its canary needs the
            // executor image) and the refusal, so these tests of the change itself start from a recorded pass.
            new PreflightRecords(local, clients).save(new PreflightReport(local.name(), Instant.now(), "RolloutCliTest",
                    List.of(new PreflightCheck("recorded by the test", PreflightCheck.Outcome.PASS, "", "", Duration.ZERO))));
        }
        RunningEmulator.record(LocalTargets.of(cloud));
    }

    @AfterAll
    static void stop() {
        RunningEmulator.forget();
        cloud.close();
        System.setProperty("user.home", savedHome);
    }

    @Test
    void setRollbackAndHistoryOnTheLocalEnvironment() throws Exception {
        CliRun dry = ctl("rollout", "set", "50", "--dry-run", "--json");
        assertThat(dry.status()).as(dry.err()).isZero();
        assertThat(dry.json().get("diff").toString()).contains("CLOUDRUN_JOBS_ROLLOUT_PERCENTAGE");
        assertThat(ctl("rollout", "status", "--json").json().get("percentage").asText()).isEqualTo("0");

        assertThat(ctl("rollout", "enable", "--reason", "start").status()).isZero();
        assertThat(ctl("rollout", "set", "50", "--reason", "half").status()).isZero();
        JsonNode status = ctl("rollout", "status", "--json").json();
        assertThat(status.get("flag").asText()).isEqualTo("true");
        assertThat(status.get("percentage").asText()).isEqualTo("50");

        CliRun rollback = ctl("rollout", "rollback", "--reason", "p99 over 15 s", "--json");
        assertThat(rollback.status()).as(rollback.err()).isZero();
        JsonNode r = rollback.json();
        assertThat(r.get("outcome").asText()).isEqualTo("VERIFIED");
        assertThat(r.get("after").get("flag").asText()).isEqualTo("false");
        assertThat(r.get("after").get("percentage").asText()).isEqualTo("0");
        assertThat(r.get("after").get("traffic").get(0).get("percent").asInt()).isEqualTo(100);
        System.out.println("rollback command to verified (emulator, revision ready delay 200 ms): " + r.get("elapsed_ms").asLong() + " ms");

        CliRun history = ctl("rollout", "history");
        assertThat(history.out()).contains("rollback").contains("reason: p99 over 15 s").contains("recorded by Cloud Audit Logs");
    }

    @Test
    void badPercentagesAreUsageErrorsWithTheHint() {
        for (String bad : new String[] {"101", "-1", "ten"}) {
            CliRun r = ctl("rollout", "set", bad);
            assertThat(r.status()).isEqualTo(SandboxCtl.EXIT_USAGE);
            assertThat(r.err().strip().lines()).hasSize(2).last().isEqualTo("Try 'sandboxctl rollout set --help' for usage.");
        }
        assertThat(ctl("rollout", "status", "--json").status()).isZero();
    }

    @Test
    void aProductionEnvironmentRefusesWritesWithoutTheServiceName() throws Exception {
        Files.createDirectories(home.resolve(".sandbox-ops"));
        Path file = home.resolve(".sandbox-ops/environments.json");
        Files.writeString(file, "{\"environments\":[{\"name\":\"prod\",\"project\":\"p\",\"region\":\"europe-west1\","
                + "\"service\":\"agent-backend\",\"production\":true}]}");
        try {
            CliRun r = ctl("rollout", "rollback", "--env", "prod", "--reason", "drill");
            assertThat(r.status()).isEqualTo(1);
            assertThat(r.err()).contains("production").contains("--confirm agent-backend");
            CliRun wrong = ctl("rollout", "set", "10", "--env", "prod", "--confirm", "other");
            assertThat(wrong.err()).contains("got \"other\"");
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void metricsAndLogsAnswerOnTheLocalEnvironment() throws Exception {
        CliRun m = ctl("metrics", "--window", "1h", "--json");
        assertThat(m.status()).as(m.err()).isZero();
        assertThat(m.json().get("window").asText()).isEqualTo("1h");
        CliRun q = ctl("logs", "--list-queries", "--json");
        assertThat(q.json()).hasSizeGreaterThanOrEqualTo(3);
        CliRun l = ctl("logs", "--query", "failed-executions");
        assertThat(l.status()).as(l.err()).isZero();
    }

    @Test
    void theDryRunWarnsOfSkippedStepsAndTheChangeNeedsAReason() throws Exception {
        assertThat(ctl("rollout", "enable", "--reason", "start").status()).isZero();
        CliRun dry = ctl("rollout", "set", "10", "--dry-run");
        assertThat(dry.status()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("warning: going from 0 % to 10 % skips the plan's 1 % step (hold 24 h)")
                .contains("applying it needs --reason");
        CliRun refused = ctl("rollout", "set", "10");
        assertThat(refused.status()).isNotZero();
        assertThat(refused.err()).contains("skips the plan's 1 % step").contains("Nothing was written").contains("--reason");
        assertThat(ctl("rollout", "status", "--json").json().get("percentage").asText()).isEqualTo("0");

        assertThat(ctl("rollout", "set", "10", "--reason", "1 % ran on staging for a week").status()).isZero();
        CliRun plan = ctl("rollout", "plan");
        assertThat(plan.out()).contains("steps:  1 % skipped · 10 % current · 25 % next");

        assertThat(ctl("rollout", "rollback", "--reason", "reset").status()).isZero();
        CliRun flagOff = ctl("rollout", "set", "25", "--dry-run", "--json");
        assertThat(flagOff.json().get("warnings").toString()).contains("the flag stays off, so setting 25 % changes nothing");
        assertThat(flagOff.json().get("needs_reason").asBoolean()).isTrue();
    }

    @Test
    void chooseSaysWhichBackendAKeyGetsByTheSameRuleAsTheFactory() throws Exception {
        CliRun off = ctl("rollout", "choose", "tenant-42", "--json");
        assertThat(off.status()).as(off.err()).isZero();
        assertThat(off.json().get("backend").asText()).isEqualTo("docker");
        assertThat(off.json().get("reason").asText()).isEqualTo("docker (USE_CLOUDRUN_JOBS_SANDBOX=false)");
        assertThat(ctl("rollout", "set", "100", "--reason", "all in, on the emulator").status()).isZero();
        assertThat(ctl("rollout", "enable", "--reason", "all in").status()).isZero();
        CliRun all = ctl("rollout", "choose", "tenant-42");
        int bucket = io.sandboxops.core.rollout.Bucketing.bucket(io.sandboxops.core.rollout.Bucketing.FLAG_KEY, "tenant-42");
        assertThat(all.out().strip()).isEqualTo("\"tenant-42\" gets cloudrun (bucket " + bucket + " < 100 %)");
        assertThat(ctl("rollout", "rollback", "--reason", "reset").status()).isZero();
    }
}
