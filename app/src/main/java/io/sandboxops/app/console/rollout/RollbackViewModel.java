package io.sandboxops.app.console.rollout;

import io.sandboxops.app.console.dialog.DialogService;
import io.sandboxops.app.console.dialog.ErrorMessages;
import io.sandboxops.app.console.dialog.Notifier;
import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.BackgroundTask;
import io.sandboxops.app.console.task.TaskExecutor;
import io.sandboxops.core.rollout.ControlPlane;
import io.sandboxops.core.rollout.RollbackReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The way back: flag off and 0 % in one update after a confirmation, with its progress (update, revision ready,
 * verified), its verdict and elapsed time, and its steps. Part of {@link RolloutViewModel}.
 */
public final class RollbackViewModel {
    private final RolloutViewModel rollout;
    private final TaskExecutor executor;
    private final StatusLine status;
    private final DialogService dialogs;
    private final Notifier notifier;

    private final StringProperty reason = new SimpleStringProperty(this, "reason", "");
    private final ReadOnlyBooleanWrapper reasonMissing = new ReadOnlyBooleanWrapper(this, "reasonMissing");
    private final ObservableList<RollbackStage> stages = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper rollingBack = new ReadOnlyBooleanWrapper(this, "rollingBack");
    private final ReadOnlyStringWrapper outcome = new ReadOnlyStringWrapper(this, "outcome", "");
    private final ReadOnlyObjectWrapper<RollbackReport> last = new ReadOnlyObjectWrapper<>(this, "last");
    private final ObservableList<String> log = FXCollections.observableArrayList();
    private final BooleanBinding canRollback;

    RollbackViewModel(RolloutViewModel rollout, TaskExecutor executor, StatusLine status, DialogService dialogs, Notifier notifier) {
        this.rollout = rollout;
        this.executor = executor;
        this.status = status;
        this.dialogs = dialogs;
        this.notifier = notifier;
        canRollback = rollout.loadedProperty().and(rollout.writableProperty()).and(rollout.busyProperty().not());
        resetStages();
        reason.addListener((obs, old, now) -> reasonMissing.set(false));
    }

    /**
     * Rolls back: asks for confirmation (the service name typed in production), then flag off and 0 % in one update,
     * waits for the revision, verifies the traffic. Needs a reason; without one it asks for it and does nothing.
     */
    public void rollback() {
        Optional<ControlPlane> plane = rollout.controlPlane();
        if (plane.isEmpty() || rollout.busyProperty().get()) {
            return;
        }
        ConsoleEnvironment env = rollout.environment().orElseThrow();
        String service = rollout.serviceName();
        if (!env.writesAllowed()) {
            dialogs.showError("Roll back", "The environment \"" + env.name() + "\" is read-only; nothing was changed.");
            return;
        }
        if (reason.get().isBlank()) {
            reasonMissing.set(true);
            status.warn("Say why you roll back (the reason field next to Rollback); it is recorded in the audit log.");
            return;
        }
        String why = reason.get().trim();
        String message = "Set USE_CLOUDRUN_JOBS_SANDBOX=false and CLOUDRUN_JOBS_ROLLOUT_PERCENTAGE=0 on " + service + " in " + env.name()
                + ": every new session goes to Docker. Sessions already on Cloud Run keep running.\n\nReason: " + why;
        boolean confirmed = env.production()
                ? dialogs.confirmByTyping("Roll back " + service, message + "\n\nThis is the production environment \"" + env.name() + "\".", service)
                : dialogs.confirm("Roll back " + service, message, "Roll back");
        if (!confirmed) {
            return;
        }
        rollout.setBusy(true);
        rollingBack.set(true);
        outcome.set("Rolling back…");
        log.clear();
        last.set(null);
        resetStages();
        rollout.changeViewModel().clearPreview();
        AtomicReference<String> latestStep = new AtomicReference<>("");
        executor.execute(BackgroundTask.of("roll back " + service, context -> plane.get().rollout().rollback(why, rollout.actor(), (elapsed, step) -> {
                    latestStep.set(step);
                    context.progress(elapsed.toMillis(), -1);
                }))
                .onProgress((done, total) -> advanceStages(latestStep.get()))
                .onSuccess(this::finish)
                .onFailure(e -> {
                    // The core's rollback reports rather than throws; this is a failure around it (e.g. interrupted).
                    markRunningStageFailed();
                    outcome.set("Rollback FAILED: " + ErrorMessages.describe(e) + ". Read the service's state above before trying again.");
                    status.error(outcome.get());
                    notifier.alarm("Rollback FAILED", service + ": " + ErrorMessages.describe(e));
                    rollout.refresh();
                })
                .onFinished(() -> {
                    rollout.setBusy(false);
                    rollingBack.set(false);
                }));
    }

    private void finish(RollbackReport report) {
        String service = rollout.serviceName();
        last.set(report);
        log.setAll(report.steps());
        String elapsed = RolloutViewModel.seconds(report.elapsed());
        switch (report.outcome()) {
            case VERIFIED -> {
                setStages(RollbackStage.State.DONE, RollbackStage.State.DONE, RollbackStage.State.DONE);
                outcome.set("VERIFIED in " + elapsed + " at " + clock() + ": revision " + report.revision() + " serves 100 % with the flag off, 0 %.");
                status.info("Rollback of " + service + " verified in " + elapsed + ".");
                notifier.done("Rollback verified", service + ": every new session goes to Docker (" + elapsed + ").");
                reason.set("");
            }
            case NOT_SERVING -> {
                setStages(RollbackStage.State.DONE, RollbackStage.State.DONE, RollbackStage.State.FAILED);
                outcome.set("NOT SERVING after " + elapsed + " at " + clock() + ": " + report.problem().orElse("the new revision gets no traffic"));
                status.error("Rollback of " + service + " is not serving: " + report.problem().orElse(""));
                notifier.alarm("Rollback NOT serving", service + ": " + outcome.get());
            }
            case FAILED -> {
                markRunningStageFailed();
                outcome.set("FAILED after " + elapsed + " at " + clock() + ": " + report.problem().orElse("unknown problem"));
                status.error("Rollback of " + service + " failed: " + report.problem().orElse(""));
                notifier.alarm("Rollback FAILED", service + ": " + outcome.get());
            }
        }
        report.after().ifPresentOrElse(rollout::showApplied, rollout::refresh);
    }

    /** Moves the progress on from the controller's step messages; a stage once reached never goes back. */
    private void advanceStages(String step) {
        if (step.startsWith("revision ") && step.endsWith(" is ready")) {
            setStages(RollbackStage.State.DONE, RollbackStage.State.DONE, RollbackStage.State.RUNNING);
        } else if (step.startsWith("verifying") || step.startsWith("routing")) {
            setStages(RollbackStage.State.DONE, RollbackStage.State.DONE, RollbackStage.State.RUNNING);
        } else if (step.startsWith("UpdateService") || step.startsWith("the service already has")) {
            if (stages.get(1).state() == RollbackStage.State.WAITING) {
                setStages(RollbackStage.State.RUNNING, RollbackStage.State.RUNNING, RollbackStage.State.WAITING);
            }
        }
    }

    private void markRunningStageFailed() {
        List<RollbackStage> now = new ArrayList<>(stages);
        boolean marked = false;
        for (int i = 0; i < now.size(); i++) {
            if (now.get(i).state() == RollbackStage.State.RUNNING || (!marked && now.get(i).state() == RollbackStage.State.WAITING)) {
                now.set(i, new RollbackStage(now.get(i).label(), marked ? RollbackStage.State.WAITING : RollbackStage.State.FAILED));
                marked = true;
            }
        }
        stages.setAll(now);
    }

    private void resetStages() {
        stages.setAll(new RollbackStage(RollbackStage.UPDATE, RollbackStage.State.WAITING),
                new RollbackStage(RollbackStage.READY, RollbackStage.State.WAITING),
                new RollbackStage(RollbackStage.VERIFIED, RollbackStage.State.WAITING));
    }

    private void setStages(RollbackStage.State update, RollbackStage.State ready, RollbackStage.State verified) {
        stages.setAll(new RollbackStage(RollbackStage.UPDATE, update), new RollbackStage(RollbackStage.READY, ready),
                new RollbackStage(RollbackStage.VERIFIED, verified));
    }

    void clear() {
        outcome.set("");
        log.clear();
        last.set(null);
        resetStages();
    }

    /** The time of day, so a rollback's verdict says when it was reached. */
    private static String clock() {
        return java.time.LocalTime.now().withNano(0).toString();
    }

    /** Why the rollback is made, recorded in the audit log with the person's name. */
    public StringProperty reasonProperty() {
        return reason;
    }

    /** Set when Rollback needed a reason and none was given, so the view can point at the field. */
    public ReadOnlyBooleanProperty reasonMissingProperty() {
        return reasonMissing.getReadOnlyProperty();
    }

    public BooleanBinding canRollbackProperty() {
        return canRollback;
    }

    public ObservableList<RollbackStage> rollbackStages() {
        return stages;
    }

    public ReadOnlyBooleanProperty rollingBackProperty() {
        return rollingBack.getReadOnlyProperty();
    }

    /** The rollback's verdict and elapsed time, empty before one. */
    public ReadOnlyStringProperty rollbackOutcomeProperty() {
        return outcome.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<RollbackReport> lastRollbackProperty() {
        return last.getReadOnlyProperty();
    }

    /** The last rollback's steps with their times. */
    public ObservableList<String> rollbackLog() {
        return log;
    }
}
