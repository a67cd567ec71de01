package io.sandboxops.app.console.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.app.console.dialog.Notifier;
import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.CurrentThreadTaskExecutor;
import io.sandboxops.app.console.testing.EmulatedControlPlane;
import io.sandboxops.app.console.testing.RecordingDialogService;
import io.sandboxops.app.console.testing.RecordingNotifier;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.rollout.AuditEntry;
import io.sandboxops.core.rollout.ChangeResult;
import io.sandboxops.core.rollout.EnvValues;
import io.sandboxops.core.rollout.Gate;
import io.sandboxops.core.rollout.RollbackReport;
import io.sandboxops.core.rollout.RolloutPlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javafx.beans.property.SimpleObjectProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rollout view model driving the real controller against the embedded emulator. */
class RolloutViewModelTest {

    @TempDir
    Path home;

    private final CurrentThreadTaskExecutor executor = new CurrentThreadTaskExecutor();
    private final RecordingDialogService dialogs = new RecordingDialogService();
    private final RecordingNotifier notifier = new RecordingNotifier();
    private final StatusLine status = new StatusLine();
    private final SimpleObjectProperty<Workspace> workspace = new SimpleObjectProperty<>();
    private EmulatedControlPlane cloud;
    private RolloutViewModel vm;

    @BeforeEach
    void open() {
        cloud = new EmulatedControlPlane(home.resolve("audit.jsonl"));
        // Apply needs a passed, fresh preflight; RolloutApplyPreflightTest checks the refusal, these the change itself.
        cloud.recordPassedPreflight();
        vm = new RolloutViewModel(executor, status, dialogs, notifier, workspace, "alice");
    }

    @AfterEach
    void close() {
        vm.dispose();
        cloud.close();
    }

    @Test
    void showsTheSeededServiceWithTheRolloutOffAndThePlanNotStarted() {
        workspace.set(cloud.workspace());
        assertThat(vm.unavailableProperty().get()).isEmpty();
        assertThat(vm.headlineProperty().get()).isEqualTo("Cloud Run OFF — every new session on Docker");
        assertThat(vm.routingProperty().get()).isFalse();
        assertThat(vm.changeViewModel().flagProperty().get()).isFalse();
        assertThat(vm.changeViewModel().percentageProperty().get()).isZero();
        assertThat(vm.traffic()).singleElement().satisfies(t -> assertThat(t.percent()).isEqualTo(100));
        assertThat(vm.planSteps()).extracting(PlanStepRow::percentage).containsExactly(1, 10, 25, 50, 75, 100);
        assertThat(vm.planSteps().get(0).position()).isEqualTo(PlanStepRow.Position.NEXT);
        assertThat(vm.planAdviceProperty().get()).isEqualTo("Not started: the plan starts at 1 %.");
        assertThat(vm.changeViewModel().canPreviewProperty().get()).isFalse();
    }

    @Test
    void theSliderSnapsToThePlansSteps() {
        workspace.set(cloud.workspace());
        vm.changeViewModel().percentageProperty().set(37);
        assertThat(vm.changeViewModel().percentageProperty().get()).isEqualTo(25);
        vm.changeViewModel().percentageProperty().set(6);
        assertThat(vm.changeViewModel().percentageProperty().get()).isEqualTo(10);
        vm.changeViewModel().percentageProperty().set(99);
        assertThat(vm.changeViewModel().percentageProperty().get()).isEqualTo(100);
    }

    @Test
    void setFiftyShowsTheDiffFirstThenAppliesItWithTheReasonRecorded() {
        workspace.set(cloud.workspace());
        vm.changeViewModel().flagProperty().set(true);
        vm.changeViewModel().percentageProperty().set(50);
        assertThat(vm.changeViewModel().canPreviewProperty().get()).isTrue();

        vm.changeViewModel().preview();
        assertThat(vm.changeViewModel().previewProperty().get().outcome()).isEqualTo(ChangeResult.Outcome.VALID);
        assertThat(vm.changeViewModel().diffLines()).anySatisfy(l -> assertThat(l).contains("USE_CLOUDRUN_JOBS_SANDBOX").contains("false").contains("true"))
                .anySatisfy(l -> assertThat(l).contains("CLOUDRUN_JOBS_ROLLOUT_PERCENTAGE").contains("50"));
        assertThat(cloud.plane.rollout().status().template()).as("a dry run writes nothing").isEqualTo(new EnvValues("false", "0"));
        assertThat(vm.changeViewModel().canApplyProperty().get()).as("no reason yet").isFalse();
        assertThat(vm.changeViewModel().planWarnings()).singleElement().asString()
                .startsWith("going from 0 % to 50 % skips the plan's 1 % step (hold 24 h), 10 % step (hold 48 h), 25 % step (hold 48 h)");
        assertThat(vm.changeViewModel().diffLines()).anySatisfy(l -> assertThat(l).startsWith("warning: going from 0 % to 50 % skips"));
        vm.rollbackViewModel().reasonProperty().set("a reason typed under Rollback");
        assertThat(vm.changeViewModel().canApplyProperty().get()).as("the rollback's reason is not the change's").isFalse();

        vm.changeViewModel().reasonProperty().set("step to 50 % after two green days");
        assertThat(vm.changeViewModel().canApplyProperty().get()).isTrue();
        vm.changeViewModel().apply();

        assertThat(cloud.plane.rollout().status().template()).isEqualTo(new EnvValues("true", "50"));
        assertThat(vm.headlineProperty().get()).isEqualTo("Cloud Run ON for 50 % of new sessions");
        assertThat(vm.changeViewModel().diffLines()).isEmpty();
        assertThat(vm.planSteps().get(3)).satisfies(step -> {
            assertThat(step.percentage()).isEqualTo(50);
            assertThat(step.position()).isEqualTo(PlanStepRow.Position.CURRENT);
            assertThat(step.gate()).as("no executions ran").isEqualTo(PlanStepRow.GateState.TOO_FEW_SAMPLES);
            assertThat(step.samples()).isZero();
            assertThat(step.needed()).isEqualTo(100);
        });
        assertThat(vm.planAdviceProperty().get()).startsWith("Hold 71 h 59 min more before 75 %");
        assertThat(vm.planSteps()).extracting(PlanStepRow::position).as("0 → 50 % went past 1, 10 and 25 % without stopping")
                .startsWith(PlanStepRow.Position.SKIPPED, PlanStepRow.Position.SKIPPED, PlanStepRow.Position.SKIPPED, PlanStepRow.Position.CURRENT);
        assertThat(status.messageProperty().get()).startsWith("Applied flag=true, 50 % on revision ");
        assertThat(dialogs.shown).singleElement().asString().startsWith("confirm: Apply the change to manus-backend: Set flag=true, 50 % on "
                + "manus-backend in local (now flag=false, 0 %)").contains("This change departs from the plan:\n• going from 0 % to 50 % skips")
                .endsWith("Reason: step to 50 % after two green days");
        assertThat(vm.rollbackViewModel().reasonProperty().get()).as("the rollback's reason is left alone").isEqualTo("a reason typed under Rollback");
        assertThat(cloud.audit.read()).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo("alice");
            assertThat(e.action()).isEqualTo("set");
            assertThat(e.reason()).isEqualTo("step to 50 % after two green days");
            assertThat(e.to()).isEqualTo("flag=true, 50 %");
        });
    }

    @Test
    void rollbackIsConfirmedThenVerifiedWithItsStepsAndElapsedTime() {
        workspace.set(cloud.workspace());
        vm.changeViewModel().flagProperty().set(true);
        vm.changeViewModel().percentageProperty().set(25);
        vm.changeViewModel().preview();
        vm.changeViewModel().reasonProperty().set("step to 25 %");
        vm.changeViewModel().apply();

        vm.rollbackViewModel().reasonProperty().set("error rate 3 % at 25 %");
        vm.rollbackViewModel().rollback();

        assertThat(dialogs.shown).anySatisfy(s -> assertThat(s).startsWith("confirm: Roll back manus-backend").contains("Reason: error rate 3 % at 25 %"));
        RollbackReport report = vm.rollbackViewModel().lastRollbackProperty().get();
        assertThat(report.outcome()).isEqualTo(RollbackReport.Outcome.VERIFIED);
        assertThat(report.steps()).isNotEmpty();
        assertThat(vm.rollbackViewModel().rollbackLog()).containsExactlyElementsOf(report.steps());
        assertThat(vm.rollbackViewModel().rollbackStages()).extracting(RollbackStage::state).containsOnly(RollbackStage.State.DONE);
        assertThat(vm.rollbackViewModel().rollbackOutcomeProperty().get()).startsWith("VERIFIED in ").contains("serves 100 % with the flag off, 0 %");
        assertThat(vm.headlineProperty().get()).isEqualTo("Cloud Run OFF — every new session on Docker");
        assertThat(cloud.plane.rollout().status().template()).isEqualTo(new EnvValues("false", "0"));
        assertThat(notifier.notices).singleElement().satisfies(n -> {
            assertThat(n.level()).isEqualTo(Notifier.Level.DONE);
            assertThat(n.title()).isEqualTo("Rollback verified");
            assertThat(n.text()).startsWith("manus-backend: every new session goes to Docker (");
        });
        assertThat(cloud.audit.read()).extracting(AuditEntry::action, AuditEntry::reason)
                .contains(org.assertj.core.groups.Tuple.tuple("rollback", "error rate 3 % at 25 %"));
    }

    @Test
    void rollbackWithoutAReasonAsksForOneAndChangesNothing() {
        workspace.set(cloud.workspace());
        vm.rollbackViewModel().rollback();
        assertThat(vm.rollbackViewModel().reasonMissingProperty().get()).isTrue();
        assertThat(dialogs.shown).isEmpty();
        assertThat(cloud.audit.read()).isEmpty();
        vm.rollbackViewModel().reasonProperty().set("drill");
        assertThat(vm.rollbackViewModel().reasonMissingProperty().get()).isFalse();
    }

    @Test
    void inProductionTheServiceNameMustBeTyped() {
        Environment prod = new Environment("prod", Environment.Kind.LOCAL, "local-project", "us-central1", "manus-backend", "", "", "", true, false);
        workspace.set(cloud.workspace(ConsoleEnvironment.of(prod)));
        vm.changeViewModel().flagProperty().set(true);
        vm.changeViewModel().percentageProperty().set(1);
        vm.changeViewModel().preview();
        vm.changeViewModel().reasonProperty().set("start the rollout");
        assertThat(vm.changeViewModel().canApplyProperty().get()).as("the service name is not typed").isFalse();
        vm.changeViewModel().typedConfirmationProperty().set("prod");
        assertThat(vm.changeViewModel().canApplyProperty().get()).as("the environment's name is not the service's").isFalse();
        vm.changeViewModel().typedConfirmationProperty().set("manus-backend");
        assertThat(vm.changeViewModel().canApplyProperty().get()).isTrue();

        dialogs.typed = "manus-backnd";
        vm.rollbackViewModel().reasonProperty().set("drill");
        vm.rollbackViewModel().rollback();
        assertThat(dialogs.shown).anySatisfy(s -> assertThat(s).startsWith("type: Roll back manus-backend"));
        assertThat(vm.rollbackViewModel().lastRollbackProperty().get()).as("a mistyped name rolls nothing back").isNull();
    }

    @Test
    void aReadOnlyEnvironmentRefusesEveryChange() {
        workspace.set(cloud.workspace(new ConsoleEnvironment("audit", ConsoleEnvironment.Kind.GCP, false, true, "read-only")));
        vm.changeViewModel().flagProperty().set(true);
        vm.changeViewModel().percentageProperty().set(10);
        assertThat(vm.changeViewModel().canPreviewProperty().get()).isFalse();
        assertThat(vm.rollbackViewModel().canRollbackProperty().get()).isFalse();
        vm.rollbackViewModel().reasonProperty().set("drill");
        vm.rollbackViewModel().rollback();
        assertThat(dialogs.shown).singleElement().satisfies(s -> assertThat(s).contains("is read-only; nothing was changed"));
    }

    @Test
    void anEnvironmentWithoutControlPlaneSaysWhy() {
        ConsoleEnvironment gcp = new ConsoleEnvironment("staging", ConsoleEnvironment.Kind.GCP, false, false, "staging");
        workspace.set(new io.sandboxops.app.console.testing.FakeWorkspace(gcp, java.util.Map.of(), List.of(
                new io.sandboxops.app.console.environment.ServiceStatus("Cloud Run", io.sandboxops.app.console.environment.ServiceStatus.Health.UNAVAILABLE,
                        "no Application Default Credentials"))));
        assertThat(vm.unavailableProperty().get()).isEqualTo("The rollout of staging cannot be shown. Cloud Run: no Application Default Credentials");
        assertThat(vm.rollbackViewModel().canRollbackProperty().get()).isFalse();
    }

    @Test
    void theTimelineColoursTheCurrentStepsGate() {
        Gate.Result breach = new Gate.Result(Gate.Verdict.BREACH, List.of(new Gate.Check("error rate", Optional.of("3.00 %"), "≤ 1.00 %", true, 200)), 200, 100);
        List<PlanStepRow> rows = RolloutViewModel.timeline(RolloutPlan.originalPlan(), 25, List.of(
                entry("flag=true, 10 %"), entry("flag=true, 1 %")), Optional.of(breach), Optional.empty());
        assertThat(rows).extracting(PlanStepRow::position).containsExactly(PlanStepRow.Position.DONE, PlanStepRow.Position.DONE,
                PlanStepRow.Position.CURRENT, PlanStepRow.Position.NEXT, PlanStepRow.Position.LATER, PlanStepRow.Position.LATER);
        assertThat(rows.get(2).gate()).isEqualTo(PlanStepRow.GateState.BREACH);
        assertThat(rows.get(2).detail()).contains("error rate 3.00 % (gate ≤ 1.00 %, n=200) BREACHED");
    }

    @Test
    void aGateTurningRedRaisesOneAlarmPerStep() {
        workspace.set(cloud.workspace());
        Gate.Result breach = new Gate.Result(Gate.Verdict.BREACH, List.of(new Gate.Check("error rate", Optional.of("3.00 %"), "≤ 1.00 %", true, 200)), 200, 100);
        Gate.Result pass = new Gate.Result(Gate.Verdict.PASS, List.of(), 200, 100);
        RolloutPlan plan = RolloutPlan.originalPlan();
        assertThat(notifier.notices).as("the seeded service has no gate measured").isEmpty();

        vm.showTimeline(RolloutViewModel.timeline(plan, 25, List.of(), Optional.of(pass), Optional.empty()));
        vm.showTimeline(RolloutViewModel.timeline(plan, 25, List.of(), Optional.of(breach), Optional.empty()));
        vm.showTimeline(RolloutViewModel.timeline(plan, 25, List.of(), Optional.of(breach), Optional.empty()));
        assertThat(notifier.notices).as("the next read of the same breach says nothing new").singleElement().satisfies(n -> {
            assertThat(n.level()).isEqualTo(Notifier.Level.ALARM);
            assertThat(n.title()).isEqualTo("Gate breached at 25 %");
            assertThat(n.text()).startsWith("manus-backend in local: roll back.").contains("error rate 3.00 %");
        });

        vm.showTimeline(RolloutViewModel.timeline(plan, 50, List.of(), Optional.of(breach), Optional.empty()));
        vm.showTimeline(RolloutViewModel.timeline(plan, 50, List.of(), Optional.of(pass), Optional.empty()));
        vm.showTimeline(RolloutViewModel.timeline(plan, 50, List.of(), Optional.of(breach), Optional.empty()));
        assertThat(notifier.notices).extracting(Notifier.Notice::title)
                .containsExactly("Gate breached at 25 %", "Gate breached at 50 %", "Gate breached at 50 %");
    }

    /** An applied change to {@code to}, as the audit log records it. */
    private static AuditEntry entry(String to) {
        return new AuditEntry(java.time.Instant.now(), AuditEntry.Source.LOCAL, "alice", "local", "manus-backend", "set", "", to, "step",
                "applied", "r-1");
    }

    @Test
    void aJumpFromZeroToTenShowsOnePercentSkippedAndTheStripSaysWhereTheRolloutIs() {
        workspace.set(cloud.workspace());
        vm.changeViewModel().flagProperty().set(true);
        vm.changeViewModel().percentageProperty().set(10);
        vm.changeViewModel().preview();
        vm.changeViewModel().reasonProperty().set("1 % ran a week on staging");
        vm.changeViewModel().apply();

        assertThat(vm.planSteps()).extracting(PlanStepRow::position).containsExactly(PlanStepRow.Position.SKIPPED, PlanStepRow.Position.CURRENT,
                PlanStepRow.Position.NEXT, PlanStepRow.Position.LATER, PlanStepRow.Position.LATER, PlanStepRow.Position.LATER);
        assertThat(vm.planSteps().get(0).detail()).startsWith("skipped: the rollout went past 1 % without stopping there");
        RolloutHealth health = vm.healthProperty().get();
        assertThat(health.flag()).isEqualTo("on");
        assertThat(health.percentage()).isEqualTo("10 %");
        assertThat(health.step()).matches("10 % · 4[78] h \\d+ min left \\(skipped 1 %\\)");
        assertThat(health.gate()).isEqualTo("too few samples (0 of 100)");
        assertThat(health.errorRates()).isEqualTo("Cloud Run – (n=0) · Docker – (n=0)");
        assertThat(health.lastChange()).startsWith("alice, ").endsWith(", “1 % ran a week on staging”");
        assertThat(health.alarm()).isFalse();
    }

    @Test
    void aPercentageWithTheFlagOffIsFlaggedInTheDryRun() {
        workspace.set(cloud.workspace());
        vm.changeViewModel().percentageProperty().set(10);
        vm.changeViewModel().preview();
        assertThat(vm.changeViewModel().planWarnings()).singleElement().asString()
                .startsWith("the flag stays off, so setting 10 % changes nothing");
        assertThat(vm.changeViewModel().diffLines()).anySatisfy(l -> assertThat(l).startsWith("warning: the flag stays off"));
    }

    @Test
    void applyCancelledAtTheConfirmationWritesNothing() {
        workspace.set(cloud.workspace());
        vm.changeViewModel().flagProperty().set(true);
        vm.changeViewModel().percentageProperty().set(1);
        vm.changeViewModel().preview();
        assertThat(vm.changeViewModel().planWarnings()).as("0 → 1 % follows the plan").isEmpty();
        vm.changeViewModel().reasonProperty().set("start the rollout");
        dialogs.answer = false;
        vm.changeViewModel().apply();
        assertThat(dialogs.shown).singleElement().asString().startsWith("confirm: Apply the change to manus-backend")
                .doesNotContain("departs from the plan");
        assertThat(cloud.plane.rollout().status().template()).isEqualTo(new EnvValues("false", "0"));
        assertThat(cloud.audit.read()).isEmpty();
    }
}
