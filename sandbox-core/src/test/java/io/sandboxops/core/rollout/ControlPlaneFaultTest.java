package io.sandboxops.core.rollout;

import io.sandboxops.core.testing.LocalTargets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.observe.LogsService;
import io.sandboxops.core.observe.MetricTargets;
import io.sandboxops.core.observe.MetricsService;
import io.sandboxops.core.observe.MetricsSnapshot;
import io.sandboxops.core.observe.MetricsWindow;
import io.sandboxops.core.observe.PriceTable;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudConfig;
import io.sandboxops.emulator.faults.FaultRule;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's fault table for the control plane: the Cloud Run Admin API (Services, Revisions), Cloud Logging and
 * Cloud Monitoring failing in bursts or for good while an on-call engineer changes the rollout, rolls back, reads
 * metrics or logs, through the real clients against the emulator. Each case prints one {@code FAULT | …} line for
 * docs/RELIABILITY.md: what the user saw, what state the service was left in, what was audited.
 */
class ControlPlaneFaultTest {
    private static final String RUN = "google.cloud.run.v2.";

    private static LocalCloud cloud;
    private static GoogleClients clients;

    @TempDir
    Path home;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start(LocalCloudConfig.newBuilder().revisionReadyDelay(Duration.ofMillis(300)).build());
        clients = new GoogleClients(LocalTargets.of(cloud));
    }

    @AfterAll
    static void stop() {
        clients.close();
        cloud.close();
    }

    @AfterEach
    void clearFaults() {
        cloud.faults().clear();
    }

    @Test
    void aRollbackDuringAThreeSecondOutageOfServicesAndRevisionsIsVerified() throws Exception {
        RolloutControllerTest.createWith(clients, cloud, "outage-rollback", RolloutControllerTest.agentBackend("true", "50"));
        burst(Status.Code.UNAVAILABLE, Duration.ofSeconds(3), RUN + "Services/*", RUN + "Revisions/*");

        RollbackReport report = controller("outage-rollback").rollback("drill", "carol", RolloutProgress.NONE);

        long injected = cloud.faults().injectedErrorCount();
        assertThat(report.outcome()).as(String.join("\n", report.describe())).isEqualTo(RollbackReport.Outcome.VERIFIED);
        assertThat(injected).isPositive();
        assertThat(report.after().orElseThrow().servingIsOff()).isTrue();
        List<AuditEntry> audit = audit();
        assertThat(audit).singleElement().satisfies(e -> assertThat(e.outcome()).doesNotStartWith("failed"));
        report("rollback while every Services and Revisions method answers UNAVAILABLE for 3 s [" + injected + " errors injected]",
                "VERIFIED in " + report.elapsed().toMillis() + " ms; the report lists the retried attempts",
                "flag false, 0 %, new revision serving 100 %", "1 entry: " + audit.get(0).outcome());
    }

    @Test
    void aPercentageChangeDuringQuotaExhaustionIsAppliedOnce() throws Exception {
        RolloutControllerTest.createWith(clients, cloud, "quota-set", RolloutControllerTest.agentBackend("true", "10"));
        burst(Status.Code.RESOURCE_EXHAUSTED, Duration.ofSeconds(3), RUN + "Services/*", RUN + "Revisions/*");

        ChangeResult result = controller("quota-set").setPercentage(25, "next step", "carol", RolloutProgress.NONE);

        long injected = cloud.faults().injectedErrorCount();
        assertThat(result.outcome()).isEqualTo(ChangeResult.Outcome.APPLIED);
        assertThat(result.after().template()).isEqualTo(new EnvValues("true", "25"));
        assertThat(injected).isPositive();
        List<AuditEntry> audit = audit();
        assertThat(audit).hasSize(1);
        report("`rollout set 25` while every Services and Revisions method answers RESOURCE_EXHAUSTED for 3 s [" + injected
                        + " errors injected]",
                "APPLIED in " + result.elapsed().toMillis() + " ms", "flag true, 25 % (one new revision)", "1 entry: " + audit.get(0).outcome());
    }

    @Test
    void aRollbackThatCannotWriteForLongerThanItsRetriesIsAFailedReportWithTheUntouchedState() throws Exception {
        RolloutControllerTest.createWith(clients, cloud, "long-outage", RolloutControllerTest.agentBackend("true", "50"));
        cloud.faults().add(FaultRule.forMethod(RUN + "Services/UpdateService").failWith(Status.Code.UNAVAILABLE).build());

        RollbackReport report = controller("long-outage").rollback("drill", "carol", RolloutProgress.NONE);

        assertThat(report.outcome()).isEqualTo(RollbackReport.Outcome.FAILED);
        assertThat(report.problem()).hasValueSatisfying(p -> assertThat(p).contains("UNAVAILABLE"));
        assertThat(report.after()).hasValueSatisfying(s -> assertThat(s.template()).isEqualTo(new EnvValues("true", "50")));
        List<AuditEntry> audit = audit();
        assertThat(audit).singleElement().satisfies(e -> assertThat(e.outcome()).startsWith("failed"));
        report("rollback while UpdateService answers UNAVAILABLE on every attempt",
                "FAILED report, no exception: \"" + report.problem().orElseThrow() + "\"",
                "untouched and reported: flag true, 50 % (state after read back)", "1 entry: " + audit.get(0).outcome());
    }

    @Test
    void logsAndMetricsRideOutAThreeSecondOutage() {
        LogsService logs = new LogsService(clients);
        MetricsService metrics = new MetricsService(clients, "sandboxops-", PriceTable.cloudRunJobsTier1(), MetricTargets.originalPlan());
        burst(Status.Code.UNAVAILABLE, Duration.ofSeconds(3), "google.logging.v2.*", "google.monitoring.v3.*");

        long t0 = System.nanoTime();
        logs.list(LogsService.preparedQuery("failed-executions").filter(), Instant.now().minus(Duration.ofHours(1)), 10);
        MetricsSnapshot snapshot = metrics.snapshot(MetricsWindow.HOUR);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        long injected = cloud.faults().injectedErrorCount();
        assertThat(injected).isPositive();
        assertThat(snapshot).isNotNull();
        report("Cloud Logging and Cloud Monitoring answer UNAVAILABLE for 3 s [" + injected + " errors injected]",
                "the log query and the metrics snapshot answered after " + ms + " ms (the clients' retries)", "read-only", "nothing to audit");
    }

    @Test
    void logsAndMetricsThatStayDownAreAClearError() {
        LogsService logs = new LogsService(clients);
        MetricsService metrics = new MetricsService(clients, "sandboxops-", PriceTable.cloudRunJobsTier1(), MetricTargets.originalPlan());
        cloud.faults().add(FaultRule.forMethod("google.logging.v2.*").failWith(Status.Code.PERMISSION_DENIED).build());
        cloud.faults().add(FaultRule.forMethod("google.monitoring.v3.*").failWith(Status.Code.PERMISSION_DENIED).build());

        String filter = LogsService.preparedQuery("failed-executions").filter();
        Instant since = Instant.now().minus(Duration.ofHours(1));
        assertThatThrownBy(() -> logs.list(filter, since, 10)).isInstanceOf(SandboxException.class)
                .hasMessageContaining("PERMISSION_DENIED");
        assertThatThrownBy(() -> metrics.snapshot(MetricsWindow.HOUR)).isInstanceOf(SandboxException.class)
                .hasMessageContaining("PERMISSION_DENIED");
        String seen;
        try {
            logs.list(filter, since, 10);
            seen = "";
        } catch (SandboxException e) {
            seen = e.getMessage();
        }
        report("Cloud Logging and Cloud Monitoring refuse every call (PERMISSION_DENIED)", "one-line error: \"" + seen + "\"", "read-only",
                "nothing to audit");
    }

    private RolloutController controller(String service) {
        return new RolloutController(clients, "local", service, new RolloutAuditLog(home.resolve("audit.jsonl")),
                RolloutController.Options.defaults());
    }

    private List<AuditEntry> audit() {
        return new RolloutAuditLog(home.resolve("audit.jsonl")).read();
    }

    private static void burst(Status.Code code, Duration duration, String... methods) {
        for (String method : methods) {
            cloud.faults().add(FaultRule.forMethod(method).failWith(code).forDuration(duration).build());
        }
    }

    private static void report(String fault, String saw, String state, String audit) {
        System.out.println("FAULT | control plane | " + fault + " | " + saw + " | " + state + " | audit: " + audit);
    }
}
