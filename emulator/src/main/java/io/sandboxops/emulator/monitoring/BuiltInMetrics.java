package io.sandboxops.emulator.monitoring;

import com.google.api.LabelDescriptor;
import com.google.api.MetricDescriptor;
import com.google.api.MetricDescriptor.MetricKind;
import com.google.api.MetricDescriptor.ValueType;
import com.google.monitoring.v3.TypedValue;
import io.sandboxops.emulator.run.ExecutionHistory;
import io.sandboxops.emulator.run.ExecutionHistory.ExecutionFact;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Cloud Run job metrics, computed from the executions the emulator ran, for the
 * {@code cloud_run_job} resource ({@code project_id}, {@code location}, {@code job_name}):
 * {@code job/completed_execution_count} (DELTA INT64, label {@code result}),
 * {@code job/running_executions} (GAUGE INT64) and {@code container/billable_instance_time}
 * (DELTA DOUBLE, seconds). Unaligned reads are sampled every 60 s, like Cloud Run's own.
 */
final class BuiltInMetrics {

    static final String COMPLETED = "run.googleapis.com/job/completed_execution_count";
    static final String RUNNING = "run.googleapis.com/job/running_executions";
    static final String BILLABLE = "run.googleapis.com/container/billable_instance_time";
    private static final Duration SAMPLE = Duration.ofSeconds(60);
    /** Gauge resolution when aligning, fine enough that a short execution shows in a one-minute window. */
    private static final Duration FINE = Duration.ofSeconds(1);

    private final ExecutionHistory history;

    BuiltInMetrics(ExecutionHistory history) {
        this.history = history;
    }

    static List<MetricDescriptor> descriptors(String project) {
        return List.of(
                descriptor(project, COMPLETED, MetricKind.DELTA, ValueType.INT64, "1",
                        "Number of completed job executions, by result.", "result"),
                descriptor(project, RUNNING, MetricKind.GAUGE, ValueType.INT64, "1", "Number of running job executions."),
                descriptor(project, BILLABLE, MetricKind.DELTA, ValueType.DOUBLE, "s", "Billable instance time of the job's tasks."));
    }

    private static MetricDescriptor descriptor(String project, String type, MetricKind kind, ValueType valueType,
                                               String unit, String description, String... labels) {
        MetricDescriptor.Builder b = MetricDescriptor.newBuilder()
                .setName(project + "/metricDescriptors/" + type)
                .setType(type).setMetricKind(kind).setValueType(valueType).setUnit(unit)
                .setDescription(description).setDisplayName(type.substring(type.lastIndexOf('/') + 1))
                .addMonitoredResourceTypes("cloud_run_job");
        for (String l : labels) {
            b.addLabels(LabelDescriptor.newBuilder().setKey(l).setValueType(LabelDescriptor.ValueType.STRING));
        }
        return b.build();
    }

    static boolean isBuiltIn(String type) {
        return type.startsWith("run.googleapis.com/");
    }

    /** Every series of {@code type} in {@code projectName} ({@code projects/p}); {@code raw} for unaligned reads. */
    List<Series> series(String type, String projectName, Instant start, Instant end, boolean raw) {
        String project = projectName.substring("projects/".length());
        Map<List<String>, List<ExecutionFact>> byJob = new LinkedHashMap<>();
        for (ExecutionFact f : history.executions()) {
            if (f.project().equals(project)) {
                byJob.computeIfAbsent(List.of(f.location(), f.job()), k -> new ArrayList<>()).add(f);
            }
        }
        List<Series> out = new ArrayList<>();
        byJob.forEach((key, facts) -> {
            Map<String, String> resource = new TreeMap<>(Map.of("project_id", project, "location", key.get(0), "job_name", key.get(1)));
            switch (type) {
                case COMPLETED -> {
                    Map<String, List<Series.RawPoint>> byResult = new TreeMap<>();
                    for (ExecutionFact f : facts) {
                        if (f.result() != null && f.completionTime() != null) {
                            byResult.computeIfAbsent(f.result(), r -> new ArrayList<>())
                                    .add(new Series.RawPoint(f.completionTime(), f.completionTime(), int64(1)));
                        }
                    }
                    byResult.forEach((result, events) -> out.add(new Series(COMPLETED, Map.of("result", result), "cloud_run_job",
                            resource, MetricKind.DELTA, ValueType.INT64, raw ? buckets(events, ValueType.INT64) : events)));
                }
                case RUNNING -> out.add(new Series(RUNNING, Map.of(), "cloud_run_job", resource, MetricKind.GAUGE,
                        ValueType.INT64, running(facts, start, end, raw ? SAMPLE : FINE)));
                case BILLABLE -> {
                    List<Series.RawPoint> slices = new ArrayList<>();
                    for (ExecutionFact f : facts) {
                        for (ExecutionHistory.AttemptSpan span : f.attempts()) {
                            slices.addAll(slice(span.start(), span.end()));
                        }
                    }
                    if (!slices.isEmpty()) {
                        slices.sort(java.util.Comparator.comparing(Series.RawPoint::end));
                        out.add(new Series(BILLABLE, Map.of(), "cloud_run_job", resource, MetricKind.DELTA, ValueType.DOUBLE,
                                raw ? buckets(slices, ValueType.DOUBLE) : slices));
                    }
                }
                default -> {
                    // A run.googleapis.com metric the emulator does not compute has no data, as for an idle job.
                }
            }
        });
        return out;
    }

    /** Samples the number of running executions every {@code step}, ending exactly at {@code end}. */
    private static List<Series.RawPoint> running(List<ExecutionFact> facts, Instant start, Instant end, Duration step) {
        Instant first = facts.stream().map(ExecutionFact::createTime).min(Instant::compareTo).orElse(end);
        Instant from = start.isAfter(first.minus(step)) ? start : first.minus(step);
        List<Series.RawPoint> out = new ArrayList<>();
        long count = 0;
        for (Instant t = end; !t.isBefore(from) && count < 200_000; t = t.minus(step), count++) {
            long running = 0;
            for (ExecutionFact f : facts) {
                if (f.startTime() != null && !f.startTime().isAfter(t) && (f.completionTime() == null || f.completionTime().isAfter(t))) {
                    running++;
                }
            }
            out.add(0, new Series.RawPoint(t, t, int64(running)));
        }
        return out;
    }

    /** Splits an attempt into one-second pieces so that any window gets exactly its share. */
    private static List<Series.RawPoint> slice(Instant start, Instant end) {
        List<Series.RawPoint> out = new ArrayList<>();
        Instant s = start;
        while (s.isBefore(end)) {
            Instant e = s.plusSeconds(1).isBefore(end) ? s.plusSeconds(1) : end;
            out.add(new Series.RawPoint(s, e, Aggregator.dbl(Duration.between(s, e).toNanos() / 1e9)));
            s = e;
        }
        return out;
    }

    /** Sums events into the minute they fall in, as the sampled raw data of the real metric. */
    private static List<Series.RawPoint> buckets(List<Series.RawPoint> events, ValueType type) {
        Map<Instant, Double> sums = new TreeMap<>();
        Map<Instant, Instant> lastEvent = new TreeMap<>();
        for (Series.RawPoint p : events) {
            long sec = p.end().getEpochSecond() + (p.end().getNano() > 0 ? 1 : 0);
            Instant bucketEnd = Instant.ofEpochSecond(((sec + SAMPLE.toSeconds() - 1) / SAMPLE.toSeconds()) * SAMPLE.toSeconds());
            sums.merge(bucketEnd, Aggregator.number(p.value()), Double::sum);
            lastEvent.merge(bucketEnd, p.end(), (a, b) -> a.isAfter(b) ? a : b);
        }
        Instant now = Instant.now();
        List<Series.RawPoint> out = new ArrayList<>();
        sums.forEach((e, v) -> {
            // The current minute is still open: its sample ends at its latest event, not in the future.
            Instant end = e.isAfter(now) ? lastEvent.get(e) : e;
            out.add(new Series.RawPoint(e.minus(SAMPLE), end, type == ValueType.INT64 ? int64(Math.round(v)) : Aggregator.dbl(v)));
        });
        return out;
    }

    private static TypedValue int64(long v) {
        return TypedValue.newBuilder().setInt64Value(v).build();
    }
}
