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
        assertThat(vm.flagProperty().get()).isFalse();
        assertThat(vm.percentageProperty().get()).isZero();
        assertThat(vm.traffic()).singleElement().satisfies(t -> assertThat(t.percent()).isEqualTo(100));
        assertThat(vm.planSteps()).extracting(PlanStepRow::percentage).containsExactly(1, 10, 25, 50, 75, 100);
        assertThat(vm.planSteps().get(0).position()).isEqualTo(PlanStepRow.Position.NEXT);
        assertThat(vm.planAdviceProperty().get()).isEqualTo("Not started: the plan starts at 1 %.");
        assertThat(vm.canPreviewProperty().get()).isFalse();
    }

    @Test
    void theSliderSnapsToThePlansSteps() {
        workspace.set(cloud.workspace());
        vm.percentageProperty().set(37);
        assertThat(vm.percentageProperty().get()).isEqualTo(25);
        vm.percentageProperty().set(6);
        assertThat(vm.percentageProperty().get()).isEqualTo(10);
        vm.percentageProperty().set(99);
        assertThat(vm.percentageProperty().get()).isEqualTo(100);
    }

    @Test
    void setFiftyShowsTheDiffFirstThenAppliesItWithTheReasonRecorded() {
        workspace.set(cloud.workspace());
        vm.flagProperty().set(true);
        vm.percentageProperty().set(50);
        assertThat(vm.canPreviewProperty().get()).isTrue();

        vm.preview();
        assertThat(vm.previewProperty().get().outcome()).isEqualTo(ChangeResult.Outcome.VALID);
        assertThat(vm.diffLines()).anySatisfy(l -> assertThat(l).contains("USE_CLOUDRUN_JOBS_SANDBOX").contains("false").contains("true"))
                .anySatisfy(l -> assertThat(l).contains("CLOUDRUN_JOBS_ROLLOUT_PERCENTAGE").contains("50"));
        assertThat(cloud.plane.rollout().status().template()).as("a dry run writes nothing").isEqualTo(new EnvValues("false", "0"));
        assertThat(vm.canApplyProperty().get()).as("no reason yet").isFalse();

        vm.reasonProperty().set("step to 50 % after two green days");
        assertThat(vm.canApplyProperty().get()).isTrue();
        vm.apply();

        assertThat(cloud.plane.rollout().status().template()).isEqualTo(new EnvValues("true", "50"));
        assertThat(vm.headlineProperty().get()).isEqualTo("Cloud Run ON for 50 % of new sessions");
        assertThat(vm.diffLines()).isEmpty();
        assertThat(vm.planSteps().get(3)).satisfies(step -> {
            assertThat(step.percentage()).isEqualTo(50);
            assertThat(step.position()).isEqualTo(PlanStepRow.Position.CURRENT);
            assertThat(step.gate()).as("no executions ran").isEqualTo(PlanStepRow.GateState.TOO_FEW_SAMPLES);
            assertThat(step.samples()).isZero();
            assertThat(step.needed()).isEqualTo(100);
        });
        assertThat(vm.planAdviceProperty().get()).startsWith("Hold 71 h 59 min more before 75 %");
        assertThat(vm.planSteps().get(2).position()).isEqualTo(PlanStepRow.Position.DONE);
        assertThat(status.messageProperty().get()).startsWith("Applied flag=true, 50 % on revision ");
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
        vm.flagProperty().set(true);
        vm.percentageProperty().set(25);
        vm.preview();
        vm.reasonProperty().set("step to 25 %");
        vm.apply();

        vm.reasonProperty().set("error rate 3 % at 25 %");
        vm.rollback();

        assertThat(dialogs.shown).anySatisfy(s -> assertThat(s).startsWith("confirm: Roll back manus-backend").contains("Reason: error rate 3 % at 25 %"));
        RollbackReport report = vm.lastRollbackProperty().get();
        assertThat(report.outcome()).isEqualTo(RollbackReport.Outcome.VERIFIED);
        assertThat(report.steps()).isNotEmpty();
        assertThat(vm.rollbackLog()).containsExactlyElementsOf(report.steps());
        assertThat(vm.rollbackStages()).extracting(RollbackStage::state).containsOnly(RollbackStage.State.DONE);
        assertThat(vm.rollbackOutcomeProperty().get()).startsWith("VERIFIED in ").contains("serves 100 % with the flag off, 0 %");
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
        vm.rollback();
        assertThat(vm.reasonMissingProperty().get()).isTrue();
        assertThat(dialogs.shown).isEmpty();
        assertThat(cloud.audit.read()).isEmpty();
        vm.reasonProperty().set("drill");
        assertThat(vm.reasonMissingProperty().get()).isFalse();
    }

    @Test
    void inProductionTheServiceNameMustBeTyped() {
        Environment prod = new Environment("prod", Environment.Kind.LOCAL, "local-project", "us-central1", "manus-backend", "", "", "", true, false);
        workspace.set(cloud.workspace(ConsoleEnvironment.of(prod)));
        vm.flagProperty().set(true);
        vm.percentageProperty().set(1);
        vm.preview();
        vm.reasonProperty().set("start the rollout");
        assertThat(vm.canApplyProperty().get()).as("the service name is not typed").isFalse();
        vm.typedConfirmationProperty().set("prod");
        assertThat(vm.canApplyProperty().get()).as("the environment's name is not the service's").isFalse();
        vm.typedConfirmationProperty().set("manus-backend");
        assertThat(vm.canApplyProperty().get()).isTrue();

        dialogs.typed = "manus-backnd";
        vm.reasonProperty().set("drill");
        vm.rollback();
        assertThat(dialogs.shown).anySatisfy(s -> assertThat(s).startsWith("type: Roll back manus-backend"));
        assertThat(vm.lastRollbackProperty().get()).as("a mistyped name rolls nothing back").isNull();
    }

    @Test
    void aReadOnlyEnvironmentRefusesEveryChange() {
        workspace.set(cloud.workspace(new ConsoleEnvironment("audit", ConsoleEnvironment.Kind.GCP, false, true, "read-only")));
        vm.flagProperty().set(true);
        vm.percentageProperty().set(10);
        assertThat(vm.canPreviewProperty().get()).isFalse();
        assertThat(vm.canRollbackProperty().get()).isFalse();
        vm.reasonProperty().set("drill");
        vm.rollback();
        assertThat(dialogs.shown).singleElement().satisfies(s -> assertThat(s).contains("is read-only; nothing was changed"));
    }

    @Test
    void anEnvironmentWithoutControlPlaneSaysWhy() {
        ConsoleEnvironment gcp = new ConsoleEnvironment("staging", ConsoleEnvironment.Kind.GCP, false, false, "staging");
        workspace.set(new io.sandboxops.app.console.testing.FakeWorkspace(gcp, java.util.Map.of(), List.of(
                new io.sandboxops.app.console.environment.ServiceStatus("Cloud Run", io.sandboxops.app.console.environment.ServiceStatus.Health.UNAVAILABLE,
                        "no Application Default Credentials"))));
        assertThat(vm.unavailableProperty().get()).isEqualTo("The rollout of staging cannot be shown. Cloud Run: no Application Default Credentials");
        assertThat(vm.canRollbackProperty().get()).isFalse();
    }

    @Test
    void theTimelineColoursTheCurrentStepsGate() {
        Gate.Result breach = new Gate.Result(Gate.Verdict.BREACH, List.of(new Gate.Check("error rate", Optional.of("3.00 %"), "≤ 1.00 %", true, 200)), 200, 100);
        List<PlanStepRow> rows = RolloutViewModel.timeline(RolloutPlan.originalPlan(), 25, Optional.of(breach), Optional.empty());
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

        vm.showTimeline(RolloutViewModel.timeline(plan, 25, Optional.of(pass), Optional.empty()));
        vm.showTimeline(RolloutViewModel.timeline(plan, 25, Optional.of(breach), Optional.empty()));
        vm.showTimeline(RolloutViewModel.timeline(plan, 25, Optional.of(breach), Optional.empty()));
        assertThat(notifier.notices).as("the next read of the same breach says nothing new").singleElement().satisfies(n -> {
            assertThat(n.level()).isEqualTo(Notifier.Level.ALARM);
            assertThat(n.title()).isEqualTo("Gate breached at 25 %");
            assertThat(n.text()).startsWith("manus-backend in local: roll back.").contains("error rate 3.00 %");
        });

        vm.showTimeline(RolloutViewModel.timeline(plan, 50, Optional.of(breach), Optional.empty()));
        vm.showTimeline(RolloutViewModel.timeline(plan, 50, Optional.of(pass), Optional.empty()));
        vm.showTimeline(RolloutViewModel.timeline(plan, 50, Optional.of(breach), Optional.empty()));
        assertThat(notifier.notices).extracting(Notifier.Notice::title)
                .containsExactly("Gate breached at 25 %", "Gate breached at 50 %", "Gate breached at 50 %");
    }
}
