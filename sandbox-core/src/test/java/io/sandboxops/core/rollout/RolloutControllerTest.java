package io.sandboxops.core.rollout;

import io.sandboxops.core.testing.LocalTargets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.cloud.run.v2.Container;
import com.google.cloud.run.v2.EnvVar;
import com.google.cloud.run.v2.EnvVarSource;
import com.google.cloud.run.v2.ResourceRequirements;
import com.google.cloud.run.v2.RevisionTemplate;
import com.google.cloud.run.v2.SecretKeySelector;
import com.google.cloud.run.v2.Service;
import com.google.cloud.run.v2.TrafficTarget;
import com.google.cloud.run.v2.TrafficTargetAllocationType;
import io.grpc.Status;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudConfig;
import io.sandboxops.emulator.faults.FaultRule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rollout controller against the emulator's Cloud Run Services, through the real clients. */
class RolloutControllerTest {

    static final Duration REVISION_READY_DELAY = Duration.ofMillis(500);

    private static LocalCloud cloud;
    private static GoogleClients clients;

    @TempDir
    Path home;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start(LocalCloudConfig.newBuilder().revisionReadyDelay(REVISION_READY_DELAY)
                .principalEmail("oncall@example.com").build());
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

    /** The agent backend as deployed: other env vars, a secret reference, limits, and the rollout at {@code percentage}. */
    static Service agentBackend(String flag, String percentage) {
        return Service.newBuilder().putLabels("team", "agents").setTemplate(RevisionTemplate.newBuilder()
                .setMaxInstanceRequestConcurrency(40)
                .addContainers(Container.newBuilder()
                        .setName("backend")
                        .setImage("sandboxops/agent-backend:1")
                        .setResources(ResourceRequirements.newBuilder().putLimits("cpu", "2").putLimits("memory", "1Gi"))
                        .addEnv(EnvVar.newBuilder().setName("LOG_LEVEL").setValue("info"))
                        .addEnv(EnvVar.newBuilder().setName(RolloutSettings.FLAG).setValue(flag))
                        .addEnv(EnvVar.newBuilder().setName("DB_PASSWORD").setValueSource(EnvVarSource.newBuilder()
                                .setSecretKeyRef(SecretKeySelector.newBuilder().setSecret("db-password").setVersion("latest"))))
                        .addEnv(EnvVar.newBuilder().setName(RolloutSettings.PERCENTAGE).setValue(percentage))
                        .addEnv(EnvVar.newBuilder().setName("GCP_PROJECT_ID").setValue("local-project"))))
                .build();
    }

    static Service create(String name, Service service) throws Exception {
        return createWith(clients, cloud, name, service);
    }

    static Service createWith(GoogleClients clients, LocalCloud cloud, String name, Service service) throws Exception {
        return clients.services().createServiceAsync(cloud.endpoints().locationName(), service, name).get(30, TimeUnit.SECONDS);
    }

    private RolloutController controller(String service) {
        return controller(service, RolloutController.Options.defaults());
    }

    private RolloutController controller(String service, RolloutController.Options options) {
        return new RolloutController(clients, "local", service, new RolloutAuditLog(home.resolve("audit.jsonl")), options);
    }

    private static Container backendContainer(Service s) {
        return s.getTemplate().getContainers(0);
    }

    @Test
    void setPercentageChangesOnlyTheTwoVariables() throws Exception {
        Service original = create("set-only", agentBackend("true", "10"));
        RolloutController rollout = controller("set-only");

        ChangeResult dryRun = rollout.preview(RolloutChange.percentage(25));
        assertThat(dryRun.dryRun()).isTrue();
        assertThat(dryRun.outcome()).isEqualTo(ChangeResult.Outcome.VALID);
        assertThat(dryRun.diff().lines()).containsExactly("CLOUDRUN_JOBS_ROLLOUT_PERCENTAGE: 10 → 25");
        assertThat(clients.services().getService(original.getName()).getGeneration()).as("a dry run writes nothing")
                .isEqualTo(original.getGeneration());

        ChangeResult applied = rollout.setPercentage(25, "step 2 of the plan", "alice", RolloutProgress.NONE);
        assertThat(applied.outcome()).isEqualTo(ChangeResult.Outcome.APPLIED);
        assertThat(applied.diff().lines()).containsExactly("CLOUDRUN_JOBS_ROLLOUT_PERCENTAGE: 10 → 25");
        Service after = clients.services().getService(original.getName());
        Container expected = backendContainer(original).toBuilder()
                .setEnv(3, EnvVar.newBuilder().setName(RolloutSettings.PERCENTAGE).setValue("25")).build();
        assertThat(backendContainer(after)).isEqualTo(expected);
        assertThat(after.getTemplate().toBuilder().clearContainers().build())
                .isEqualTo(original.getTemplate().toBuilder().clearContainers().build());
        assertThat(after.getLabelsMap()).isEqualTo(original.getLabelsMap());
        assertThat(backendContainer(after).getEnv(2).getValueSource().getSecretKeyRef().getSecret()).isEqualTo("db-password");
        assertThat(applied.after().serving()).containsEntry(applied.revision(), new EnvValues("true", "25"));

        rollout.disable("pause", "alice", RolloutProgress.NONE);
        assertThat(rollout.status().template()).isEqualTo(new EnvValues("false", "25"));
        rollout.enable("resume", "alice", RolloutProgress.NONE);
        RolloutStatus status = rollout.status();
        assertThat(status.template()).isEqualTo(new EnvValues("true", "25"));
        assertThat(status.effective()).contains(new EnvValues("true", "25"));
        assertThat(status.lastModifier()).isEqualTo("oncall@example.com");
        assertThat(status.lastChange()).isPresent();
        assertThat(rollout.setPercentage(25, "again", "alice", RolloutProgress.NONE).outcome()).isEqualTo(ChangeResult.Outcome.UNCHANGED);

        assertThat(new RolloutAuditLog(home.resolve("audit.jsonl")).read())
                .extracting(AuditEntry::action, AuditEntry::from, AuditEntry::to, AuditEntry::outcome)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("set", "flag=true, 10 %", "flag=true, 25 %", "applied"),
                        org.assertj.core.groups.Tuple.tuple("disable", "flag=true, 25 %", "flag=false, 25 %", "applied"),
                        org.assertj.core.groups.Tuple.tuple("enable", "flag=false, 25 %", "flag=true, 25 %", "applied"),
                        org.assertj.core.groups.Tuple.tuple("set", "flag=true, 25 %", "flag=true, 25 %", "unchanged"));
    }

    @Test
    void aRolloutVariableHeldInASecretIsNotOverwritten() throws Exception {
        Service s = agentBackend("true", "10");
        Container.Builder c = s.getTemplate().getContainers(0).toBuilder();
        c.setEnv(3, EnvVar.newBuilder().setName(RolloutSettings.PERCENTAGE).setValueSource(EnvVarSource.newBuilder()
                .setSecretKeyRef(SecretKeySelector.newBuilder().setSecret("rollout").setVersion("1"))));
        create("secret-pct", s.toBuilder().setTemplate(s.getTemplate().toBuilder().setContainers(0, c)).build());
        assertThatThrownBy(() -> controller("secret-pct").setPercentage(50, "", "alice", RolloutProgress.NONE))
                .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("CLOUDRUN_JOBS_ROLLOUT_PERCENTAGE is set from a secret");
        assertThat(new RolloutAuditLog(home.resolve("audit.jsonl")).read()).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo("set");
            assertThat(e.outcome()).startsWith("failed: CLOUDRUN_JOBS_ROLLOUT_PERCENTAGE is set from a secret")
                    .contains("the service now has flag=true");
        });
    }

    @Test
    void rollbackFromFiftyPercentLeavesANewRevisionServingEverythingWithTheFlagOff() throws Exception {
        Service original = create("rollback-50", agentBackend("true", "50"));
        RolloutController rollout = controller("rollback-50");
        List<String> progress = new ArrayList<>();

        RollbackReport report = rollout.rollback("p99 over 15 s", "alice", (elapsed, step) -> progress.add(step));

        System.out.printf("rollback (revision ready delay %d ms): command to verified %d ms%n%s%n",
                REVISION_READY_DELAY.toMillis(), report.elapsed().toMillis(), String.join("\n", report.describe()));
        assertThat(report.outcome()).as(String.join("\n", report.describe())).isEqualTo(RollbackReport.Outcome.VERIFIED);
        assertThat(report.problem()).isEmpty();
        assertThat(report.revision()).isNotEqualTo(RolloutController.shortName(original.getLatestReadyRevision()));
        assertThat(report.elapsed()).isPositive();
        assertThat(progress).isNotEmpty().last().asString().startsWith("verified");

        Service after = clients.services().getService(original.getName());
        assertThat(backendContainer(after).getEnvList()).extracting(EnvVar::getName, EnvVar::getValue).contains(
                org.assertj.core.groups.Tuple.tuple(RolloutSettings.FLAG, "false"),
                org.assertj.core.groups.Tuple.tuple(RolloutSettings.PERCENTAGE, "0"),
                org.assertj.core.groups.Tuple.tuple("LOG_LEVEL", "info"));
        assertThat(RolloutController.shortName(after.getLatestReadyRevision())).isEqualTo(report.revision());
        RolloutStatus status = rollout.status();
        assertThat(status.shareOf(report.revision())).isEqualTo(100);
        assertThat(status.servingIsOff()).isTrue();

        List<AuditEntry> local = new RolloutAuditLog(home.resolve("audit.jsonl")).read();
        assertThat(local).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo("rollback");
            assertThat(e.actor()).isEqualTo("alice");
            assertThat(e.environment()).isEqualTo("local");
            assertThat(e.from()).isEqualTo("flag=true, 50 %");
            assertThat(e.to()).isEqualTo("flag=false, 0 %");
            assertThat(e.reason()).isEqualTo("p99 over 15 s");
            assertThat(e.outcome()).startsWith("verified in ");
            assertThat(e.revision()).isEqualTo(report.revision());
        });
        RolloutHistory history = rollout.history(20);
        assertThat(history.cloudAuditProblem()).isEmpty();
        assertThat(history.entries()).anySatisfy(e -> {
            assertThat(e.source()).isEqualTo(AuditEntry.Source.CLOUD_AUDIT);
            assertThat(e.actor()).isEqualTo("oncall@example.com");
            assertThat(e.action()).isEqualTo("UpdateService");
        });
        assertThat(history.entries()).filteredOn(e -> e.source() == AuditEntry.Source.LOCAL).hasSize(1);
    }

    @Test
    void aSecondRollbackWritesNothingAndVerifiesAgain() throws Exception {
        create("rollback-twice", agentBackend("true", "50"));
        RolloutController rollout = controller("rollback-twice");
        RollbackReport first = rollout.rollback("first", "alice", RolloutProgress.NONE);
        long generation = clients.services().getService(rollout.serviceName()).getGeneration();

        RollbackReport second = rollout.rollback("second", "alice", RolloutProgress.NONE);

        assertThat(second.outcome()).isEqualTo(RollbackReport.Outcome.VERIFIED);
        assertThat(second.revision()).isEqualTo(first.revision());
        assertThat(second.steps()).anyMatch(s -> s.contains("nothing to write"));
        assertThat(clients.services().getService(rollout.serviceName()).getGeneration()).isEqualTo(generation);
    }

    /**
     * The figure for "command to verified": fresh clients (no channel open yet) and a controller made inside the
     * timing, as {@code sandboxctl rollout rollback} does after JVM start. Printed, not asserted.
     */
    @Test
    void rollbackFromColdClientsIsMeasured() throws Exception {
        create("rollback-cold", agentBackend("true", "50"));
        long start = System.nanoTime();
        RollbackReport report;
        try (GoogleClients cold = new GoogleClients(LocalTargets.of(cloud))) {
            report = new RolloutController(cold, "local", "rollback-cold", new RolloutAuditLog(home.resolve("audit.jsonl")),
                    RolloutController.Options.defaults()).rollback("measure", "alice", RolloutProgress.NONE);
        }
        long total = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("rollback from cold clients (revision ready delay %d ms): command to verified %d ms (report: %d ms)%n",
                REVISION_READY_DELAY.toMillis(), total, report.elapsed().toMillis());
        assertThat(report.outcome()).isEqualTo(RollbackReport.Outcome.VERIFIED);
    }

    private static Service pin(Service s) throws Exception {
        return clients.services().updateServiceAsync(s.toBuilder().clearTraffic().addTraffic(TrafficTarget.newBuilder()
                .setType(TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION)
                .setRevision(RolloutController.shortName(s.getLatestReadyRevision())).setPercent(100)).build()).get(30, TimeUnit.SECONDS);
    }

    @Test
    void rollbackOnAPinnedServiceRoutesAllTrafficToTheNewRevision() throws Exception {
        Service pinned = pin(create("rollback-pinned", agentBackend("true", "50")));
        String old = RolloutController.shortName(pinned.getLatestReadyRevision());

        RollbackReport report = controller("rollback-pinned").rollback("error rate 3 %", "bob", RolloutProgress.NONE);

        System.out.printf("rollback of a pinned service: command to verified %d ms%n%s%n", report.elapsed().toMillis(),
                String.join("\n", report.describe()));
        assertThat(report.outcome()).as(String.join("\n", report.describe())).isEqualTo(RollbackReport.Outcome.VERIFIED);
        assertThat(report.revision()).isNotEqualTo(old);
        assertThat(report.steps()).anyMatch(s -> s.contains("routing 100 % of traffic to " + report.revision()));
        RolloutStatus after = report.after().orElseThrow();
        assertThat(after.traffic()).containsExactly(new TrafficShare(report.revision(), 100, false, ""));
        assertThat(after.serving()).containsOnlyKeys(report.revision());
        assertThat(after.servingIsOff()).isTrue();
        assertThat(report.before().orElseThrow().serving()).containsEntry(old, new EnvValues("true", "50"));
    }

    @Test
    void rollbackOnAPinnedServiceStopsAndSaysSoWhenToldNotToMoveTraffic() throws Exception {
        Service pinned = pin(create("rollback-stop", agentBackend("true", "50")));
        String old = RolloutController.shortName(pinned.getLatestReadyRevision());

        RollbackReport report = controller("rollback-stop", RolloutController.Options.defaults()
                .withPinnedTraffic(RolloutController.PinnedTraffic.STOP_AND_REPORT)).rollback("drill", "bob", RolloutProgress.NONE);

        assertThat(report.outcome()).isEqualTo(RollbackReport.Outcome.NOT_SERVING);
        assertThat(report.problem()).hasValueSatisfying(p -> assertThat(p).contains("pinned").contains(report.revision()));
        RolloutStatus after = report.after().orElseThrow();
        assertThat(after.template().isOff()).isTrue();
        assertThat(after.shareOf(old)).isEqualTo(100);
        assertThat(after.servingIsOff()).as("the old revision still serves with the flag on").isFalse();
        assertThat(new RolloutAuditLog(home.resolve("audit.jsonl")).read()).singleElement()
                .satisfies(e -> assertThat(e.outcome()).startsWith("not_serving"));
    }

    @Test
    void rollbackRetriesAConcurrentChangeOrAnUnavailableApi() throws Exception {
        create("rollback-retry", agentBackend("true", "50"));
        cloud.faults().add(FaultRule.forMethod("google.cloud.run.v2.Services/UpdateService").failWith(Status.Code.UNAVAILABLE)
                .times(1).build());

        RollbackReport report = controller("rollback-retry").rollback("drill", "carol", RolloutProgress.NONE);

        assertThat(report.outcome()).as(String.join("\n", report.describe())).isEqualTo(RollbackReport.Outcome.VERIFIED);
        assertThat(report.steps()).anyMatch(s -> s.contains("attempt 1 failed (UNAVAILABLE"));
    }

    @Test
    void aRollbackThatCannotBeAppliedReportsTheStateItLeft() throws Exception {
        create("rollback-refused", agentBackend("true", "50"));
        cloud.faults().add(FaultRule.forMethod("google.cloud.run.v2.Services/UpdateService").failWith(Status.Code.PERMISSION_DENIED)
                .build());

        RollbackReport report = controller("rollback-refused").rollback("drill", "carol", RolloutProgress.NONE);

        assertThat(report.outcome()).isEqualTo(RollbackReport.Outcome.FAILED);
        assertThat(report.problem()).hasValueSatisfying(p -> assertThat(p).contains("PERMISSION_DENIED"));
        assertThat(report.after()).hasValueSatisfying(s -> assertThat(s.template()).isEqualTo(new EnvValues("true", "50")));
        assertThat(report.describe()).anyMatch(l -> l.startsWith("template:") && l.contains("flag=true, 50 %"));
        assertThat(new RolloutAuditLog(home.resolve("audit.jsonl")).read()).singleElement()
                .satisfies(e -> assertThat(e.outcome()).startsWith("failed").contains("PERMISSION_DENIED"));
    }

    @Test
    void aRollbackThatOutlivesItsTimeoutReportsWhatTheServiceIsDoing() throws Exception {
        create("rollback-slow", agentBackend("true", "50"));
        RolloutController impatient = controller("rollback-slow", RolloutController.Options.defaults()
                .withReadyTimeout(REVISION_READY_DELAY.dividedBy(5)));

        RollbackReport report = impatient.rollback("drill", "carol", RolloutProgress.NONE);

        assertThat(report.outcome()).isEqualTo(RollbackReport.Outcome.FAILED);
        assertThat(report.problem()).hasValueSatisfying(p -> assertThat(p).contains("was not done after").contains("rollout status"));
        RolloutStatus after = report.after().orElseThrow();
        assertThat(after.template().isOff()).as("the update was accepted").isTrue();
        assertThat(after.servingIsOff()).as("but its revision was not serving yet when the report was made").isFalse();
        await().atMost(10, TimeUnit.SECONDS).until(() -> controller("rollback-slow").status().servingIsOff());
    }

    @Test
    void whenTheServiceCannotBeReadTheReportSaysTheStateIsUnknown() {
        // Not a retryable code, so the test does not sit through the client's retries of GetService.
        cloud.faults().add(FaultRule.forMethod("google.cloud.run.v2.Services/GetService").failWith(Status.Code.PERMISSION_DENIED).build());

        RollbackReport report = controller("anything").rollback("drill", "carol", RolloutProgress.NONE);

        assertThat(report.outcome()).isEqualTo(RollbackReport.Outcome.FAILED);
        assertThat(report.after()).isEmpty();
        assertThat(report.problem()).hasValueSatisfying(p -> assertThat(p).contains("UNKNOWN"));
        assertThat(report.describe()).contains("state after: UNKNOWN (the service could not be read)");
    }

    @Test
    void historyShowsChangesMadeElsewhere() throws Exception {
        Service s = create("changed-elsewhere", agentBackend("true", "10"));
        Container.Builder c = s.getTemplate().getContainers(0).toBuilder()
                .setEnv(3, EnvVar.newBuilder().setName(RolloutSettings.PERCENTAGE).setValue("75"));
        clients.services().updateServiceAsync(s.toBuilder().setTemplate(s.getTemplate().toBuilder().setContainers(0, c)).build())
                .get(30, TimeUnit.SECONDS);

        RolloutHistory history = controller("changed-elsewhere").history(10);

        assertThat(history.entries()).isNotEmpty().allSatisfy(e -> assertThat(e.source()).isEqualTo(AuditEntry.Source.CLOUD_AUDIT));
        assertThat(history.entries().get(0).action()).isEqualTo("UpdateService");
        assertThat(history.entries().get(0).actor()).isEqualTo("oncall@example.com");
    }
}
