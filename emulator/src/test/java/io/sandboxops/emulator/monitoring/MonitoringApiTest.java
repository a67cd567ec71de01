package io.sandboxops.emulator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.api.Distribution;
import com.google.api.Metric;
import com.google.api.MetricDescriptor;
import com.google.api.MonitoredResource;
import com.google.api.gax.longrunning.OperationFuture;
import com.google.api.gax.rpc.InvalidArgumentException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.monitoring.v3.MetricServiceClient;
import com.google.cloud.run.v2.EnvVar;
import com.google.cloud.run.v2.Execution;
import com.google.cloud.run.v2.ExecutionsClient;
import com.google.cloud.run.v2.Job;
import com.google.cloud.run.v2.JobsClient;
import com.google.cloud.run.v2.RunJobRequest;
import com.google.monitoring.v3.Aggregation;
import com.google.monitoring.v3.CreateTimeSeriesRequest;
import com.google.monitoring.v3.ListTimeSeriesRequest;
import com.google.monitoring.v3.Point;
import com.google.monitoring.v3.TimeInterval;
import com.google.monitoring.v3.TimeSeries;
import com.google.monitoring.v3.TypedValue;
import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import io.sandboxops.emulator.CloudClients;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.run.JobFixtures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MonitoringApiTest {

    private static LocalCloud cloud;
    private static MetricServiceClient metrics;
    private static JobsClient jobs;
    private static ExecutionsClient executions;
    private static String project;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start();
        metrics = CloudClients.metrics(cloud.endpoints());
        jobs = CloudClients.jobs(cloud.endpoints());
        executions = CloudClients.executions(cloud.endpoints());
        project = "projects/" + cloud.endpoints().projectId();
    }

    @AfterAll
    static void stop() {
        metrics.close();
        jobs.close();
        executions.close();
        cloud.close();
    }

    private static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    private static List<TimeSeries> query(String filter, Instant start, Instant end, Aggregation aggregation) {
        ListTimeSeriesRequest.Builder b = ListTimeSeriesRequest.newBuilder()
                .setName(project)
                .setFilter(filter)
                .setInterval(TimeInterval.newBuilder().setStartTime(ts(start)).setEndTime(ts(end)));
        if (aggregation != null) {
            b.setAggregation(aggregation);
        }
        List<TimeSeries> out = new ArrayList<>();
        metrics.listTimeSeries(b.build()).iterateAll().forEach(out::add);
        return out;
    }

    private static Execution run(Job job, String code) throws Exception {
        return jobs.runJobAsync(RunJobRequest.newBuilder().setName(job.getName())
                .setOverrides(RunJobRequest.Overrides.newBuilder().addContainerOverrides(
                        RunJobRequest.Overrides.ContainerOverride.newBuilder()
                                .addEnv(EnvVar.newBuilder().setName("CODE").setValue(code))))
                .build()).get(60, TimeUnit.SECONDS);
    }

    @Test
    void completedExecutionsAreCountedByResult() throws Exception {
        Job job = jobs.createJobAsync(cloud.endpoints().locationName(), JobFixtures.shellJob("sleep 0.2; exit $CODE", 0), "counted")
                .get(30, TimeUnit.SECONDS);
        Instant before = Instant.now().minusSeconds(1);
        run(job, "0");
        run(job, "0");
        run(job, "1");
        Instant after = Instant.now().plusSeconds(1);
        String filter = "metric.type=\"run.googleapis.com/job/completed_execution_count\" AND resource.type=\"cloud_run_job\" "
                + "AND resource.labels.job_name=\"counted\"";

        List<TimeSeries> byResult = query(filter, after.minusSeconds(600), after, Aggregation.newBuilder()
                .setAlignmentPeriod(Duration.newBuilder().setSeconds(600))
                .setPerSeriesAligner(Aggregation.Aligner.ALIGN_DELTA)
                .setCrossSeriesReducer(Aggregation.Reducer.REDUCE_SUM)
                .addGroupByFields("metric.label.result")
                .build());
        Map<String, Long> counts = byResult.stream().collect(Collectors.toMap(
                s -> s.getMetric().getLabelsOrThrow("result"), s -> s.getPoints(0).getValue().getInt64Value()));
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("succeeded", 2L, "failed", 1L));

        List<TimeSeries> rate = query(filter, after.minusSeconds(600), after, Aggregation.newBuilder()
                .setAlignmentPeriod(Duration.newBuilder().setSeconds(600))
                .setPerSeriesAligner(Aggregation.Aligner.ALIGN_RATE)
                .setCrossSeriesReducer(Aggregation.Reducer.REDUCE_SUM)
                .build());
        assertThat(rate).singleElement().satisfies(s -> {
            assertThat(s.getValueType()).isEqualTo(MetricDescriptor.ValueType.DOUBLE);
            assertThat(s.getPoints(0).getValue().getDoubleValue()).isCloseTo(3 / 600.0, org.assertj.core.data.Offset.offset(1e-9));
        });

        List<TimeSeries> failedOnly = query(filter + " AND metric.labels.result=\"failed\"", before.minusSeconds(120), after, null);
        assertThat(failedOnly).singleElement().satisfies(s -> {
            assertThat(s.getMetricKind()).isEqualTo(MetricDescriptor.MetricKind.DELTA);
            assertThat(s.getPointsList().stream().mapToLong(p -> p.getValue().getInt64Value()).sum()).isEqualTo(1);
        });

        List<TimeSeries> billable = query("metric.type=\"run.googleapis.com/container/billable_instance_time\" "
                + "AND resource.labels.job_name=\"counted\"", after.minusSeconds(600), after, Aggregation.newBuilder()
                .setAlignmentPeriod(Duration.newBuilder().setSeconds(600))
                .setPerSeriesAligner(Aggregation.Aligner.ALIGN_SUM)
                .build());
        assertThat(billable).singleElement().satisfies(s ->
                assertThat(s.getPoints(0).getValue().getDoubleValue()).isBetween(0.5, 30.0));
    }

    @Test
    void completedExecutionsStayCountedAfterTheirJobIsDeleted() throws Exception {
        Job job = jobs.createJobAsync(cloud.endpoints().locationName(), JobFixtures.shellJob("exit $CODE", 0), "short-lived")
                .get(30, TimeUnit.SECONDS);
        run(job, "0");
        Execution failed = run(job, "1");
        executions.deleteExecutionAsync(failed.getName()).get(30, TimeUnit.SECONDS);
        jobs.deleteJobAsync(job.getName()).get(30, TimeUnit.SECONDS);
        Instant after = Instant.now().plusSeconds(1);
        List<TimeSeries> byResult = query("metric.type=\"run.googleapis.com/job/completed_execution_count\" "
                + "AND resource.labels.job_name=\"short-lived\"", after.minusSeconds(600), after, Aggregation.newBuilder()
                .setAlignmentPeriod(Duration.newBuilder().setSeconds(600))
                .setPerSeriesAligner(Aggregation.Aligner.ALIGN_DELTA)
                .setCrossSeriesReducer(Aggregation.Reducer.REDUCE_SUM)
                .addGroupByFields("metric.label.result")
                .build());
        // Cloud Monitoring keeps points after the resource that wrote them is gone.
        Map<String, Long> counts = byResult.stream().collect(Collectors.toMap(
                s -> s.getMetric().getLabelsOrThrow("result"), s -> s.getPoints(0).getValue().getInt64Value()));
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("succeeded", 1L, "failed", 1L));
    }

    @Test
    void alignmentPeriodsUnderOneMinuteAreRefused() {
        Instant now = Instant.now();
        assertThatThrownBy(() -> query("metric.type=\"run.googleapis.com/job/completed_execution_count\"",
                now.minusSeconds(300), now, Aggregation.newBuilder()
                        .setAlignmentPeriod(Duration.newBuilder().setSeconds(30))
                        .setPerSeriesAligner(Aggregation.Aligner.ALIGN_DELTA)
                        .build()))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.getMessage())
                        .contains("Field aggregation.alignmentPeriod had an invalid value of \"30s\"")
                        .contains("must be at least 60 seconds"));
        // ALIGN_NONE ignores the period, as the API documents.
        query("metric.type=\"run.googleapis.com/job/completed_execution_count\"", now.minusSeconds(300), now,
                Aggregation.newBuilder().setAlignmentPeriod(Duration.newBuilder().setSeconds(30)).build());
    }

    @Test
    void aRunningExecutionShowsInRunningExecutions() throws Exception {
        Job job = jobs.createJobAsync(cloud.endpoints().locationName(), JobFixtures.shellJob("sleep 30", 0), "busy")
                .get(30, TimeUnit.SECONDS);
        OperationFuture<Execution, Execution> op = jobs.runJobAsync(job.getName());
        String name = op.getMetadata().get(30, TimeUnit.SECONDS).getName();
        await().atMost(10, TimeUnit.SECONDS).until(() -> executions.getExecution(name).getRunningCount() == 1);
        Instant now = Instant.now();
        List<TimeSeries> running = query("metric.type=\"run.googleapis.com/job/running_executions\" AND resource.labels.job_name=\"busy\"",
                now.minusSeconds(300), now, Aggregation.newBuilder()
                        .setAlignmentPeriod(Duration.newBuilder().setSeconds(60))
                        .setPerSeriesAligner(Aggregation.Aligner.ALIGN_MAX)
                        .build());
        assertThat(running).singleElement().satisfies(s -> assertThat(s.getPoints(0).getValue().getInt64Value()).isEqualTo(1));
        executions.cancelExecutionAsync(name).get(30, TimeUnit.SECONDS);
    }

    @Test
    void customMetricsAreWrittenAndReadBack() {
        Instant t0 = Instant.now().minusSeconds(120);
        MonitoredResource global = MonitoredResource.newBuilder().setType("global").putLabels("project_id", "local").build();
        Metric latency = Metric.newBuilder().setType("custom.googleapis.com/sandbox/command_latency").putLabels("backend", "cloudrun").build();
        Distribution.BucketOptions buckets = Distribution.BucketOptions.newBuilder()
                .setExplicitBuckets(Distribution.BucketOptions.Explicit.newBuilder()
                        .addBounds(0).addBounds(100).addBounds(200).addBounds(400).addBounds(800))
                .build();
        for (int i = 0; i < 3; i++) {
            metrics.createTimeSeries(CreateTimeSeriesRequest.newBuilder().setName(project).addTimeSeries(TimeSeries.newBuilder()
                    .setMetric(latency).setResource(global)
                    .setMetricKind(MetricDescriptor.MetricKind.DELTA)
                    .addPoints(Point.newBuilder()
                            .setInterval(TimeInterval.newBuilder().setStartTime(ts(t0.plusSeconds(i * 10L))).setEndTime(ts(t0.plusSeconds(i * 10L + 10))))
                            .setValue(TypedValue.newBuilder().setDistributionValue(Distribution.newBuilder()
                                    .setCount(10).setMean(150).setBucketOptions(buckets)
                                    // 0 underflow, 4 in [0,100), 5 in [100,200), 1 in [200,400)
                                    .addBucketCounts(0).addBucketCounts(4).addBucketCounts(5).addBucketCounts(1)))))
                    .build());
        }
        String filter = "metric.type=\"custom.googleapis.com/sandbox/command_latency\" AND metric.labels.backend=\"cloudrun\"";
        Aggregation.Builder agg = Aggregation.newBuilder().setAlignmentPeriod(Duration.newBuilder().setSeconds(300));
        double p50 = query(filter, t0.minusSeconds(60), Instant.now(), agg.setPerSeriesAligner(Aggregation.Aligner.ALIGN_PERCENTILE_50).build())
                .get(0).getPoints(0).getValue().getDoubleValue();
        double p99 = query(filter, t0.minusSeconds(60), Instant.now(), agg.setPerSeriesAligner(Aggregation.Aligner.ALIGN_PERCENTILE_99).build())
                .get(0).getPoints(0).getValue().getDoubleValue();
        assertThat(p50).isCloseTo(120.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(p99).isBetween(200.0, 400.0);

        Metric gauge = Metric.newBuilder().setType("custom.googleapis.com/sandbox/rollout_percentage").build();
        for (int i = 0; i < 2; i++) {
            metrics.createTimeSeries(project, List.of(TimeSeries.newBuilder().setMetric(gauge).setResource(global)
                    .addPoints(Point.newBuilder()
                            .setInterval(TimeInterval.newBuilder().setEndTime(ts(t0.plusSeconds(i * 30L))))
                            .setValue(TypedValue.newBuilder().setDoubleValue(i == 0 ? 10 : 25)))
                    .build()));
        }
        List<TimeSeries> raw = query("metric.type=\"custom.googleapis.com/sandbox/rollout_percentage\"", t0.minusSeconds(10), Instant.now(), null);
        assertThat(raw).singleElement().satisfies(s -> assertThat(s.getPointsList())
                .extracting(p -> p.getValue().getDoubleValue()).containsExactly(25.0, 10.0));

        assertThatThrownBy(() -> metrics.createTimeSeries(project, List.of(TimeSeries.newBuilder().setMetric(gauge).setResource(global)
                .addPoints(Point.newBuilder().setInterval(TimeInterval.newBuilder().setEndTime(ts(t0)))
                        .setValue(TypedValue.newBuilder().setDoubleValue(1))).build())))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.getMessage()).contains("in order"));
        assertThatThrownBy(() -> metrics.createTimeSeries(project, List.of(TimeSeries.newBuilder()
                .setMetric(Metric.newBuilder().setType("run.googleapis.com/job/running_executions")).setResource(global)
                .addPoints(Point.newBuilder().setInterval(TimeInterval.newBuilder().setEndTime(ts(Instant.now())))
                        .setValue(TypedValue.newBuilder().setInt64Value(1))).build())))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(
                        e.getErrorDetails().getBadRequest().getFieldViolations(0).getField()).isEqualTo("time_series[0].metric.type"));
    }

    @Test
    void queriesWithoutAMetricTypeOrWithAWrongAlignerAreRefused() {
        Instant now = Instant.now();
        assertThatThrownBy(() -> query("resource.type=\"cloud_run_job\"", now.minusSeconds(60), now, null))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> query("metric.type=\"run.googleapis.com/job/running_executions\"", now.minusSeconds(60), now,
                Aggregation.newBuilder().setAlignmentPeriod(Duration.newBuilder().setSeconds(60))
                        .setPerSeriesAligner(Aggregation.Aligner.ALIGN_RATE).build()))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void metricDescriptorsAreListedFetchedCreatedAndDeleted() {
        MetricDescriptor created = metrics.createMetricDescriptor(project, MetricDescriptor.newBuilder()
                .setType("custom.googleapis.com/sandbox/sessions")
                .setMetricKind(MetricDescriptor.MetricKind.GAUGE)
                .setValueType(MetricDescriptor.ValueType.INT64)
                .build());
        assertThat(created.getName()).isEqualTo(project + "/metricDescriptors/custom.googleapis.com/sandbox/sessions");
        assertThat(metrics.getMetricDescriptor(project + "/metricDescriptors/run.googleapis.com/job/completed_execution_count")
                .getMetricKind()).isEqualTo(MetricDescriptor.MetricKind.DELTA);
        List<String> types = new ArrayList<>();
        metrics.listMetricDescriptors(com.google.monitoring.v3.ListMetricDescriptorsRequest.newBuilder().setName(project)
                .setFilter("metric.type = starts_with(\"custom.googleapis.com/sandbox/sess\")").build())
                .iterateAll().forEach(d -> types.add(d.getType()));
        assertThat(types).containsExactly("custom.googleapis.com/sandbox/sessions");
        metrics.deleteMetricDescriptor(created.getName());
        assertThatThrownBy(() -> metrics.getMetricDescriptor(created.getName())).isInstanceOf(NotFoundException.class);
    }
}
