package io.sandboxops.app.console.rollout;

import io.sandboxops.core.testing.LocalTargets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.CurrentThreadTaskExecutor;
import io.sandboxops.app.console.testing.EmulatedControlPlane;
import io.sandboxops.app.console.testing.RecordingDialogService;
import io.sandboxops.app.console.testing.RecordingNotifier;
import io.sandboxops.app.cli.SandboxCtlProcess;
import io.sandboxops.app.env.RunningEmulator;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.rollout.AuditEntry;
import io.sandboxops.core.rollout.EnvValues;
import io.sandboxops.core.rollout.RollbackReport;
import io.sandboxops.core.rollout.RolloutAuditLog;
import io.sandboxops.core.rollout.RolloutProgress;
import io.sandboxops.core.rollout.RolloutStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javafx.beans.property.SimpleObjectProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8: the process driving a rollback is killed (SIGKILL) after Cloud Run accepted the update and before the new
 * revision is ready. A console opened afterwards must show the service as it truly is — the flag off in the template,
 * the old values still serving while the new revision becomes ready, then off everywhere — and the history must show
 * the write, though the killed process never wrote its own audit line.
 *
 * <p>The killed process is {@code sandboxctl rollout rollback} in its own JVM: it runs the same {@code RolloutController}
 * the console's Rollback button runs, and a separate process is what makes the kill real. The console that opens
 * afterwards is the rollout view model over a new control plane, as after a restart.
 */
class RollbackInterruptedTest {
    private static final Duration REVISION_READY_DELAY = Duration.ofSeconds(6);

    @TempDir
    Path home;

    private String savedHome;
    private EmulatedControlPlane cloud;

    @BeforeEach
    void start() {
        savedHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        cloud = new EmulatedControlPlane(home.resolve("test-audit.jsonl"), Environment.local(), REVISION_READY_DELAY);
        RunningEmulator.record(LocalTargets.of(cloud.cloud));
    }

    @AfterEach
    void stop() {
        RunningEmulator.forget();
        cloud.close();
        System.setProperty("user.home", savedHome);
    }

    @Test
    void aConsoleOpenedAfterTheRollbackProcessWasKilledShowsTheTrueStateOfTheService() throws Exception {
        // The rollout at 50 %, as it would be when someone decides to roll back.
        cloud.plane.rollout().setPercentage(50, "half", "alice", RolloutProgress.NONE);
        cloud.plane.rollout().enable("go", "alice", RolloutProgress.NONE);
        assertThat(cloud.plane.rollout().status().servingIsOff()).isFalse();

        Process rollback = SandboxCtlProcess.start(home, Map.of(), "rollout", "rollback", "--reason", "drill: killed half-way");
        try {
            // Cloud Run has the update (template off) and waits for the new revision: now the process dies.
            await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20))
                    .until(() -> !rollback.isAlive() || cloud.plane.rollout().status().template().isOff());
            assertThat(rollback.isAlive()).as("the rollback was still waiting for its revision").isTrue();
            rollback.destroyForcibly();
            assertThat(rollback.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            rollback.destroyForcibly();
        }
        assertThat(rollback.exitValue()).as("killed by SIGKILL").isEqualTo(137);

        // The console is opened again.
        SimpleObjectProperty<Workspace> workspace = new SimpleObjectProperty<>();
        RolloutViewModel vm = new RolloutViewModel(new CurrentThreadTaskExecutor(), new StatusLine(), new RecordingDialogService(),
                new RecordingNotifier(), workspace, "bob");
        try {
            workspace.set(cloud.workspace());
            RolloutStatus reopened = vm.currentProperty().get();
            assertThat(reopened.template()).as("the update Cloud Run accepted").isEqualTo(new EnvValues("false", "0"));
            assertThat(reopened.latestReadyRevision()).isNotEqualTo(reopened.latestCreatedRevision());
            assertThat(vm.headlineProperty().get()).as("the old revision still serves").isEqualTo("Cloud Run ON for 50 % of new sessions");
            assertThat(vm.servingRevisionProperty().get()).contains("is not ready yet");
            String firstLook = vm.headlineProperty().get() + "; " + vm.servingRevisionProperty().get();

            // Cloud Run finishes what it accepted; the console follows.
            await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).until(() -> {
                vm.refresh();
                return vm.currentProperty().get().servingIsOff();
            });
            assertThat(vm.headlineProperty().get()).isEqualTo("Cloud Run OFF — every new session on Docker");
            assertThat(vm.traffic()).singleElement().satisfies(t -> assertThat(t.percent()).isEqualTo(100));
            String secondLook = vm.headlineProperty().get() + "; " + vm.servingRevisionProperty().get();

            // The killed process wrote no audit line; Cloud Audit Logs has the UpdateService it sent.
            Path localAudit = RolloutAuditLog.inUserHome().file();
            List<AuditEntry> local = Files.exists(localAudit) ? new RolloutAuditLog(localAudit).read() : List.of();
            assertThat(local).noneMatch(e -> e.action().equals("rollback"));
            List<AuditEntry> history = cloud.plane.rollout().history(50).entries();
            assertThat(history).anyMatch(e -> e.source() == AuditEntry.Source.CLOUD_AUDIT && e.action().equals("UpdateService")
                    && e.time().isAfter(reopened.lastChange().orElseThrow().minusSeconds(5)));

            // Rollback stays one step away: running it again verifies and writes nothing.
            RollbackReport again = cloud.plane.rollout().rollback("after the crash", "bob", RolloutProgress.NONE);
            assertThat(again.outcome()).as(String.join("\n", again.describe())).isEqualTo(RollbackReport.Outcome.VERIFIED);

            System.out.println("FAULT | control plane | the process running `rollout rollback` is killed (SIGKILL) after UpdateService "
                    + "was accepted, " + REVISION_READY_DELAY.toSeconds() + " s before the new revision is ready | reopened console: \""
                    + firstLook + "\", then \"" + secondLook + "\" | Cloud Run applied the accepted update; flag false, 0 %, new "
                    + "revision serving 100 % | audit: no local line from the killed process; Cloud Audit Logs shows the UpdateService;"
                    + " a second rollback verified without writing");
        } finally {
            vm.dispose();
        }
    }

}
