package io.sandboxops.app.console.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.run.v2.Job;
import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.CurrentThreadTaskExecutor;
import io.sandboxops.app.console.testing.EmulatedControlPlane;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
        assertThat(vm.charts()).extracting(MetricChart::id).containsExactly("successRate", "latency", "errorRate", "running", "cost");
        assertThat(vm.summaryProperty().get()).startsWith("0 executions completed").contains("in the last 7d");
    }

    @Test
    void chartsAndTilesComeFromTheExecutionsTheEmulatorRan() {
        Job job = cloud.shellJob("sbx-metrics");
        // A job printing executor-shaped events moves no latency; the client's own events do.
        for (String script : List.of("echo '{\"event\":\"command\",\"duration_ms\":120000}'", "echo '{\"event\":\"command\",\"duration_ms\":900000}'",
                "true", "exit 1")) {
            cloud.run(job, script);
        }
        cloud.clientExecs(false, 120, 900);
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

    @Test
    void finishedSlicesKeepTheirBoundsSoTheyAreReadOnce() {
        Instant now = Instant.parse("2026-11-26T04:07:30Z");
        List<MetricsViewModel.Bucket> buckets = MetricsViewModel.buckets(now, Duration.ofHours(1));
        assertThat(buckets).hasSize(12);
        assertThat(buckets.get(11)).isEqualTo(new MetricsViewModel.Bucket(Instant.parse("2026-11-26T04:05:00Z"), now));
        assertThat(buckets.get(10)).isEqualTo(new MetricsViewModel.Bucket(Instant.parse("2026-11-26T04:00:00Z"), Instant.parse("2026-11-26T04:05:00Z")));
        assertThat(MetricsViewModel.buckets(now.plusSeconds(60), Duration.ofHours(1)).get(10)).isEqualTo(buckets.get(10));
    }

    @Test
    void anEnvironmentWithoutControlPlaneSaysWhy() {
        workspace.set(new io.sandboxops.app.console.testing.FakeWorkspace(
                new io.sandboxops.app.console.environment.ConsoleEnvironment("staging", io.sandboxops.app.console.environment.ConsoleEnvironment.Kind.GCP,
                        false, false, "staging"), java.util.Map.of(), List.of()));
        assertThat(vm.unavailableProperty().get()).startsWith("The metrics of staging cannot be shown");
    }
}
