package io.sandboxops.app.console.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.app.console.task.CurrentThreadTaskExecutor;
import io.sandboxops.app.console.testing.EmulatedControlPlane;
import io.sandboxops.app.console.testing.RecordingDialogService;
import io.sandboxops.app.console.testing.RecordingNotifier;
import io.sandboxops.core.preflight.PreflightCheck;
import io.sandboxops.core.rollout.AuditEntry;
import io.sandboxops.core.rollout.EnvValues;
import io.sandboxops.core.rollout.RollbackReport;
import io.sandboxops.core.rollout.RolloutChange;
import io.sandboxops.core.rollout.RolloutProgress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import javafx.beans.property.SimpleObjectProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's Apply goes through the same preflight gate as {@code sandboxctl rollout set}: refused with what is wrong
 * and what to do when the last preflight is missing, failed or stale; an explicit skip needs the reason and is audited;
 * Rollback never waits for a preflight. Against the embedded emulator, with the real controller.
 */
class RolloutApplyPreflightTest {

    @TempDir
    Path home;

    private final CurrentThreadTaskExecutor executor = new CurrentThreadTaskExecutor();
    private final RecordingDialogService dialogs = new RecordingDialogService();
    private final StatusLine status = new StatusLine();
    private final SimpleObjectProperty<Workspace> workspace = new SimpleObjectProperty<>();
    private EmulatedControlPlane cloud;
    private RolloutViewModel vm;

    @BeforeEach
    void open() {
        cloud = new EmulatedControlPlane(home.resolve("audit.jsonl"));
        vm = new RolloutViewModel(executor, status, dialogs, new RecordingNotifier(), workspace, "alice");
    }

    @AfterEach
    void close() {
        vm.dispose();
        cloud.close();
    }

    /** Flag on at 1 %, the plan's first step, previewed and given a reason: all Apply needs but the preflight. */
    private void previewFirstStep() {
        workspace.set(cloud.workspace());
        vm.changeViewModel().flagProperty().set(true);
        vm.changeViewModel().percentageProperty().set(1);
        vm.changeViewModel().preview();
        vm.changeViewModel().reasonProperty().set("start the rollout");
    }

    private void assertRefused(String why) {
        vm.changeViewModel().apply();
        assertThat(dialogs.shown).singleElement().asString().startsWith("error: Preflight needed: Not applied: " + why)
                .contains("run Check environment (beside the environment switcher) until it passes")
                .contains("\"Skip preflight\" and give the reason");
        assertThat(cloud.plane.rollout().status().template()).as("nothing written").isEqualTo(new EnvValues("false", "0"));
        assertThat(cloud.audit.read()).isEmpty();
    }

    @Test
    void withoutAPreflightApplyIsRefusedSayingSo() {
        previewFirstStep();
        assertRefused("no preflight of environment local is recorded");
        assertThat(vm.changeViewModel().diffLines()).anySatisfy(l -> assertThat(l).startsWith("warning: preflight: no preflight of environment local"));
    }

    @Test
    void afterAFailedPreflightApplyIsRefusedNamingWhatFailed() {
        cloud.recordPreflight(Instant.now(), PreflightCheck.Outcome.FAIL);
        previewFirstStep();
        assertRefused("the last preflight of local (");
        assertThat(dialogs.shown.get(0)).contains(") failed: the bucket's IAM binding.");
    }

    @Test
    void afterAStalePreflightApplyIsRefusedSayingHowOld() {
        cloud.recordPreflight(Instant.now().minus(Duration.ofHours(30)), PreflightCheck.Outcome.PASS);
        previewFirstStep();
        assertRefused("the last preflight of local passed at ");
        assertThat(dialogs.shown.get(0)).contains("30 h ago, older than the allowed 24 h");
    }

    @Test
    void skippingThePreflightNeedsTheReasonSaysSoInTheConfirmationAndIsAudited() {
        previewFirstStep();
        assertThat(vm.changeViewModel().preflightProblemProperty().get()).isEqualTo("no preflight of environment local is recorded");
        vm.changeViewModel().skipPreflightProperty().set(true);
        vm.changeViewModel().reasonProperty().set("");
        vm.changeViewModel().apply();
        assertThat(dialogs.shown).as("no reason, no skip").isEmpty();
        assertThat(vm.changeViewModel().reasonMissingProperty().get()).isTrue();

        vm.changeViewModel().reasonProperty().set("emulator drill; env check runs after");
        vm.changeViewModel().apply();

        assertThat(dialogs.shown).singleElement().asString().startsWith("confirm: Apply the change to manus-backend")
                .contains("Preflight SKIPPED: no preflight of environment local is recorded")
                .endsWith("Reason: emulator drill; env check runs after");
        assertThat(cloud.plane.rollout().status().template()).isEqualTo(new EnvValues("true", "1"));
        assertThat(cloud.audit.read()).extracting(AuditEntry::action, AuditEntry::reason, AuditEntry::actor).containsExactly(
                org.assertj.core.groups.Tuple.tuple("preflight-skipped", "emulator drill; env check runs after", "alice"),
                org.assertj.core.groups.Tuple.tuple("set", "emulator drill; env check runs after", "alice"));
        assertThat(cloud.audit.read().get(0).outcome()).isEqualTo("the preflight gate was skipped (console: Skip preflight)");
        assertThat(vm.changeViewModel().skipPreflightProperty().get()).as("a skip is for one change").isFalse();
    }

    @Test
    void afterAFreshPassedPreflightApplyGoesAheadAsBefore() {
        cloud.recordPassedPreflight();
        previewFirstStep();
        assertThat(vm.changeViewModel().preflightProblemProperty().get()).isEmpty();
        assertThat(vm.changeViewModel().diffLines()).noneSatisfy(l -> assertThat(l).contains("preflight"));
        vm.changeViewModel().apply();
        assertThat(dialogs.shown).singleElement().asString().startsWith("confirm: Apply the change to manus-backend").doesNotContain("Preflight");
        assertThat(cloud.plane.rollout().status().template()).isEqualTo(new EnvValues("true", "1"));
        assertThat(cloud.audit.read()).extracting(AuditEntry::action).containsExactly("set");
    }

    @Test
    void rollbackNeverWaitsForAPreflight() {
        cloud.plane.rollout().apply(new RolloutChange("set", java.util.Optional.of(true), java.util.OptionalInt.of(10)), "set up by the test",
                "test", RolloutProgress.NONE);
        workspace.set(cloud.workspace());
        vm.rollbackViewModel().reasonProperty().set("error rate 3 % at 10 %");
        vm.rollbackViewModel().rollback();
        assertThat(vm.rollbackViewModel().lastRollbackProperty().get().outcome()).isEqualTo(RollbackReport.Outcome.VERIFIED);
        assertThat(cloud.plane.rollout().status().template()).isEqualTo(new EnvValues("false", "0"));
        assertThat(cloud.audit.read()).extracting(AuditEntry::action).containsExactly("set", "rollback");
    }
}
