package io.sandboxops.app.console.rollout;

import io.sandboxops.app.console.dialog.DialogService;
import io.sandboxops.app.console.dialog.ErrorMessages;
import io.sandboxops.app.console.dialog.Notifier;
import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.ServiceStatus;
import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.app.console.status.HumanReadable;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.BackgroundTask;
import io.sandboxops.app.console.task.RefreshGate;
import io.sandboxops.app.console.task.TaskExecutor;
import io.sandboxops.app.console.task.TaskHandle;
import io.sandboxops.core.rollout.ChangeResult;
import io.sandboxops.core.rollout.ControlPlane;
import io.sandboxops.core.rollout.EnvValues;
import io.sandboxops.core.rollout.Gate;
import io.sandboxops.core.rollout.PlanReview;
import io.sandboxops.core.rollout.RollbackReport;
import io.sandboxops.core.rollout.RolloutChange;
import io.sandboxops.core.rollout.RolloutPlan;
import io.sandboxops.core.rollout.RolloutProgress;
import io.sandboxops.core.rollout.RolloutStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
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
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The rollout of the environment's agent backend service (DESIGN §6): where it stands (flag, percentage, serving
 * revision, traffic split, the plan's step and gate), a change with its env-var diff shown before it is applied,
 * and a rollback that says how far it got and when it was verified. Every change needs a reason, recorded in
 * the audit log with the person's name; in production, the service name typed.
 */
public final class RolloutViewModel {
    public static final Duration REFRESH_PERIOD = Duration.ofSeconds(15);
    /**
     * How often the plan's gate is measured: it scans the logs since the step began, which Cloud Logging's read quota
     * (about 60 a minute per project) does not allow every {@link #REFRESH_PERIOD}; the service itself is read every time.
     */
    public static final Duration GATE_PERIOD = Duration.ofMinutes(2);

    private final TaskExecutor executor;
    private final StatusLine status;
    private final DialogService dialogs;
    private final Notifier notifier;
    private final ObservableValue<Workspace> workspace;
    private final String actor;
    private final RolloutPlan plan;
    private final List<Integer> steps;

    private final ReadOnlyStringWrapper unavailable = new ReadOnlyStringWrapper(this, "unavailable", "");
    private final ReadOnlyObjectWrapper<RolloutStatus> current = new ReadOnlyObjectWrapper<>(this, "current");
    private final ReadOnlyStringWrapper headline = new ReadOnlyStringWrapper(this, "headline", "");
    private final ReadOnlyBooleanWrapper routing = new ReadOnlyBooleanWrapper(this, "routing");
    private final ReadOnlyStringWrapper servingRevision = new ReadOnlyStringWrapper(this, "servingRevision", "");
    private final ReadOnlyStringWrapper lastChange = new ReadOnlyStringWrapper(this, "lastChange", "");
    private final ObservableList<TrafficRow> traffic = FXCollections.observableArrayList();
    private final ObservableList<PlanStepRow> planSteps = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper planAdvice = new ReadOnlyStringWrapper(this, "planAdvice", "");

    private final BooleanProperty flag = new SimpleBooleanProperty(this, "flag");
    private final IntegerProperty percentage = new SimpleIntegerProperty(this, "percentage");
    private final StringProperty reason = new SimpleStringProperty(this, "reason", "");
    private final StringProperty typedConfirmation = new SimpleStringProperty(this, "typedConfirmation", "");
    private final ReadOnlyBooleanWrapper reasonMissing = new ReadOnlyBooleanWrapper(this, "reasonMissing");
    private final ReadOnlyObjectWrapper<ChangeResult> preview = new ReadOnlyObjectWrapper<>(this, "preview");
    private final ObservableList<String> diffLines = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final ReadOnlyBooleanWrapper loaded = new ReadOnlyBooleanWrapper(this, "loaded");
    private final BooleanProperty shown = new SimpleBooleanProperty(this, "shown", true);

    private final ObservableList<RollbackStage> rollbackStages = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper rollingBack = new ReadOnlyBooleanWrapper(this, "rollingBack");
    private final ReadOnlyStringWrapper rollbackOutcome = new ReadOnlyStringWrapper(this, "rollbackOutcome", "");
    private final ReadOnlyObjectWrapper<RollbackReport> lastRollback = new ReadOnlyObjectWrapper<>(this, "lastRollback");
    private final ObservableList<String> rollbackLog = FXCollections.observableArrayList();

    private final BooleanBinding writable;
    private final BooleanBinding production;
    private final BooleanBinding dirty;
    private final BooleanBinding canPreview;
    private final BooleanBinding canApply;
    private final BooleanBinding canRollback;
    private final RefreshGate refreshing = new RefreshGate(Duration.ofMinutes(2));
    private TaskHandle timer = TaskHandle.DONE;
    /** When the gate was last measured (null: measure on the next read), and what it said, for the reads between. */
    private Instant gateMeasured;
    private Optional<PlanReview> lastReview = Optional.empty();
    /** The step whose breached gate was last announced, so a breach is announced once, not on every read. */
    private Integer breachAnnounced;

    /** @param actor who is acting, recorded with every change ({@link io.sandboxops.core.env.Actor#current()} in the application) */
    public RolloutViewModel(TaskExecutor executor, StatusLine status, DialogService dialogs, Notifier notifier, ObservableValue<Workspace> workspace,
                            String actor) {
        this.executor = executor;
        this.status = status;
        this.dialogs = dialogs;
        this.notifier = notifier;
        this.workspace = workspace;
        this.actor = actor;
        this.plan = RolloutPlan.originalPlan();
        List<Integer> s = new ArrayList<>();
        s.add(0);
        plan.steps().forEach(step -> s.add(step.percentage()));
        this.steps = List.copyOf(s);

        writable = Bindings.createBooleanBinding(() -> environment().map(ConsoleEnvironment::writesAllowed).orElse(false), workspace);
        production = Bindings.createBooleanBinding(() -> environment().map(ConsoleEnvironment::production).orElse(false), workspace);
        dirty = Bindings.createBooleanBinding(() -> current.get() != null && !desired().equals(effectiveTemplate(current.get())),
                current, flag, percentage);
        canPreview = loaded.and(writable).and(dirty).and(busy.not());
        canApply = Bindings.createBooleanBinding(() -> preview.get() != null && preview.get().outcome() == ChangeResult.Outcome.VALID
                        && !busy.get() && writable.get() && !reason.get().isBlank()
                        && (!production.get() || typedConfirmation.get().trim().equals(serviceName())),
                preview, busy, writable, reason, production, typedConfirmation);
        canRollback = loaded.and(writable).and(busy.not());

        resetRollbackStages();
        percentage.addListener((obs, old, now) -> {
            int snapped = snap(now.intValue());
            if (snapped != now.intValue()) {
                percentage.set(snapped);
            }
        });
        // A preview belongs to the values it was made for; changing them asks for a new one.
        flag.addListener((obs, old, now) -> clearPreview());
        percentage.addListener((obs, old, now) -> clearPreview());
        reason.addListener((obs, old, now) -> reasonMissing.set(false));
        shown.addListener((obs, old, now) -> refresh());
        workspace.addListener((obs, old, now) -> {
            clear();
            refresh();
        });
    }

    /** Starts the periodic refresh; the first read happens at once. */
    public void start() {
        timer.cancel();
        refresh();
        timer = executor.every(REFRESH_PERIOD, this::refresh);
    }

    public void dispose() {
        timer.cancel();
    }

    // ---------------------------------------------------------------- reading

    private record Reading(RolloutStatus status, Optional<PlanReview> review, Optional<String> gateProblem) {
    }

    /** Reads the service and reviews the plan (status, step, gate) in the background, while the view is shown. */
    public void refresh() {
        if (!shown.get()) {
            return;
        }
        Workspace ws = workspace.getValue();
        Optional<ControlPlane> plane = ws == null ? Optional.empty() : ws.controlPlane();
        if (plane.isEmpty()) {
            unavailable.set(ws == null ? "Opening the environment…" : whyUnavailable(ws));
            return;
        }
        long entered = refreshing.tryEnter();
        if (entered == 0) {
            return;
        }
        ControlPlane cp = plane.get();
        boolean measureGate = gateMeasured == null || Duration.between(gateMeasured, Instant.now()).compareTo(GATE_PERIOD) >= 0;
        executor.execute(BackgroundTask.of("read the rollout of " + cp.rollout().service(), context -> read(cp, measureGate))
                .onSuccess(reading -> {
                    if (ws == workspace.getValue()) {
                        show(reading);
                    }
                })
                .onFailure(e -> {
                    if (ws == workspace.getValue()) {
                        unavailable.set("Could not read the service " + cp.rollout().service() + ": " + ErrorMessages.describe(e));
                        status.warn(unavailable.get());
                    }
                })
                .onFinished(() -> refreshing.exit(entered)));
    }

    private Reading read(ControlPlane cp, boolean measureGate) {
        if (!measureGate) {
            return new Reading(cp.rollout().status(), Optional.empty(), Optional.empty());
        }
        try {
            PlanReview review = cp.planner(plan).review(actor, RolloutProgress.NONE);
            return new Reading(review.status(), Optional.of(review), Optional.empty());
        } catch (RuntimeException e) {
            // The gate needs the metrics; the status alone still tells where the rollout stands.
            RolloutStatus s = cp.rollout().status();
            return new Reading(s, Optional.empty(), Optional.of("the plan's gate could not be measured: " + ErrorMessages.describe(e)));
        }
    }

    private void show(Reading reading) {
        RolloutStatus s = reading.status();
        boolean followServer = current.get() == null || !dirty.get();
        current.set(s);
        unavailable.set("");
        loaded.set(true);
        EnvValues serving = s.effective().orElse(s.template());
        routing.set(serving.routesToCloudRun());
        headline.set(headline(s));
        servingRevision.set(s.latestReadyRevision() + (s.latestReadyRevision().equals(s.latestCreatedRevision()) ? ""
                : " (revision " + s.latestCreatedRevision() + " is not ready yet)") + (s.reconciling() ? " — Cloud Run is applying a change" : ""));
        lastChange.set(s.lastChange().map(t -> "last changed " + HumanReadable.time(t)).orElse("last change unknown")
                + (s.lastModifier().isEmpty() ? "" : " by " + s.lastModifier()));
        traffic.setAll(s.traffic().stream().map(t -> new TrafficRow(t.revision(), t.percent(), (t.latest() ? "latest" : "pinned")
                + (t.tag().isEmpty() ? "" : ", tag " + t.tag())
                + (s.serving().containsKey(t.revision()) ? " · " + s.serving().get(t.revision()).describe() : ""))).toList());
        if (reading.review().isPresent() || reading.gateProblem().isPresent()) {
            gateMeasured = Instant.now();
            lastReview = reading.review();
        }
        // Between measurements the last gate stands, as long as the rollout is still at the step it was measured at.
        int at = effectivePercentage(s);
        Optional<PlanReview> review = reading.review().or(() -> lastReview.filter(r -> effectivePercentage(r.status()) == at));
        if (review.isEmpty() && reading.gateProblem().isEmpty()) {
            gateMeasured = null;
        }
        showTimeline(timeline(plan, at, review.flatMap(PlanReview::gate), reading.gateProblem()));
        planAdvice.set(review.map(r -> advice(r)).orElse(reading.gateProblem().map(p -> "Plan: " + p)
                .orElse("Measuring the plan's gate…")));
        if (followServer) {
            EnvValues template = effectiveTemplate(s);
            flag.set(template.flagValue().orElse(false));
            percentage.set(snap(template.percentageValue().orElse(0)));
        }
    }

    /**
     * Shows the plan's timeline. A gate that turns red is said out loud, once per step: the person may be on another
     * view, or away from the screen.
     */
    void showTimeline(List<PlanStepRow> rows) {
        planSteps.setAll(rows);
        Optional<PlanStepRow> breached = planSteps.stream()
                .filter(r -> r.position() == PlanStepRow.Position.CURRENT && r.gate() == PlanStepRow.GateState.BREACH).findFirst();
        if (breached.isEmpty()) {
            breachAnnounced = null;
            return;
        }
        int step = breached.get().percentage();
        if (!Integer.valueOf(step).equals(breachAnnounced)) {
            breachAnnounced = step;
            String checks = breached.get().detail().lines().skip(1).filter(l -> !l.isBlank()).findFirst().orElse("");
            notifier.alarm("Gate breached at " + step + " %", serviceName() + " in " + environment().map(ConsoleEnvironment::name).orElse("?")
                    + ": roll back." + (checks.isEmpty() ? "" : "\n" + checks));
        }
    }

    private static String headline(RolloutStatus s) {
        Optional<EnvValues> effective = s.effective();
        if (effective.isEmpty()) {
            return "Split: the serving revisions run with different values — " + RolloutStatus.describe(s.traffic());
        }
        EnvValues v = effective.get();
        if (v.routesToCloudRun()) {
            return "Cloud Run ON for " + v.percentageValue().getAsInt() + " % of new sessions";
        }
        if (v.flagValue().isEmpty() || v.percentageValue().isEmpty()) {
            return "Invalid rollout variables: " + v.describe() + " — new sessions stay on Docker";
        }
        return "Cloud Run OFF — every new session on Docker" + (v.flagValue().get() ? " (flag on, 0 %)" : "");
    }

    private static String advice(PlanReview r) {
        String next = r.nextPercentage().map(String::valueOf).orElse("?");
        return switch (r.action()) {
            case START -> "Not started: the plan starts at " + next + " %.";
            // The planner's reason already says what to hold for ("hold 3 h 10 min more before 25 %").
            case HOLD -> Character.toUpperCase(r.reason().charAt(0)) + r.reason().substring(1) + ".";
            case ADVANCE -> "Ready to go to " + next + " %: " + r.reason() + ".";
            case ROLLBACK -> "ROLL BACK: " + r.reason();
            case ROLLED_BACK -> "Rolled back by the plan: " + r.reason();
            case COMPLETE -> "Complete: " + r.reason() + ".";
        };
    }

    /** The percentage the serving revisions route to Cloud Run (0 when the flag is off), as the plan sees it. */
    private static int effectivePercentage(RolloutStatus s) {
        EnvValues serving = s.effective().orElse(s.template());
        return serving.routesToCloudRun() ? serving.percentageValue().orElse(0) : 0;
    }

    /** The template's values with a flag or percentage that does not parse read as the backend would: off. */
    private static EnvValues effectiveTemplate(RolloutStatus s) {
        EnvValues t = s.template();
        return new EnvValues(String.valueOf(t.flagValue().orElse(false)), String.valueOf(t.percentageValue().orElse(0)));
    }

    /** Each plan step with where the rollout is and, for the current step, its gate. */
    static List<PlanStepRow> timeline(RolloutPlan plan, int percentage, Optional<Gate.Result> gate, Optional<String> gateProblem) {
        Optional<RolloutPlan.Step> at = plan.current(percentage);
        Optional<RolloutPlan.Step> next = plan.next(percentage);
        List<PlanStepRow> rows = new ArrayList<>();
        for (RolloutPlan.Step step : plan.steps()) {
            if (at.isPresent() && step.percentage() < at.get().percentage()) {
                rows.add(new PlanStepRow(step.percentage(), step.hold(), PlanStepRow.Position.DONE, PlanStepRow.GateState.NOT_MEASURED,
                        "passed", 0, plan.gate().minimumExecutions()));
            } else if (at.isPresent() && step.equals(at.get())) {
                PlanStepRow.GateState state = gate.map(g -> switch (g.verdict()) {
                    case PASS -> PlanStepRow.GateState.PASS;
                    case INSUFFICIENT_DATA -> PlanStepRow.GateState.TOO_FEW_SAMPLES;
                    case BREACH -> PlanStepRow.GateState.BREACH;
                }).orElse(PlanStepRow.GateState.NOT_MEASURED);
                String detail = gate.map(g -> g.verdict() + " on " + g.completedExecutions() + " executions (a pass needs ≥ "
                        + g.minimumExecutions() + ")\n" + String.join("\n", g.checks().stream().map(Gate.Check::describe).toList()))
                        .orElse(gateProblem.orElse("not measured"));
                rows.add(new PlanStepRow(step.percentage(), step.hold(), PlanStepRow.Position.CURRENT, state, detail,
                        gate.map(Gate.Result::completedExecutions).orElse(0L), plan.gate().minimumExecutions()));
            } else if (next.isPresent() && step.equals(next.get())) {
                rows.add(new PlanStepRow(step.percentage(), step.hold(), PlanStepRow.Position.NEXT, PlanStepRow.GateState.NOT_MEASURED,
                        "next step", 0, plan.gate().minimumExecutions()));
            } else {
                rows.add(new PlanStepRow(step.percentage(), step.hold(), PlanStepRow.Position.LATER, PlanStepRow.GateState.NOT_MEASURED,
                        "later", 0, plan.gate().minimumExecutions()));
            }
        }
        return rows;
    }

    // ---------------------------------------------------------------- change: dry run → confirm → apply

    /** The change the switch and slider describe: only what differs from the service, so the audit says what was meant. */
    private RolloutChange change() {
        EnvValues now = effectiveTemplate(current.get());
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

    /** The dry run: the env-var diff, validated by Cloud Run; nothing is written. */
    public void preview() {
        Optional<ControlPlane> plane = controlPlane();
        if (plane.isEmpty() || !canPreview.get()) {
            return;
        }
        RolloutChange change = change();
        busy.set(true);
        executor.execute(BackgroundTask.of("check the change", context -> plane.get().rollout().preview(change))
                .onSuccess(result -> {
                    preview.set(result);
                    List<String> lines = new ArrayList<>(result.diff().lines());
                    result.diff().notes().forEach(n -> lines.add("note: " + n));
                    result.warnings().forEach(w -> lines.add("warning: " + w));
                    if (result.outcome() == ChangeResult.Outcome.UNCHANGED) {
                        lines.add("The service already has " + change.applyTo(result.before().template()).describe() + "; nothing to apply.");
                    }
                    diffLines.setAll(lines);
                })
                .onFailure(e -> dialogs.showError("The change was refused", "Cloud Run refused the change to " + serviceName() + ": "
                        + ErrorMessages.describe(e) + "\n\nNothing was written."))
                .onFinished(() -> busy.set(false)));
    }

    /** Applies the previewed change, then reads the service back. */
    public void apply() {
        Optional<ControlPlane> plane = controlPlane();
        if (plane.isEmpty() || !canApply.get()) {
            if (reason.get().isBlank()) {
                reasonMissing.set(true);
            }
            return;
        }
        RolloutChange change = change();
        String why = reason.get().trim();
        busy.set(true);
        status.info("Applying " + change.applyTo(current.get().template()).describe() + " to " + serviceName() + "…");
        executor.execute(BackgroundTask.of("apply the rollout change", context -> plane.get().rollout().apply(change, why, actor, RolloutProgress.NONE))
                .onSuccess(result -> {
                    clearPreview();
                    reason.set("");
                    typedConfirmation.set("");
                    String done = "Applied " + result.after().template().describe() + " on revision " + result.revision() + " in "
                            + seconds(result.elapsed()) + ".";
                    if (result.warnings().isEmpty()) {
                        status.info(done);
                    } else {
                        status.warn(done + " " + String.join("; ", result.warnings()));
                    }
                    show(new Reading(result.after(), Optional.empty(), Optional.empty()));
                    refresh();
                })
                .onFailure(e -> {
                    dialogs.showError("The change was not applied", ErrorMessages.describe(e)
                            + "\n\nThe audit log records the attempt. The rollout view shows the service as it is now.");
                    refresh();
                })
                .onFinished(() -> busy.set(false)));
    }

    /** Puts the switch and slider back to what the service has. */
    public void refreshToService() {
        if (current.get() != null) {
            EnvValues template = effectiveTemplate(current.get());
            flag.set(template.flagValue().orElse(false));
            percentage.set(snap(template.percentageValue().orElse(0)));
        }
    }

    /** Forgets the previewed change (the values it was made for changed, or the person cancelled). */
    public void clearPreview() {
        preview.set(null);
        diffLines.clear();
    }

    // ---------------------------------------------------------------- rollback

    /**
     * Rolls back: asks for confirmation (the service name typed in production), then flag off and 0 % in one update,
     * waits for the revision, verifies the traffic. Needs a reason; without one it asks for it and does nothing.
     */
    public void rollback() {
        Optional<ControlPlane> plane = controlPlane();
        if (plane.isEmpty() || busy.get()) {
            return;
        }
        ConsoleEnvironment env = environment().orElseThrow();
        String service = serviceName();
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
        busy.set(true);
        rollingBack.set(true);
        rollbackOutcome.set("Rolling back…");
        rollbackLog.clear();
        lastRollback.set(null);
        resetRollbackStages();
        clearPreview();
        AtomicReference<String> latestStep = new AtomicReference<>("");
        executor.execute(BackgroundTask.of("roll back " + service, context -> plane.get().rollout().rollback(why, actor, (elapsed, step) -> {
                    latestStep.set(step);
                    context.progress(elapsed.toMillis(), -1);
                }))
                .onProgress((done, total) -> advanceStages(latestStep.get()))
                .onSuccess(this::finishRollback)
                .onFailure(e -> {
                    // The core's rollback reports rather than throws; this is a failure around it (e.g. interrupted).
                    markRunningStageFailed();
                    rollbackOutcome.set("Rollback FAILED: " + ErrorMessages.describe(e) + ". Read the service's state above before trying again.");
                    status.error(rollbackOutcome.get());
                    notifier.alarm("Rollback FAILED", service + ": " + ErrorMessages.describe(e));
                    refresh();
                })
                .onFinished(() -> {
                    busy.set(false);
                    rollingBack.set(false);
                }));
    }

    private void finishRollback(RollbackReport report) {
        lastRollback.set(report);
        rollbackLog.setAll(report.steps());
        String elapsed = seconds(report.elapsed());
        switch (report.outcome()) {
            case VERIFIED -> {
                setStages(RollbackStage.State.DONE, RollbackStage.State.DONE, RollbackStage.State.DONE);
                rollbackOutcome.set("VERIFIED in " + elapsed + " at " + clock() + ": revision " + report.revision() + " serves 100 % with the flag off, 0 %.");
                status.info("Rollback of " + serviceName() + " verified in " + elapsed + ".");
                notifier.done("Rollback verified", serviceName() + ": every new session goes to Docker (" + elapsed + ").");
                reason.set("");
            }
            case NOT_SERVING -> {
                setStages(RollbackStage.State.DONE, RollbackStage.State.DONE, RollbackStage.State.FAILED);
                rollbackOutcome.set("NOT SERVING after " + elapsed + " at " + clock() + ": " + report.problem().orElse("the new revision gets no traffic"));
                status.error("Rollback of " + serviceName() + " is not serving: " + report.problem().orElse(""));
                notifier.alarm("Rollback NOT serving", serviceName() + ": " + rollbackOutcome.get());
            }
            case FAILED -> {
                markRunningStageFailed();
                rollbackOutcome.set("FAILED after " + elapsed + " at " + clock() + ": " + report.problem().orElse("unknown problem"));
                status.error("Rollback of " + serviceName() + " failed: " + report.problem().orElse(""));
                notifier.alarm("Rollback FAILED", serviceName() + ": " + rollbackOutcome.get());
            }
        }
        report.after().ifPresent(after -> show(new Reading(after, Optional.empty(), Optional.empty())));
        refresh();
    }

    /** Moves the progress on from the controller's step messages; a stage once reached never goes back. */
    private void advanceStages(String step) {
        if (step.startsWith("revision ") && step.endsWith(" is ready")) {
            setStages(RollbackStage.State.DONE, RollbackStage.State.DONE, RollbackStage.State.RUNNING);
        } else if (step.startsWith("verifying") || step.startsWith("routing")) {
            setStages(RollbackStage.State.DONE, RollbackStage.State.DONE, RollbackStage.State.RUNNING);
        } else if (step.startsWith("UpdateService") || step.startsWith("the service already has")) {
            if (rollbackStages.get(1).state() == RollbackStage.State.WAITING) {
                setStages(RollbackStage.State.RUNNING, RollbackStage.State.RUNNING, RollbackStage.State.WAITING);
            }
        }
    }

    private void markRunningStageFailed() {
        List<RollbackStage> now = new ArrayList<>(rollbackStages);
        boolean marked = false;
        for (int i = 0; i < now.size(); i++) {
            if (now.get(i).state() == RollbackStage.State.RUNNING || (!marked && now.get(i).state() == RollbackStage.State.WAITING)) {
                now.set(i, new RollbackStage(now.get(i).label(), marked ? RollbackStage.State.WAITING : RollbackStage.State.FAILED));
                marked = true;
            }
        }
        rollbackStages.setAll(now);
    }

    private void resetRollbackStages() {
        rollbackStages.setAll(new RollbackStage(RollbackStage.UPDATE, RollbackStage.State.WAITING),
                new RollbackStage(RollbackStage.READY, RollbackStage.State.WAITING),
                new RollbackStage(RollbackStage.VERIFIED, RollbackStage.State.WAITING));
    }

    private void setStages(RollbackStage.State update, RollbackStage.State ready, RollbackStage.State verified) {
        rollbackStages.setAll(new RollbackStage(RollbackStage.UPDATE, update), new RollbackStage(RollbackStage.READY, ready),
                new RollbackStage(RollbackStage.VERIFIED, verified));
    }

    // ---------------------------------------------------------------- helpers

    private void clear() {
        gateMeasured = null;
        lastReview = Optional.empty();
        breachAnnounced = null;
        current.set(null);
        loaded.set(false);
        headline.set("");
        servingRevision.set("");
        lastChange.set("");
        traffic.clear();
        planSteps.clear();
        planAdvice.set("");
        clearPreview();
        typedConfirmation.set("");
        rollbackOutcome.set("");
        rollbackLog.clear();
        lastRollback.set(null);
        resetRollbackStages();
    }

    private static String whyUnavailable(Workspace ws) {
        String cloudRun = ws.statuses().stream().filter(s -> s.service().equals("Cloud Run") || s.service().equals("Emulator"))
                .filter(s -> s.health() != ServiceStatus.Health.UP).map(s -> s.service() + ": " + s.detail())
                .findFirst().orElse("this environment has no Cloud Run service to drive");
        return "The rollout of " + ws.environment().name() + " cannot be shown. " + cloudRun;
    }

    /** Snaps to the nearest plan step (0, 1, 10, 25, 50, 75, 100): the rollout moves only in the plan's steps. */
    public int snap(int value) {
        int best = steps.get(0);
        for (int step : steps) {
            if (Math.abs(step - value) < Math.abs(best - value)) {
                best = step;
            }
        }
        return best;
    }

    /** @return 0 and the plan's percentages, in order: the slider's stops */
    public List<Integer> steps() {
        return steps;
    }

    private Optional<ControlPlane> controlPlane() {
        Workspace ws = workspace.getValue();
        return ws == null ? Optional.empty() : ws.controlPlane();
    }

    private Optional<ConsoleEnvironment> environment() {
        Workspace ws = workspace.getValue();
        return ws == null ? Optional.empty() : Optional.of(ws.environment());
    }

    /** The service's short name, which production asks to be typed. */
    public String serviceName() {
        return controlPlane().map(cp -> cp.rollout().service()).orElse("");
    }

    /** The time of day, so a rollback's verdict says when it was reached. */
    private static String clock() {
        return java.time.LocalTime.now().withNano(0).toString();
    }

    private static String seconds(Duration d) {
        return String.format("%.1f s", d.toMillis() / 1000.0);
    }

    // ---------------------------------------------------------------- properties

    /** Whether the view is shown; while hidden, the service is not read (and its gate not measured). */
    public BooleanProperty shownProperty() {
        return shown;
    }

    public ReadOnlyStringProperty unavailableProperty() {
        return unavailable.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<RolloutStatus> currentProperty() {
        return current.getReadOnlyProperty();
    }

    /** One line that says where the rollout stands, for the top of the view. */
    public ReadOnlyStringProperty headlineProperty() {
        return headline.getReadOnlyProperty();
    }

    /** Whether some new sessions go to Cloud Run now. */
    public ReadOnlyBooleanProperty routingProperty() {
        return routing.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty servingRevisionProperty() {
        return servingRevision.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty lastChangeProperty() {
        return lastChange.getReadOnlyProperty();
    }

    public ObservableList<TrafficRow> traffic() {
        return traffic;
    }

    public ObservableList<PlanStepRow> planSteps() {
        return planSteps;
    }

    public ReadOnlyStringProperty planAdviceProperty() {
        return planAdvice.getReadOnlyProperty();
    }

    /** The switch: the flag the change would set. */
    public BooleanProperty flagProperty() {
        return flag;
    }

    /** The slider: the percentage the change would set, always one of {@link #steps()}. */
    public IntegerProperty percentageProperty() {
        return percentage;
    }

    public StringProperty reasonProperty() {
        return reason;
    }

    /** What the person typed to confirm a change in production. */
    public StringProperty typedConfirmationProperty() {
        return typedConfirmation;
    }

    /** Set when an action needed a reason and none was given, so the view can point at the field. */
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

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public BooleanBinding productionProperty() {
        return production;
    }

    public BooleanBinding writableProperty() {
        return writable;
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

    public BooleanBinding canRollbackProperty() {
        return canRollback;
    }

    public ObservableList<RollbackStage> rollbackStages() {
        return rollbackStages;
    }

    public ReadOnlyBooleanProperty rollingBackProperty() {
        return rollingBack.getReadOnlyProperty();
    }

    /** The rollback's verdict and elapsed time, empty before one. */
    public ReadOnlyStringProperty rollbackOutcomeProperty() {
        return rollbackOutcome.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<RollbackReport> lastRollbackProperty() {
        return lastRollback.getReadOnlyProperty();
    }

    /** The last rollback's steps with their times. */
    public ObservableList<String> rollbackLog() {
        return rollbackLog;
    }
}
