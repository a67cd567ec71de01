package io.sandboxops.app.console.rollout;

import io.sandboxops.app.console.dialog.DialogService;
import io.sandboxops.app.console.dialog.ErrorMessages;
import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.BackgroundTask;
import io.sandboxops.app.console.task.TaskExecutor;
import io.sandboxops.core.preflight.PreflightGate;
import io.sandboxops.core.rollout.ChangeResult;
import io.sandboxops.core.rollout.ChangeReview;
import io.sandboxops.core.rollout.ControlPlane;
import io.sandboxops.core.rollout.EnvValues;
import io.sandboxops.core.rollout.RolloutChange;
import io.sandboxops.core.rollout.RolloutProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * A change to the rollout: the switch and slider, the dry run (the env-var diff validated by Cloud Run, and what the
 * change does that the plan does not: skipped steps, a percentage with the flag off), then Apply with its own reason
 * and a confirmation naming what changes. A change that sends traffic to Cloud Run needs the environment's last
 * preflight (Check environment) passed and fresh, or an explicit "skip preflight" whose reason goes in the audit log,
 * as {@code sandboxctl rollout set --skip-preflight} does; Rollback never waits for one. Part of {@link RolloutViewModel}, which reads the service it changes.
 */
public final class RolloutChangeViewModel {
    private final RolloutViewModel rollout;
    private final TaskExecutor executor;
    private final StatusLine status;
    private final DialogService dialogs;

    private final BooleanProperty flag = new SimpleBooleanProperty(this, "flag");
    private final IntegerProperty percentage = new SimpleIntegerProperty(this, "percentage");
    private final StringProperty reason = new SimpleStringProperty(this, "reason", "");
    private final BooleanProperty skipPreflight = new SimpleBooleanProperty(this, "skipPreflight");
    private final ReadOnlyStringWrapper preflightProblem = new ReadOnlyStringWrapper(this, "preflightProblem", "");
    private final StringProperty typedConfirmation = new SimpleStringProperty(this, "typedConfirmation", "");
    private final ReadOnlyBooleanWrapper reasonMissing = new ReadOnlyBooleanWrapper(this, "reasonMissing");
    private final ReadOnlyObjectWrapper<ChangeResult> preview = new ReadOnlyObjectWrapper<>(this, "preview");
    private final ObservableList<String> diffLines = FXCollections.observableArrayList();
    private final ObservableList<String> planWarnings = FXCollections.observableArrayList();

    private final BooleanBinding dirty;
    private final BooleanBinding canPreview;
    private final BooleanBinding canApply;

    RolloutChangeViewModel(RolloutViewModel rollout, TaskExecutor executor, StatusLine status, DialogService dialogs) {
        this.rollout = rollout;
        this.executor = executor;
        this.status = status;
        this.dialogs = dialogs;
        dirty = Bindings.createBooleanBinding(() -> rollout.currentProperty().get() != null
                && !desired().equals(RolloutViewModel.effectiveTemplate(rollout.currentProperty().get())), rollout.currentProperty(), flag, percentage);
        canPreview = rollout.loadedProperty().and(rollout.writableProperty()).and(dirty).and(rollout.busyProperty().not());
        canApply = Bindings.createBooleanBinding(() -> preview.get() != null && preview.get().outcome() == ChangeResult.Outcome.VALID
                        && !rollout.busyProperty().get() && rollout.writableProperty().get() && !reason.get().isBlank()
                        && (!rollout.productionProperty().get() || typedConfirmation.get().trim().equals(rollout.serviceName())),
                preview, rollout.busyProperty(), rollout.writableProperty(), reason, rollout.productionProperty(), typedConfirmation);
        percentage.addListener((obs, old, now) -> {
            int snapped = rollout.snap(now.intValue());
            if (snapped != now.intValue()) {
                percentage.set(snapped);
            }
        });
        // A preview belongs to the values it was made for; changing them asks for a new one.
        flag.addListener((obs, old, now) -> clearPreview());
        percentage.addListener((obs, old, now) -> clearPreview());
        reason.addListener((obs, old, now) -> reasonMissing.set(false));
    }

    /** The change the switch and slider describe: only what differs from the service, so the audit says what was meant. */
    private RolloutChange change() {
        EnvValues now = RolloutViewModel.effectiveTemplate(rollout.currentProperty().get());
        boolean flagChanges = now.flagValue().orElse(false) != flag.get();
        boolean percentageChanges = now.percentageValue().orElse(0) != percentage.get();
        if (flagChanges && !percentageChanges) {
            return flag.get() ? RolloutChange.enable() : RolloutChange.disable();
        }
        if (!flagChanges) {
            return RolloutChange.percentage(percentage.get());
        }
        return new RolloutChange("set", Optional.of(flag.get()), OptionalInt.of(percentage.get()));
    }

    private EnvValues desired() {
        return new EnvValues(String.valueOf(flag.get()), String.valueOf(percentage.get()));
    }

    /** The dry run: the env-var diff, validated by Cloud Run, and the plan's warnings; nothing is written. */
    public void preview() {
        Optional<ControlPlane> plane = rollout.controlPlane();
        if (plane.isEmpty() || !canPreview.get()) {
            return;
        }
        RolloutChange change = change();
        EnvValues before = rollout.currentProperty().get().template();
        ChangeReview review = ChangeReview.of(rollout.plan(), before, change.applyTo(before));
        rollout.setBusy(true);
        executor.execute(BackgroundTask.of("check the change", context -> new Checked(plane.get().rollout().preview(change),
                        change.needsPreflight() ? plane.get().preflightProblem(gate()) : Optional.<String>empty()))
                .onSuccess(checked -> {
                    ChangeResult result = checked.result();
                    preflightProblem.set(checked.preflightProblem().orElse(""));
                    planWarnings.setAll(review.warnings());
                    List<String> lines = new ArrayList<>(result.diff().lines());
                    result.diff().notes().forEach(n -> lines.add("note: " + n));
                    review.warnings().forEach(w -> lines.add("warning: " + w));
                    checked.preflightProblem().ifPresent(p -> lines.add("warning: preflight: " + p + "; " + RUN_CHECK));
                    result.warnings().forEach(w -> lines.add("warning: " + w));
                    if (result.outcome() == ChangeResult.Outcome.UNCHANGED) {
                        lines.add("The service already has " + change.applyTo(result.before().template()).describe() + "; nothing to apply.");
                    }
                    diffLines.setAll(lines);
                    // Last: what the preview shows is complete when it appears.
                    preview.set(result);
                })
                .onFailure(e -> dialogs.showError("The change was refused", "Cloud Run refused the change to " + rollout.serviceName() + ": "
                        + ErrorMessages.describe(e) + "\n\nNothing was written."))
                .onFinished(() -> rollout.setBusy(false)));
    }

    /** What the dry run found: Cloud Run's answer and what stands in the way of the preflight gate, if anything. */
    private record Checked(ChangeResult result, Optional<String> preflightProblem) {
    }

    private static final String RUN_CHECK = "run Check environment (beside the environment switcher) until it passes, "
            + "or choose \"Skip preflight\" and give the reason";

    private static PreflightGate gate() {
        return PreflightGate.fromEnvironment(System.getenv());
    }

    /**
     * Applies the previewed change after a confirmation that names what changes, the plan's warnings and the reason;
     * then reads the service back. Without a reason of its own it asks for one and does nothing. When the last preflight
     * is missing, failed or stale it says so and does nothing, unless "skip preflight" is chosen: then the confirmation
     * says the preflight is skipped and a {@code preflight-skipped} entry with the reason goes in the audit log first.
     */
    public void apply() {
        Optional<ControlPlane> plane = rollout.controlPlane();
        if (plane.isEmpty() || !canApply.get()) {
            if (reason.get().isBlank()) {
                reasonMissing.set(true);
            }
            return;
        }
        RolloutChange change = change();
        String why = reason.get().trim();
        String service = rollout.serviceName();
        String environment = rollout.environment().map(ConsoleEnvironment::name).orElse("?");
        boolean skipping = change.needsPreflight() && !preflightProblem.get().isEmpty();
        if (skipping && !skipPreflight.get()) {
            dialogs.showError("Preflight needed", "Not applied: " + preflightProblem.get() + ".\n\nTo go ahead, " + RUN_CHECK
                    + " (recorded in the rollout audit log).");
            return;
        }
        EnvValues before = rollout.currentProperty().get().template();
        StringBuilder message = new StringBuilder("Set " + change.applyTo(before).describe() + " on " + service + " in " + environment
                + " (now " + before.describe() + "):\n" + String.join("\n", preview.get().diff().lines()));
        if (!planWarnings.isEmpty()) {
            message.append("\n\nThis change departs from the plan:\n").append(String.join("\n", planWarnings.stream().map(w -> "• " + w).toList()));
        }
        if (skipping) {
            message.append("\n\nPreflight SKIPPED: ").append(preflightProblem.get())
                    .append(". The skip and the reason below are recorded in the rollout audit log.");
        }
        message.append("\n\nReason: ").append(why);
        if (!dialogs.confirm("Apply the change to " + service, message.toString(), "Apply")) {
            return;
        }
        rollout.setBusy(true);
        status.info("Applying " + change.applyTo(before).describe() + " to " + service + "…");
        executor.execute(BackgroundTask.of("apply the rollout change", context -> {
                    // Decided again here, by the same gate as the CLI: a preflight may have gone stale since the dry run.
                    if (change.needsPreflight()) {
                        plane.get().requirePreflight(gate(), rollout.actor(), skipping ? Optional.of(why) : Optional.empty(), "console: Skip preflight");
                    }
                    return plane.get().rollout().apply(change, why, rollout.actor(), RolloutProgress.NONE);
                })
                .onSuccess(result -> {
                    clearPreview();
                    reason.set("");
                    typedConfirmation.set("");
                    skipPreflight.set(false);
                    String done = "Applied " + result.after().template().describe() + " on revision " + result.revision() + " in "
                            + RolloutViewModel.seconds(result.elapsed()) + ".";
                    if (result.warnings().isEmpty()) {
                        status.info(done);
                    } else {
                        status.warn(done + " " + String.join("; ", result.warnings()));
                    }
                    rollout.showApplied(result.after());
                })
                .onFailure(e -> {
                    dialogs.showError("The change was not applied", ErrorMessages.describe(e)
                            + "\n\nThe audit log records the attempt. The rollout view shows the service as it is now.");
                    rollout.refresh();
                })
                .onFinished(() -> rollout.setBusy(false)));
    }

    /** Puts the switch and slider back to what the service has. */
    public void refreshToService() {
        if (rollout.currentProperty().get() != null) {
            EnvValues template = RolloutViewModel.effectiveTemplate(rollout.currentProperty().get());
            flag.set(template.flagValue().orElse(false));
            percentage.set(rollout.snap(template.percentageValue().orElse(0)));
        }
    }

    /** Forgets the previewed change (the values it was made for changed, or the person cancelled). */
    public void clearPreview() {
        preview.set(null);
        preflightProblem.set("");
        diffLines.clear();
        planWarnings.clear();
    }

    void clear() {
        clearPreview();
        typedConfirmation.set("");
        skipPreflight.set(false);
    }

    /** The switch: the flag the change would set. */
    public BooleanProperty flagProperty() {
        return flag;
    }

    /** The slider: the percentage the change would set, always one of {@link RolloutViewModel#steps()}. */
    public IntegerProperty percentageProperty() {
        return percentage;
    }

    /** Why the change is made: Apply's own reason, recorded in the audit log with the person's name. */
    public StringProperty reasonProperty() {
        return reason;
    }

    /** The explicit choice to apply without a passed, fresh preflight; needs the reason, which the audit log records. */
    public BooleanProperty skipPreflightProperty() {
        return skipPreflight;
    }

    /** What stands in the way of the preflight gate for the previewed change (none, failed, stale); empty when nothing does. */
    public ReadOnlyStringProperty preflightProblemProperty() {
        return preflightProblem.getReadOnlyProperty();
    }

    /** What the person typed to confirm a change in production. */
    public StringProperty typedConfirmationProperty() {
        return typedConfirmation;
    }

    /** Set when Apply needed a reason and none was given, so the view can point at the field. */
    public ReadOnlyBooleanProperty reasonMissingProperty() {
        return reasonMissing.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<ChangeResult> previewProperty() {
        return preview.getReadOnlyProperty();
    }

    /** The dry run's diff, notes and warnings, one per line. */
    public ObservableList<String> diffLines() {
        return diffLines;
    }

    /** What the previewed change does that the plan does not (skipped steps, a percentage with the flag off); empty when it follows the plan. */
    public ObservableList<String> planWarnings() {
        return planWarnings;
    }

    /** Whether the switch and slider say something other than the service. */
    public BooleanBinding dirtyProperty() {
        return dirty;
    }

    public BooleanBinding canPreviewProperty() {
        return canPreview;
    }

    public BooleanBinding canApplyProperty() {
        return canApply;
    }
}
