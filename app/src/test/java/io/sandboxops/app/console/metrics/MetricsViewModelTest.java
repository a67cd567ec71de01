package io.sandboxops.app.console.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.run.v2.Job;
import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.CurrentThreadTaskExecutor;
import io.sandboxops.app.console.testing.EmulatedControlPlane;
import io.sandboxops.core.observe.MetricsWindow;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import javafx.beans.property.SimpleObjectProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metrics view model over the real metrics service, computed from executions the emulator ran. */
class MetricsViewModelTest {

    @TempDir
    Path home;

    private final CurrentThreadTaskExecutor executor = new CurrentThreadTaskExecutor();
    private final StatusLine status = new StatusLine();
    private final SimpleObjectProperty<Workspace> workspace = new SimpleObjectProperty<>();
    private EmulatedControlPlane cloud;
    private MetricsViewModel vm;

    @BeforeEach
    void open() {
        cloud = new EmulatedControlPlane(home.resolve("audit.jsonl"));
        vm = new MetricsViewModel(executor, status, workspace);
        vm.shownProperty().set(true);
    }

    @AfterEach
    void close() {
        vm.dispose();
        cloud.close();
    }

    @Test
    void anEmptyWindowSaysNoDataRatherThanPerfectScores() {
        workspace.set(cloud.workspace());
        vm.chooseWindow("7d");
        assertThat(vm.unavailableProperty().get()).isEmpty();
        assertThat(vm.tiles()).filteredOn(t -> !t.id().equals("running"))
                .extracting(MetricTile::level).containsOnly(MetricTile.Level.NO_DATA);
        assertThat(vm.tiles()).filteredOn(t -> t.id().equals("successRate")).singleElement()
                .satisfies(t -> assertThat(t.value()).isEqualTo("no data"));
        assertThat(vm.charts()).extracting(MetricChart::id).containsExactly("successRate", "latency", "errorRate", "latencyByBackend", "running", "cost");
        assertThat(vm.comparisons()).extracting(ComparisonCheck::verdict).containsOnly(ComparisonCheck.Verdict.INSUFFICIENT_DATA);
        assertThat(vm.comparisons()).allSatisfy(c -> assertThat(c.detail()).isEqualTo(
                "too few samples: n=0 on Cloud Run and n=0 on Docker, of at least 50 each"));
        assertThat(vm.summaryProperty().get()).startsWith("0 executions completed").contains("in the last 7d");
    }

    @Test
    void chartsAndTilesComeFromTheExecutionsTheEmulatorRan() throws InterruptedException {
        // The four executions must land in one 5-minute slice of the 1h window.
        Instant sliceStart = sliceWithRoomLeft();
        Job job = cloud.shellJob("sbx-metrics");
        // A job printing executor-shaped events moves no latency; the client's own events do.
        for (String script : List.of("echo '{\"event\":\"command\",\"duration_ms\":120000}'", "echo '{\"event\":\"command\",\"duration_ms\":900000}'",
                "true", "exit 1")) {
            cloud.run(job, script);
        }
        cloud.clientExecs(false, 120, 900);
        readOnceChartable(sliceStart);
        workspace.set(cloud.workspace());

        assertThat(vm.tiles()).filteredOn(t -> t.id().equals("successRate")).singleElement().satisfies(t -> {
            assertThat(t.value()).isEqualTo("75.00 %");
            assertThat(t.level()).isEqualTo(MetricTile.Level.CRITICAL);
        });
        assertThat(vm.tiles()).filteredOn(t -> t.id().equals("latencyP99")).singleElement()
                .satisfies(t -> assertThat(t.value()).isEqualTo("0.90 s"));
        MetricChart success = vm.charts().get(0);
        assertThat(success.series()).extracting(MetricChart.Series::kind)
                .containsExactly(MetricChart.Kind.MEASURED, MetricChart.Kind.TARGET, MetricChart.Kind.ALERT);
        assertThat(success.series().get(0).points()).as("one slice holds the four executions").singleElement()
                .satisfies(p -> assertThat(p.value()).isEqualTo(75.0));
        assertThat(success.series().get(1).points()).extracting(MetricChart.Point::value).containsOnly(99.5);
        assertThat(success.series().get(2).points()).extracting(MetricChart.Point::value).containsOnly(99.0);
        MetricChart latency = vm.charts().get(1);
        assertThat(latency.series()).extracting(MetricChart.Series::name).containsExactly("latency p50", "latency p99",
                "p50 target 3.00 s", "p50 alert 5.00 s", "p99 target 10.00 s", "p99 alert 15.00 s");
        assertThat(vm.summaryProperty().get()).startsWith("4 executions completed (3 succeeded, 1 failed, 0 cancelled) in the last 1h");
    }

    /** Docker and Cloud Run over the same window, side by side, and the plan's comparisons with their n and p-value. */
    @Test
    void dockerAndCloudRunSideBySideWithThePlansComparisons() throws InterruptedException {
        // Both backends' executions in one slice: one past a boundary between them would leave a series without points.
        Instant sliceStart = sliceWithRoomLeft();
        double[] docker = new double[60];
        double[] cloudRun = new double[60];
        for (int i = 0; i < 60; i++) {
            docker[i] = 100 + i;
            cloudRun[i] = 400 + i;
        }
        cloud.clientExecs("docker", false, docker);
        cloud.clientExecs("cloudrun", true, cloudRun);
        readOnceChartable(sliceStart);
        workspace.set(cloud.workspace());

        assertThat(vm.baselineFigures()).extracting(BaselineFigure::id, BaselineFigure::docker, BaselineFigure::cloudRun).contains(
                org.assertj.core.groups.Tuple.tuple("operations", "60", "60"),
                org.assertj.core.groups.Tuple.tuple("errorRate", "0.00 %  (n=60)", "1.67 %  (n=60)"),
                org.assertj.core.groups.Tuple.tuple("latencyP99", "0.159 s  (n=60)", "0.459 s  (n=60)"));
        assertThat(vm.comparisons()).filteredOn(c -> c.id().equals("latencyP99")).singleElement().satisfies(c -> {
            assertThat(c.verdict()).isEqualTo(ComparisonCheck.Verdict.BREACH);
            assertThat(c.summary()).contains("Cloud Run 0.459 s (n=60) vs Docker 0.159 s (n=60)").contains("Mann-Whitney U").contains("p=");
        });
        // One error in 60 is 1.67 points above Docker's none: past the 0.5-point margin, but not significant on 60 samples.
        assertThat(vm.comparisons()).filteredOn(c -> c.id().equals("errorRate")).singleElement().satisfies(c -> {
            assertThat(c.verdict()).isEqualTo(ComparisonCheck.Verdict.INSUFFICIENT_DATA);
            assertThat(c.detail()).contains("not significant").contains("more samples needed");
        });
        assertThat(vm.comparisonHeadingProperty().get()).contains("1.50 × Docker's").contains("α=0.05");
        MetricChart byBackend = vm.charts().stream().filter(c -> c.id().equals("latencyByBackend")).findFirst().orElseThrow();
        assertThat(byBackend.series()).extracting(MetricChart.Series::name).containsExactly("Docker (baseline)", "Cloud Run (canary)");
        assertThat(byBackend.series()).allSatisfy(s -> assertThat(s.points()).isNotEmpty());
    }

    @Test
    void finishedSlicesKeepTheirBoundsSoTheyAreReadOnce() {
        Instant now = Instant.parse("2026-11-26T04:07:30Z");
        List<MetricsViewModel.Bucket> buckets = MetricsViewModel.buckets(now, Duration.ofHours(1));
        assertThat(buckets).hasSize(12);
        assertThat(buckets.get(11)).isEqualTo(new MetricsViewModel.Bucket(Instant.parse("2026-11-26T04:05:00Z"), now));
        assertThat(buckets.get(10)).isEqualTo(new MetricsViewModel.Bucket(Instant.parse("2026-11-26T04:00:00Z"), Instant.parse("2026-11-26T04:05:00Z")));
        assertThat(MetricsViewModel.buckets(now.plusSeconds(60), Duration.ofHours(1)).get(10)).isEqualTo(buckets.get(10));
    }

    /** Monitoring reads a slice younger than a minute as the whole minute, which would chart the slice before it twice. */
    @Test
    void theOpenSliceIsChartedOnceItIsAMinuteOld() {
        List<MetricsViewModel.Bucket> young = MetricsViewModel.buckets(Instant.parse("2026-11-26T04:05:30Z"), Duration.ofHours(1));
        assertThat(young).hasSize(11);
        assertThat(young.get(10).to()).isEqualTo(Instant.parse("2026-11-26T04:05:00Z"));
        List<MetricsViewModel.Bucket> minuteOld = MetricsViewModel.buckets(Instant.parse("2026-11-26T04:06:00Z"), Duration.ofHours(1));
        assertThat(minuteOld).hasSize(12);
        assertThat(minuteOld.get(11)).isEqualTo(new MetricsViewModel.Bucket(Instant.parse("2026-11-26T04:05:00Z"),
                Instant.parse("2026-11-26T04:06:00Z")));
    }

    /**
     * Reads at least a minute into the slice that began at {@code sliceStart}, however soon after it began the test ran,
     * and never before now: call it once the executions it is to read are written.
     */
    private void readOnceChartable(Instant sliceStart) {
        Instant readAt = sliceStart.plus(MetricsViewModel.SHORTEST_SLICE).plusSeconds(1);
        vm.dispose();
        vm = new MetricsViewModel(executor, status, workspace, Clock.fixed(readAt.isAfter(Instant.now()) ? readAt : Instant.now(),
                ZoneOffset.UTC));
        vm.shownProperty().set(true);
    }

    /**
     * The start of the 5-minute slice (of the 1h window) that executions written now land in, with at least 45 s of it
     * left: when less is left, it waits for the next one, so that executions written one after the other cannot straddle
     * a slice boundary (the open slice is charted only once it is a minute old).
     */
    private static Instant sliceWithRoomLeft() throws InterruptedException {
        Duration slice = MetricsWindow.HOUR.length().dividedBy(MetricsViewModel.BUCKETS);
        Instant start = sliceStart(Instant.now(), slice);
        Duration left = Duration.between(Instant.now(), start.plus(slice));
        if (left.compareTo(Duration.ofSeconds(45)) < 0) {
            Thread.sleep(left.toMillis() + 100);
            start = sliceStart(Instant.now(), slice);
        }
        return start;
    }

    private static Instant sliceStart(Instant at, Duration slice) {
        return Instant.ofEpochMilli(at.toEpochMilli() / slice.toMillis() * slice.toMillis());
    }

    @Test
    void anEnvironmentWithoutControlPlaneSaysWhy() {
        workspace.set(new io.sandboxops.app.console.testing.FakeWorkspace(
                new io.sandboxops.app.console.environment.ConsoleEnvironment("staging", io.sandboxops.app.console.environment.ConsoleEnvironment.Kind.GCP,
                        false, false, "staging"), java.util.Map.of(), List.of()));
        assertThat(vm.unavailableProperty().get()).startsWith("The metrics of staging cannot be shown");
    }
}
