package io.sandboxops.app.console.metrics;

import io.sandboxops.app.console.dialog.ErrorMessages;
import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.BackgroundTask;
import io.sandboxops.app.console.task.RefreshGate;
import io.sandboxops.app.console.task.TaskExecutor;
import io.sandboxops.app.console.task.TaskHandle;
import io.sandboxops.core.observe.Evaluation;
import io.sandboxops.core.observe.Indicator;
import io.sandboxops.core.observe.MetricTargets;
import io.sandboxops.core.observe.MetricsService;
import io.sandboxops.core.observe.MetricsSnapshot;
import io.sandboxops.core.observe.MetricsWindow;
import io.sandboxops.core.rollout.ControlPlane;
import io.sandboxops.core.rollout.Gate;
import io.sandboxops.core.rollout.RolloutPlan;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The sandbox jobs' health over a chosen window (1h, 6h, 24h, 7d): a tile per indicator over the whole window,
 * and charts of each over {@value #BUCKETS} slices of it, with the plan's targets and alert thresholds as lines.
 * Refreshed on a timer. Finished slices are kept, so a refresh reads only the slice that is still open: Cloud
 * Logging allows few reads a minute per project, and the charts must not use them all.
 */
public final class MetricsViewModel {
    public static final Duration REFRESH_PERIOD = Duration.ofSeconds(60);
    static final int BUCKETS = 12;
    /** Cloud Monitoring may add points to a slice for a few minutes after it ends; until then it is read again. */
    static final Duration SETTLE = Duration.ofMinutes(5);
    /**
     * Cloud Monitoring aligns no shorter than a minute, so a slice younger than that is read as the minute that ends
     * now and would count again what the slice before it holds; it joins the charts once it is a minute old.
     */
    static final Duration SHORTEST_SLICE = Duration.ofMinutes(1);

    private final TaskExecutor executor;
    private final StatusLine status;
    private final ObservableValue<Workspace> workspace;

    private final ObjectProperty<MetricsWindow> window = new SimpleObjectProperty<>(this, "window", MetricsWindow.HOUR);
    private final ObservableList<MetricTile> tiles = FXCollections.observableArrayList();
    private final ObservableList<MetricChart> charts = FXCollections.observableArrayList();
    private final ObservableList<BaselineFigure> baselineFigures = FXCollections.observableArrayList();
    private final ObservableList<ComparisonCheck> comparisons = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper comparisonHeading = new ReadOnlyStringWrapper(this, "comparisonHeading", "");
    /** The gate the comparisons are judged by: the plan's. */
    private final Gate gate = RolloutPlan.originalPlan().gate();
    private final ReadOnlyStringWrapper unavailable = new ReadOnlyStringWrapper(this, "unavailable", "");
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper(this, "summary", "");
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper(this, "loading");
    private final BooleanProperty shown = new SimpleBooleanProperty(this, "shown");
    private final RefreshGate refreshing = new RefreshGate(Duration.ofMinutes(3));
    /** Finished slices of the current window and workspace, by start; touched on the UI thread only. */
    private final Map<Instant, MetricsSnapshot> finished = new HashMap<>();
    private final Clock clock;
    private TaskHandle timer = TaskHandle.DONE;

    public MetricsViewModel(TaskExecutor executor, StatusLine status, ObservableValue<Workspace> workspace) {
        this(executor, status, workspace, Clock.systemUTC());
    }

    /** @param clock where the window ends; tests fix it so slice boundaries do not depend on when they run */
    MetricsViewModel(TaskExecutor executor, StatusLine status, ObservableValue<Workspace> workspace, Clock clock) {
        this.clock = clock;
        this.executor = executor;
        this.status = status;
        this.workspace = workspace;
        workspace.addListener((obs, old, now) -> {
            finished.clear();
            tiles.clear();
            charts.clear();
            baselineFigures.clear();
            comparisons.clear();
            comparisonHeading.set("");
            summary.set("");
            refresh();
        });
        window.addListener((obs, old, now) -> {
            finished.clear();
            refresh();
        });
        shown.addListener((obs, old, now) -> refresh());
    }

    public void start() {
        timer.cancel();
        refresh();
        timer = executor.every(REFRESH_PERIOD, this::refresh);
    }

    public void dispose() {
        timer.cancel();
    }

    /** A slice of the window. */
    record Bucket(Instant from, Instant to) {
    }

    private record Reading(MetricsSnapshot whole, Map<Bucket, MetricsSnapshot> slices, Instant at) {
    }

    /** Reads the whole window and the slices not yet known, in the background; only while the view is shown. */
    public void refresh() {
        if (!shown.get()) {
            return;
        }
        Workspace ws = workspace.getValue();
        Optional<ControlPlane> plane = ws == null ? Optional.empty() : ws.controlPlane();
        if (plane.isEmpty()) {
            unavailable.set(ws == null ? "Opening the environment…" : "The metrics of " + ws.environment().name()
                    + " cannot be shown: it has no Cloud Monitoring to read (see the status bar).");
            return;
        }
        long entered = refreshing.tryEnter();
        if (entered == 0) {
            return;
        }
        MetricsService metrics = plane.get().metrics();
        MetricsWindow w = window.get();
        Map<Instant, MetricsSnapshot> known = Map.copyOf(finished);
        loading.set(true);
        executor.execute(BackgroundTask.of("read the metrics", context -> {
                    Instant now = clock.instant();
                    Map<Bucket, MetricsSnapshot> slices = new HashMap<>();
                    for (Bucket b : buckets(now, w.length())) {
                        MetricsSnapshot s = known.get(b.from());
                        slices.put(b, s != null ? s : metrics.snapshot(b.from(), b.to()));
                    }
                    return new Reading(metrics.snapshot(now.minus(w.length()), now), slices, now);
                })
                .onSuccess(reading -> {
                    if (ws != workspace.getValue() || w != window.get()) {
                        return;
                    }
                    // A slice that had ended (and settled) when it was read will not change: keep it for the next refresh.
                    reading.slices().forEach((b, s) -> {
                        if (s.to().isBefore(reading.at().minus(SETTLE))) {
                            finished.put(b.from(), s);
                        }
                    });
                    finished.keySet().removeIf(from -> from.isBefore(reading.at().minus(w.length()).minus(w.length().dividedBy(BUCKETS))));
                    show(reading, metrics.targets());
                    unavailable.set("");
                })
                .onFailure(e -> {
                    if (ws == workspace.getValue()) {
                        unavailable.set("Could not read the metrics: " + ErrorMessages.describe(e));
                        status.warn(unavailable.get());
                    }
                })
                .onFinished(() -> {
                    loading.set(false);
                    refreshing.exit(entered);
                }));
    }

    /**
     * {@value #BUCKETS} slices ending at {@code now}, their bounds on multiples of their length so finished ones stay the
     * same; the slice still open is left off while it is younger than {@link #SHORTEST_SLICE}.
     */
    static List<Bucket> buckets(Instant now, Duration window) {
        long length = window.toMillis() / BUCKETS;
        long end = (now.toEpochMilli() / length + 1) * length;
        List<Bucket> out = new ArrayList<>();
        for (int i = BUCKETS; i > 0; i--) {
            Instant from = Instant.ofEpochMilli(end - (long) i * length);
            Instant to = Instant.ofEpochMilli(end - (long) (i - 1) * length);
            Bucket b = new Bucket(from, to.isAfter(now) ? now : to);
            if (Duration.between(b.from(), b.to()).compareTo(SHORTEST_SLICE) >= 0) {
                out.add(b);
            }
        }
        return out;
    }

    private void show(Reading reading, MetricTargets targets) {
        MetricsSnapshot whole = reading.whole();
        List<MetricTile> t = new ArrayList<>();
        for (Indicator indicator : Indicator.values()) {
            whole.evaluation(indicator).ifPresent(e -> t.add(tile(e)));
        }
        t.add(new MetricTile("running", "running executions", String.valueOf(whole.running()), MetricTile.Level.INFO,
                "executions running now (Cloud Monitoring)"));
        tiles.setAll(t);

        List<Map.Entry<Bucket, MetricsSnapshot>> slices = reading.slices().entrySet().stream()
                .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(Bucket::to))).toList();
        List<MetricChart> c = new ArrayList<>();
        c.add(chart("successRate", "Job success rate (%)", slices, targets, List.of(Indicator.SUCCESS_RATE),
                Map.of(Indicator.SUCCESS_RATE, MetricsSnapshot::successRate)));
        c.add(chart("latency", "Latency p50 and p99 (s)", slices, targets, List.of(Indicator.LATENCY_P50, Indicator.LATENCY_P99),
                Map.of(Indicator.LATENCY_P50, s -> s.latencyP50().map(MetricsViewModel::seconds),
                        Indicator.LATENCY_P99, s -> s.latencyP99().map(MetricsViewModel::seconds))));
        c.add(chart("errorRate", "Error rate (%)", slices, targets, List.of(Indicator.ERROR_RATE),
                Map.of(Indicator.ERROR_RATE, MetricsSnapshot::errorRate)));
        c.add(byBackend("latencyByBackend", "Exec latency p99, Docker vs Cloud Run (s)", slices,
                o -> o.latencyP99().map(MetricsViewModel::seconds)));
        long first = slices.isEmpty() ? 0 : slices.get(0).getKey().from().getEpochSecond();
        long last = slices.isEmpty() ? 0 : slices.get(slices.size() - 1).getKey().to().getEpochSecond();
        c.add(new MetricChart("running", "Running executions", first, last, List.of(new MetricChart.Series("running", MetricChart.Kind.MEASURED,
                slices.stream().map(e -> new MetricChart.Point(e.getKey().to().getEpochSecond(), e.getValue().running())).toList()))));
        c.add(chart("cost", "Cost per 1000 executions ($)", slices, targets, List.of(Indicator.COST_PER_1000),
                Map.of(Indicator.COST_PER_1000, MetricsSnapshot::costPer1000)));
        charts.setAll(c);
        showBaseline(whole);

        summary.set(whole.completed() + " executions completed (" + whole.succeeded() + " succeeded, " + whole.failed() + " failed, "
                + whole.cancelled() + " cancelled) in the last " + window.get().label() + "; " + whole.source()
                + (whole.operationScanTruncated() ? "; the error rate rests on the newest events only (scan cap)" : "")
                + ". Updated " + java.time.LocalTime.now().withNano(0) + ".");
    }

    /** Docker and Cloud Run side by side over the whole window, and the plan's comparisons of the two. */
    private void showBaseline(MetricsSnapshot whole) {
        MetricsService.OperationStats d = whole.baseline();
        MetricsService.OperationStats c = whole.canary();
        baselineFigures.setAll(
                new BaselineFigure("operations", "operations", String.valueOf(d.operations()), String.valueOf(c.operations())),
                new BaselineFigure("successRate", "success rate", rate(d.successRate(), d.answered()), rate(c.successRate(), c.answered())),
                new BaselineFigure("errorRate", "error rate", rate(d.errorRate(), d.operations()), rate(c.errorRate(), c.operations())),
                new BaselineFigure("latencyP50", "exec latency p50", latency(d.latencyP50(), d.execLatencies().size()),
                        latency(c.latencyP50(), c.execLatencies().size())),
                new BaselineFigure("latencyP99", "exec latency p99", latency(d.latencyP99(), d.execLatencies().size()),
                        latency(c.latencyP99(), c.execLatencies().size())));
        List<Gate.Check> checks = gate.baseline().map(b -> Gate.compare(b, c, d)).orElse(List.of());
        comparisons.setAll(checks.stream().map(MetricsViewModel::comparison).toList());
        comparisonHeading.set("The plan's gate against Docker: " + gate.baseline().map(b -> String.format(
                "success rate ≥ Docker's − %.2f points, error rate ≤ Docker's + %.2f points, p99 ≤ %.2f × Docker's; at least %d samples a side; "
                        + "one-sided tests at α=%s (Mann-Whitney U for latency, two-proportion z-test for the rates)",
                b.successRateMargin(), b.errorRateMargin(), b.latencyP99Factor(), b.minimumSamples(), b.alpha())).orElse("none"));
    }

    private static ComparisonCheck comparison(Gate.Check c) {
        String id = c.name().startsWith("success") ? "successRate" : c.name().startsWith("error") ? "errorRate" : "latencyP99";
        String p = c.pValue().isPresent() ? ", p=" + Gate.formatP(c.pValue().getAsDouble()) : ", no test: too few samples";
        String summary = "Cloud Run " + c.value().orElse("no data") + " (n=" + c.sampleSize() + ") vs Docker " + c.baselineValue().orElse("no data")
                + " (n=" + c.baselineSampleSize() + "); gate " + c.threshold() + "; " + c.test() + p;
        return new ComparisonCheck(id, c.name(), ComparisonCheck.Verdict.valueOf(c.verdict().name()), summary, c.detail());
    }

    private static String rate(Optional<Double> v, long n) {
        return v.map(x -> String.format("%.2f %%", x)).orElse("no data") + "  (n=" + n + ")";
    }

    private static String latency(Optional<Duration> v, long n) {
        return v.map(d -> String.format("%.3f s", seconds(d))).orElse("no data") + "  (n=" + n + ")";
    }

    /** One figure per slice for each backend: Docker's and Cloud Run's lines on one chart. */
    private static MetricChart byBackend(String id, String title, List<Map.Entry<Bucket, MetricsSnapshot>> slices,
                                         Function<MetricsService.OperationStats, Optional<Double>> value) {
        List<MetricChart.Series> series = new ArrayList<>();
        for (boolean docker : List.of(true, false)) {
            List<MetricChart.Point> points = new ArrayList<>();
            for (var slice : slices) {
                MetricsSnapshot s = slice.getValue();
                value.apply(docker ? s.baseline() : s.canary())
                        .ifPresent(v -> points.add(new MetricChart.Point(slice.getKey().to().getEpochSecond(), v)));
            }
            series.add(new MetricChart.Series(docker ? "Docker (baseline)" : "Cloud Run (canary)", MetricChart.Kind.MEASURED, points));
        }
        long first = slices.isEmpty() ? 0 : slices.get(0).getKey().from().getEpochSecond();
        long last = slices.isEmpty() ? 0 : slices.get(slices.size() - 1).getKey().to().getEpochSecond();
        return new MetricChart(id, title, first, last, series);
    }

    private static MetricTile tile(Evaluation e) {
        MetricTile.Level level = switch (e.level()) {
            case OK -> MetricTile.Level.OK;
            case WARNING -> MetricTile.Level.WARNING;
            case CRITICAL -> MetricTile.Level.CRITICAL;
            case NO_DATA -> MetricTile.Level.NO_DATA;
        };
        String id = switch (e.indicator()) {
            case SUCCESS_RATE -> "successRate";
            case LATENCY_P50 -> "latencyP50";
            case LATENCY_P99 -> "latencyP99";
            case ERROR_RATE -> "errorRate";
            case COST_PER_1000 -> "cost";
        };
        return new MetricTile(id, e.indicator().label(), e.value().map(e.indicator()::format).orElse("no data"), level, e.describe());
    }

    private static MetricChart chart(String id, String title, List<Map.Entry<Bucket, MetricsSnapshot>> slices, MetricTargets targets,
                                     List<Indicator> indicators, Map<Indicator, Function<MetricsSnapshot, Optional<Double>>> values) {
        List<MetricChart.Series> series = new ArrayList<>();
        for (Indicator indicator : indicators) {
            List<MetricChart.Point> points = new ArrayList<>();
            for (var slice : slices) {
                values.get(indicator).apply(slice.getValue())
                        .ifPresent(v -> points.add(new MetricChart.Point(slice.getKey().to().getEpochSecond(), v)));
            }
            series.add(new MetricChart.Series(indicator.label(), MetricChart.Kind.MEASURED, points));
        }
        long first = slices.isEmpty() ? 0 : slices.get(0).getKey().from().getEpochSecond();
        long last = slices.isEmpty() ? 0 : slices.get(slices.size() - 1).getKey().to().getEpochSecond();
        for (Indicator indicator : indicators) {
            targets.objective(indicator).ifPresent(o -> {
                String prefix = indicators.size() > 1 ? indicator.label().replace("latency ", "") + " " : "";
                series.add(new MetricChart.Series(prefix + "target " + indicator.format(o.target()), MetricChart.Kind.TARGET,
                        List.of(new MetricChart.Point(first, o.target()), new MetricChart.Point(last, o.target()))));
                series.add(new MetricChart.Series(prefix + "alert " + indicator.format(o.alertThreshold()), MetricChart.Kind.ALERT,
                        List.of(new MetricChart.Point(first, o.alertThreshold()), new MetricChart.Point(last, o.alertThreshold()))));
            });
        }
        return new MetricChart(id, title, first, last, series);
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    /** @return the windows to choose from: 1h, 6h, 24h, 7d */
    public List<String> windowChoices() {
        return MetricsWindow.PRESETS.stream().map(MetricsWindow::label).toList();
    }

    /** Chooses the window by its label ({@code 1h}, {@code 6h}, {@code 24h}, {@code 7d}). */
    public void chooseWindow(String label) {
        window.set(MetricsWindow.parse(label));
    }

    public String windowLabel() {
        return window.get().label();
    }

    public ObservableList<MetricTile> tiles() {
        return tiles;
    }

    public ObservableList<MetricChart> charts() {
        return charts;
    }

    /** Docker and Cloud Run side by side over the window. */
    public ObservableList<BaselineFigure> baselineFigures() {
        return baselineFigures;
    }

    /** The plan's comparisons of Cloud Run with Docker over the window, each with both n and its test. */
    public ObservableList<ComparisonCheck> comparisons() {
        return comparisons;
    }

    /** The comparison's thresholds in a sentence. */
    public ReadOnlyStringProperty comparisonHeadingProperty() {
        return comparisonHeading.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty unavailableProperty() {
        return unavailable.getReadOnlyProperty();
    }

    /** Counts behind the charts and when they were read. */
    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    /** Whether the view is shown: the metrics are read only then (Cloud Logging's read quota is small). */
    public BooleanProperty shownProperty() {
        return shown;
    }

    public ReadOnlyBooleanProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }
}
