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
import io.sandboxops.core.observe.MetricsService;
import io.sandboxops.core.rollout.AuditEntry;
import io.sandboxops.core.rollout.ControlPlane;
import io.sandboxops.core.rollout.EnvValues;
import io.sandboxops.core.rollout.Gate;
import io.sandboxops.core.rollout.PlanProgress;
import io.sandboxops.core.rollout.PlanReview;
import io.sandboxops.core.rollout.RolloutPlan;
import io.sandboxops.core.rollout.RolloutProgress;
import io.sandboxops.core.rollout.RolloutStatus;
import io.sandboxops.core.rollout.SandboxFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The rollout of the environment's agent backend service (DESIGN §6): where it stands (flag, percentage, serving
 * revision, traffic split, the plan's steps as really gone through and the current step's gate) and its health in
 * one line for every tab. A change ({@link RolloutChangeViewModel}) and the rollback ({@link RollbackViewModel}) are
 * its parts: both write the service this one reads, one at a time. Every write needs a reason, recorded in the audit
 * log with the person's name; in production, the service name typed.
 */
public final class RolloutViewModel {
    public static final Duration REFRESH_PERIOD = Duration.ofSeconds(15);
    /**
     * How often the plan's gate is measured: it scans the logs since the step began, which Cloud Logging's read quota
     * (about 60 a minute per project) does not allow every {@link #REFRESH_PERIOD}; the service itself is read every time.
     */
    public static final Duration GATE_PERIOD = Duration.ofMinutes(2);
    /** How many changes back the plan's steps are looked for: far more than a rollout's dozen steps and rollbacks. */
    static final int HISTORY_FOR_STEPS = 500;
    /** The window of the error rates before the rollout starts (no step to measure from). */
    static final Duration RATES_WINDOW_BEFORE_START = Duration.ofHours(1);

    private final TaskExecutor executor;
    private final StatusLine status;
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
    private final ReadOnlyObjectWrapper<RolloutHealth> health = new ReadOnlyObjectWrapper<>(this, "health", RolloutHealth.UNKNOWN);
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final ReadOnlyBooleanWrapper loaded = new ReadOnlyBooleanWrapper(this, "loaded");
    private final BooleanProperty shown = new SimpleBooleanProperty(this, "shown", true);

    private final BooleanBinding writable;
    private final BooleanBinding production;
    private final RolloutChangeViewModel change;
    private final RollbackViewModel rollback;
    private final RefreshGate refreshing = new RefreshGate(Duration.ofMinutes(2));
    private TaskHandle timer = TaskHandle.DONE;
    /** When the gate was last measured (null: measure on the next read), and what it said, for the reads between. */
    private Instant gateMeasured;
    private Optional<PlanReview> lastReview = Optional.empty();
    /** The rollout's changes and the error rates as last read with the gate, for the reads between. */
    private List<AuditEntry> lastHistory = List.of();
    private String lastRates = "not measured yet";
    /** The step whose breached gate was last announced, so a breach is announced once, not on every read. */
    private Integer breachAnnounced;

    /** @param actor who is acting, recorded with every change ({@link io.sandboxops.core.env.Actor#current()} in the application) */
    public RolloutViewModel(TaskExecutor executor, StatusLine status, DialogService dialogs, Notifier notifier, ObservableValue<Workspace> workspace,
                            String actor) {
        this.executor = executor;
        this.status = status;
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
        change = new RolloutChangeViewModel(this, executor, status, dialogs);
        rollback = new RollbackViewModel(this, executor, status, dialogs, notifier);

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

    /** The change: switch, slider, dry run, Apply. */
    public RolloutChangeViewModel changeViewModel() {
        return change;
    }

    /** The way back. */
    public RollbackViewModel rollbackViewModel() {
        return rollback;
    }

    // ---------------------------------------------------------------- reading

    private record Reading(RolloutStatus status, Optional<PlanReview> review, Optional<String> gateProblem,
                           Optional<List<AuditEntry>> history, Optional<String> rates) {
        static Reading statusOnly(RolloutStatus status) {
            return new Reading(status, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    /** Reads the service and reviews the plan (status, step, gate, history, error rates) in the background, while shown. */
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
            return Reading.statusOnly(cp.rollout().status());
        }
        List<AuditEntry> history = cp.rollout().history(HISTORY_FOR_STEPS).entries();
        try {
            PlanReview review = cp.planner(plan).review(actor, RolloutProgress.NONE);
            return new Reading(review.status(), Optional.of(review), Optional.empty(), Optional.of(history),
                    Optional.of(canaryVersusBaseline(cp, review.status())));
        } catch (RuntimeException e) {
            // The gate needs the metrics; the status alone still tells where the rollout stands.
            RolloutStatus s = cp.rollout().status();
            return new Reading(s, Optional.empty(), Optional.of("the plan's gate could not be measured: " + ErrorMessages.describe(e)),
                    Optional.of(history), Optional.of("unavailable: " + ErrorMessages.describe(e)));
        }
    }

    /**
     * Canary (Cloud Run) against baseline (Docker): each backend's error rate from the client's events since the step
     * began (the last hour before the rollout starts), with its sample size. The one place the strip's comparison is
     * made, so it can switch to the metrics' side-by-side figures without touching the view.
     */
    static String canaryVersusBaseline(ControlPlane cp, RolloutStatus s) {
        Instant now = Instant.now();
        Instant from = effectivePercentage(s) > 0 ? s.lastChange().filter(t -> t.isBefore(now)).orElse(now.minus(RATES_WINDOW_BEFORE_START))
                : now.minus(RATES_WINDOW_BEFORE_START);
        MetricsService.OperationStats canary = cp.metrics().operations(SandboxFactory.CLOUDRUN, from, now);
        MetricsService.OperationStats baseline = cp.metrics().operations(SandboxFactory.DOCKER, from, now);
        return "Cloud Run " + rate(canary) + " · Docker " + rate(baseline);
    }

    private static String rate(MetricsService.OperationStats stats) {
        if (stats.operations() == 0) {
            return "– (n=0)";
        }
        return String.format(Locale.ROOT, "%.1f %% (n=%d%s)", 100.0 * stats.backendErrors() / stats.operations(), stats.operations(),
                stats.truncated() ? "+" : "");
    }

    private void show(Reading reading) {
        RolloutStatus s = reading.status();
        boolean followServer = current.get() == null || !change.dirtyProperty().get();
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
        reading.history().ifPresent(h -> lastHistory = h);
        reading.rates().ifPresent(r -> lastRates = r);
        // Between measurements the last gate stands, as long as the rollout is still at the step it was measured at.
        int at = effectivePercentage(s);
        Optional<PlanReview> review = reading.review().or(() -> lastReview.filter(r -> effectivePercentage(r.status()) == at));
        if (review.isEmpty() && reading.gateProblem().isEmpty()) {
            gateMeasured = null;
        }
        showTimeline(timeline(plan, at, lastHistory, review.flatMap(PlanReview::gate), reading.gateProblem()));
        planAdvice.set(review.map(r -> advice(r)).orElse(reading.gateProblem().map(p -> "Plan: " + p)
                .orElse("Measuring the plan's gate…")));
        health.set(health(s, at, review, reading.gateProblem()));
        if (followServer) {
            change.refreshToService();
        }
    }

    /** Shows what a change or rollback left the service at, then reads it again (with the gate, since the step changed). */
    void showApplied(RolloutStatus after) {
        show(Reading.statusOnly(after));
        refresh();
    }

    private RolloutHealth health(RolloutStatus s, int at, Optional<PlanReview> review, Optional<String> gateProblem) {
        EnvValues serving = s.effective().orElse(s.template());
        String flag = s.effective().isEmpty() ? "split" : serving.flagValue().map(on -> on ? "on" : "off").orElse("invalid");
        String percentage = s.effective().isEmpty() ? "split" : serving.percentageValue().isPresent()
                ? serving.percentageValue().getAsInt() + " %" : "invalid";
        String step = plan.current(at).map(st -> {
            if (st.hold().isZero()) {
                return st.percentage() + " % · final step";
            }
            Duration held = review.map(PlanReview::heldFor).orElse(Duration.ZERO);
            Duration left = st.hold().minus(held);
            return st.percentage() + " % · " + (left.isNegative() || left.isZero() ? "hold over"
                    : left.toHours() + " h " + left.toMinutesPart() + " min left");
        }).orElse("not started");
        List<PlanProgress.StepState> skipped = PlanProgress.of(plan, at, lastHistory).steps().stream()
                .filter(st -> st.state() == PlanProgress.State.SKIPPED).toList();
        if (!skipped.isEmpty()) {
            step += " (skipped " + String.join(", ", skipped.stream().map(st -> st.step().percentage() + " %").toList()) + ")";
        }
        Optional<Gate.Result> gate = review.flatMap(PlanReview::gate);
        String gateText = gate.map(g -> switch (g.verdict()) {
            case PASS -> "pass";
            case INSUFFICIENT_DATA -> "too few samples (" + g.completedExecutions() + " of " + g.minimumExecutions() + ")";
            case BREACH -> "BREACH";
        }).orElse(gateProblem.isPresent() ? "not measured" : at == 0 ? "not started" : "measuring…");
        String last = lastHistory.stream().findFirst().map(e -> e.actor() + ", " + HumanReadable.time(e.time()) + ", "
                        + (e.reason().isBlank() ? "no reason recorded" : "“" + e.reason() + "”"))
                .orElse(s.lastChange().map(t -> (s.lastModifier().isEmpty() ? "someone" : s.lastModifier()) + ", " + HumanReadable.time(t)
                        + ", no reason recorded").orElse("unknown"));
        boolean alarm = gate.map(g -> g.verdict() == Gate.Verdict.BREACH).orElse(false);
        return new RolloutHealth(flag, percentage, step, gateText, lastRates, last, alarm);
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
    static EnvValues effectiveTemplate(RolloutStatus s) {
        EnvValues t = s.template();
        return new EnvValues(String.valueOf(t.flagValue().orElse(false)), String.valueOf(t.percentageValue().orElse(0)));
    }

    /**
     * Each plan step with where the rollout is and, for the current step, its gate. A step below the current one is
     * done only when a recorded change of this rollout put the service at it; otherwise it was skipped.
     *
     * @param history the rollout's changes, newest first
     */
    static List<PlanStepRow> timeline(RolloutPlan plan, int percentage, List<AuditEntry> history, Optional<Gate.Result> gate,
                                      Optional<String> gateProblem) {
        List<PlanStepRow> rows = new ArrayList<>();
        for (PlanProgress.StepState state : PlanProgress.of(plan, percentage, history).steps()) {
            RolloutPlan.Step step = state.step();
            switch (state.state()) {
                case DONE -> rows.add(new PlanStepRow(step.percentage(), step.hold(), PlanStepRow.Position.DONE, PlanStepRow.GateState.NOT_MEASURED,
                        "passed", 0, plan.gate().minimumExecutions()));
                case SKIPPED -> rows.add(new PlanStepRow(step.percentage(), step.hold(), PlanStepRow.Position.SKIPPED,
                        PlanStepRow.GateState.NOT_MEASURED, "skipped: the rollout went past " + step.percentage()
                        + " % without stopping there, so its gate never measured Cloud Run at that share", 0, plan.gate().minimumExecutions()));
                case CURRENT -> {
                    PlanStepRow.GateState gateState = gate.map(g -> switch (g.verdict()) {
                        case PASS -> PlanStepRow.GateState.PASS;
                        case INSUFFICIENT_DATA -> PlanStepRow.GateState.TOO_FEW_SAMPLES;
                        case BREACH -> PlanStepRow.GateState.BREACH;
                    }).orElse(PlanStepRow.GateState.NOT_MEASURED);
                    String detail = gate.map(g -> g.verdict() + " on " + g.completedExecutions() + " executions (a pass needs ≥ "
                            + g.minimumExecutions() + ")\n" + String.join("\n", g.checks().stream().map(Gate.Check::describe).toList()))
                            .orElse(gateProblem.orElse("not measured"));
                    rows.add(new PlanStepRow(step.percentage(), step.hold(), PlanStepRow.Position.CURRENT, gateState, detail,
                            gate.map(Gate.Result::completedExecutions).orElse(0L), plan.gate().minimumExecutions()));
                }
                case NEXT -> rows.add(new PlanStepRow(step.percentage(), step.hold(), PlanStepRow.Position.NEXT, PlanStepRow.GateState.NOT_MEASURED,
                        "next step", 0, plan.gate().minimumExecutions()));
                case LATER -> rows.add(new PlanStepRow(step.percentage(), step.hold(), PlanStepRow.Position.LATER, PlanStepRow.GateState.NOT_MEASURED,
                        "later", 0, plan.gate().minimumExecutions()));
            }
        }
        return rows;
    }

    // ---------------------------------------------------------------- helpers

    private void clear() {
        gateMeasured = null;
        lastReview = Optional.empty();
        lastHistory = List.of();
        lastRates = "not measured yet";
        breachAnnounced = null;
        current.set(null);
        loaded.set(false);
        headline.set("");
        servingRevision.set("");
        lastChange.set("");
        traffic.clear();
        planSteps.clear();
        planAdvice.set("");
        health.set(RolloutHealth.UNKNOWN);
        change.clear();
        rollback.clear();
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

    RolloutPlan plan() {
        return plan;
    }

    String actor() {
        return actor;
    }

    /** One write at a time: a change and a rollback both take the service. */
    void setBusy(boolean on) {
        busy.set(on);
    }

    Optional<ControlPlane> controlPlane() {
        Workspace ws = workspace.getValue();
        return ws == null ? Optional.empty() : ws.controlPlane();
    }

    Optional<ConsoleEnvironment> environment() {
        Workspace ws = workspace.getValue();
        return ws == null ? Optional.empty() : Optional.of(ws.environment());
    }

    /** The service's short name, which production asks to be typed. */
    public String serviceName() {
        return controlPlane().map(cp -> cp.rollout().service()).orElse("");
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    // ---------------------------------------------------------------- properties

    /** Whether the rollout is read; the health strip shows on every tab, so the console keeps this set. */
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

    /** The figures of the health strip every tab shows, refreshed with the status. */
    public ReadOnlyObjectProperty<RolloutHealth> healthProperty() {
        return health.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** Whether the service has been read in this environment. */
    public ReadOnlyBooleanProperty loadedProperty() {
        return loaded.getReadOnlyProperty();
    }

    public BooleanBinding productionProperty() {
        return production;
    }

    public BooleanBinding writableProperty() {
        return writable;
    }
}
