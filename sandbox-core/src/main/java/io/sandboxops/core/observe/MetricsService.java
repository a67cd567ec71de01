package io.sandboxops.core.observe;

import com.google.cloud.run.v2.Execution;
import com.google.logging.type.LogSeverity;
import com.google.logging.v2.ListLogEntriesRequest;
import com.google.logging.v2.LogEntry;
import com.google.monitoring.v3.Aggregation;
import com.google.monitoring.v3.ListTimeSeriesRequest;
import com.google.monitoring.v3.Point;
import com.google.monitoring.v3.TimeInterval;
import com.google.monitoring.v3.TimeSeries;
import com.google.monitoring.v3.TypedValue;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.env.GoogleClients;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sandbox jobs' health from Cloud Monitoring, Cloud Run and Cloud Logging, over a window:
 * <ul>
 * <li>success rate: {@code run.googleapis.com/job/completed_execution_count} by {@code result}, succeeded ÷
 * (succeeded + failed);</li>
 * <li>running executions: {@code run.googleapis.com/job/running_executions}, its latest sample;</li>
 * <li>latency p50/p99, from one of two sources ({@link LatencySource}, recorded in the snapshot): the client
 * library's own operation events ({@link SandboxEvent}, log {@value SandboxEvent#LOG_ID}): the {@code duration_ms}
 * the client measured around each {@code exec} of a Cloud Run sandbox, what a user waits for per command; the
 * default), or each succeeded or failed execution's start → completion time from the Executions API (meaningful in
 * {@code once} mode, one execution per command);</li>
 * <li>error rate: the Cloud Run sandboxes' operations whose outcome is an error of the backend
 * ({@link SandboxEvent.Outcome#backendError()}) ÷ all their operations, from the same client events;</li>
 * <li>cost: {@code run.googleapis.com/container/billable_instance_time} priced by a {@link PriceTable}.</li>
 * </ul>
 * Nothing here reads what a sandbox prints: its output lands in Cloud Run's stdout and stderr logs, under the job's
 * resource, where it could pass for the executor's own events; the client's log is written only by the client
 * library. Success rate, running executions and cost are computed by Cloud Run itself.
 */
public final class MetricsService {
    static final String COMPLETED = "run.googleapis.com/job/completed_execution_count";
    static final String RUNNING = "run.googleapis.com/job/running_executions";
    static final String BILLABLE = "run.googleapis.com/container/billable_instance_time";
    /** Executions created this long before the window can still complete inside it (Cloud Run's longest task is 24 h). */
    static final Duration LONGEST_EXECUTION = Duration.ofHours(24);

    /** Where latency comes from. */
    public enum LatencySource {
        /** {@code duration_ms} of the client library's {@code exec} events (Cloud Logging, the client's own log) */
        CLIENT_EVENTS("the client's exec events, duration_ms as the client measured it (Cloud Logging, log " + SandboxEvent.LOG_ID + ")"),
        /** start → completion of succeeded and failed executions (Cloud Run Executions API) */
        EXECUTIONS("execution start → completion (Cloud Run Executions API)");

        private final String description;

        LatencySource(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /**
     * Cap of the scans (client events or executions), so a flood cannot stall the console; beyond it the percentiles
     * and the error rate rest on the newest ones.
     */
    static final int SCAN_CAP = 50_000;
    /** The backend the plan's gates judge: the canary. */
    public static final String CANARY = "cloudrun";
    /** The backend the canary is compared with: the baseline. */
    public static final String BASELINE = "docker";

    private final GoogleClients clients;
    private final LatencySource latencySource;
    private final String jobNamePrefix;
    private final PriceTable prices;
    private final MetricTargets targets;

    /**
     * @param jobNamePrefix only jobs whose name starts with this (the sandbox backend's jobs); empty for every job
     *                      in the region
     */
    public MetricsService(GoogleClients clients, String jobNamePrefix, PriceTable prices, MetricTargets targets) {
        this(clients, jobNamePrefix, prices, targets, LatencySource.CLIENT_EVENTS);
    }

    public MetricsService(GoogleClients clients, String jobNamePrefix, PriceTable prices, MetricTargets targets,
                          LatencySource latencySource) {
        if (!jobNamePrefix.matches("[a-z0-9-]*")) {
            throw new SandboxInvalidInputException("job name prefix \"" + jobNamePrefix + "\": Cloud Run job names hold only a-z, 0-9 and '-'");
        }
        this.clients = clients;
        this.jobNamePrefix = jobNamePrefix;
        this.prices = prices;
        this.targets = targets;
        this.latencySource = latencySource;
    }

    public MetricTargets targets() {
        return targets;
    }

    /** The window that ends now. */
    public MetricsSnapshot snapshot(MetricsWindow window) {
        Instant to = Instant.now();
        return snapshot(to.minus(window.length()), to);
    }

    public MetricsSnapshot snapshot(Instant from, Instant to) {
        try {
            long[] results = completedByResult(from, to);
            long running = running(to);
            double billable = billableSeconds(from, to);
            // Both backends in one read: Cloud Logging allows few reads a minute per project.
            Map<String, OperationStats> both = operations(List.of(CANARY, BASELINE), from, to);
            OperationStats ops = both.get(CANARY);
            OperationStats baseline = both.get(BASELINE);
            Scan<Duration> latencyScan = latencySource == LatencySource.CLIENT_EVENTS ? new Scan<>(ops.execLatencies(), ops.truncated())
                    : executionLatencies(from, to);
            List<Duration> latencies = latencyScan.items();
            Optional<Duration> p50 = percentile(latencies, 50);
            Optional<Duration> p99 = percentile(latencies, 99);
            MetricsSnapshot partial = new MetricsSnapshot(from, to, results[0], results[1], results[2], running, ops.operations(),
                    ops.backendErrors(), ops.truncated(), p50, p99, latencies.size(), latencySource, latencyScan.truncated(), billable,
                    prices.cost(billable), prices, List.of(), ops, baseline);
            List<Evaluation> evaluations = List.of(
                    targets.evaluate(Indicator.SUCCESS_RATE, partial.successRate(), results[0] + results[1]),
                    targets.evaluate(Indicator.LATENCY_P50, p50.map(MetricsService::secondsOf), latencies.size()),
                    targets.evaluate(Indicator.LATENCY_P99, p99.map(MetricsService::secondsOf), latencies.size()),
                    targets.evaluate(Indicator.ERROR_RATE, partial.errorRate(), ops.operations()),
                    targets.evaluate(Indicator.COST_PER_1000, partial.costPer1000(), partial.completed()));
            return new MetricsSnapshot(from, to, results[0], results[1], results[2], running, ops.operations(), ops.backendErrors(),
                    ops.truncated(), p50, p99, latencies.size(), latencySource, latencyScan.truncated(), billable, partial.cost(), prices,
                    evaluations, ops, baseline);
        } catch (SandboxException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SandboxUnavailableException("cannot read the sandbox metrics of project " + clients.target().projectId() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Nearest-rank percentile: the smallest value with at least p % of the values at or below it. */
    static Optional<Duration> percentile(List<Duration> values, int p) {
        if (values.isEmpty()) {
            return Optional.empty();
        }
        List<Duration> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return Optional.of(sorted.get(Math.max(0, rank - 1)));
    }

    private String jobFilter() {
        String f = "resource.type=\"cloud_run_job\" AND resource.labels.location=\"" + clients.target().region() + "\"";
        return jobNamePrefix.isEmpty() ? f : f + " AND resource.labels.job_name=starts_with(\"" + jobNamePrefix + "\")";
    }

    /** {succeeded, failed, cancelled} */
    private long[] completedByResult(Instant from, Instant to) {
        long[] out = new long[3];
        for (TimeSeries s : query(COMPLETED, from, to, Aggregation.newBuilder()
                .setAlignmentPeriod(period(Duration.between(from, to)))
                .setPerSeriesAligner(Aggregation.Aligner.ALIGN_DELTA)
                .setCrossSeriesReducer(Aggregation.Reducer.REDUCE_SUM)
                .addGroupByFields("metric.label.result").build())) {
            long sum = s.getPointsList().stream().mapToLong(p -> Math.round(number(p.getValue()))).sum();
            switch (s.getMetric().getLabelsOrDefault("result", "")) {
                case "succeeded" -> out[0] += sum;
                case "failed" -> out[1] += sum;
                case "cancelled" -> out[2] += sum;
                default -> {
                    // a result Cloud Run may add later is neither a success nor a failure of ours
                }
            }
        }
        return out;
    }

    private long running(Instant at) {
        List<TimeSeries> series = query(RUNNING, at.minus(Duration.ofMinutes(5)), at, Aggregation.newBuilder()
                .setAlignmentPeriod(period(Duration.ofMinutes(1)))
                .setPerSeriesAligner(Aggregation.Aligner.ALIGN_NEXT_OLDER)
                .setCrossSeriesReducer(Aggregation.Reducer.REDUCE_SUM).build());
        Point newest = null;
        for (TimeSeries s : series) {
            for (Point p : s.getPointsList()) {
                if (newest == null || compare(p.getInterval().getEndTime(), newest.getInterval().getEndTime()) > 0) {
                    newest = p;
                }
            }
        }
        return newest == null ? 0 : Math.round(number(newest.getValue()));
    }

    private double billableSeconds(Instant from, Instant to) {
        double sum = 0;
        for (TimeSeries s : query(BILLABLE, from, to, Aggregation.newBuilder()
                .setAlignmentPeriod(period(Duration.between(from, to)))
                .setPerSeriesAligner(Aggregation.Aligner.ALIGN_SUM)
                .setCrossSeriesReducer(Aggregation.Reducer.REDUCE_SUM).build())) {
            sum += s.getPointsList().stream().mapToDouble(p -> number(p.getValue())).sum();
        }
        return sum;
    }

    private List<TimeSeries> query(String metricType, Instant from, Instant to, Aggregation aggregation) {
        List<TimeSeries> out = new ArrayList<>();
        clients.metrics().listTimeSeries(ListTimeSeriesRequest.newBuilder()
                .setName("projects/" + clients.target().projectId())
                .setFilter("metric.type=\"" + metricType + "\" AND " + jobFilter())
                .setInterval(TimeInterval.newBuilder().setStartTime(timestamp(from)).setEndTime(timestamp(to)))
                .setAggregation(aggregation)
                .setView(ListTimeSeriesRequest.TimeSeriesView.FULL)
                .build()).iterateAll().forEach(out::add);
        return out;
    }

    private record Scan<T>(List<T> items, boolean truncated) {
    }

    /**
     * What one backend's sandboxes did in a window, from the client's operation events: the figures Docker (the
     * baseline) and Cloud Run (the canary) are compared on.
     *
     * @param operations     operations of every kind
     * @param ok             those that did what was asked (outcome {@code ok})
     * @param callerMistakes those refused as the caller's mistake (a missing file, a bad argument, a busy session, a refused
     *                       size, an unsupported call): answered correctly, so in neither rate's favour nor against it
     * @param backendErrors  those that ended in an error of the backend ({@link SandboxEvent.Outcome#backendError()})
     * @param execLatencies  the {@code duration_ms} of each {@code exec} the sandbox ran or failed to run (a caller's
     *                       mistake, refused before anything ran, is not a latency), newest first
     * @param truncated      whether the scan stopped at its cap, so the figures rest on the newest events only
     */
    public record OperationStats(String backend, long operations, long ok, long callerMistakes, long backendErrors,
                                 List<Duration> execLatencies, boolean truncated) {
        public OperationStats {
            execLatencies = List.copyOf(execLatencies);
        }

        /** Nothing in the window. */
        public static OperationStats none(String backend) {
            return new OperationStats(backend, 0, 0, 0, 0, List.of(), false);
        }

        /** The operations a success rate rests on: all but the caller's mistakes. */
        public long answered() {
            return operations - callerMistakes;
        }

        /**
         * {@code ok} ÷ {@link #answered()}, percent: a command that ran into its caller's timeout, or an error of the
         * backend, is not a success.
         */
        public Optional<Double> successRate() {
            return answered() <= 0 ? Optional.empty() : Optional.of(100.0 * ok / answered());
        }

        /** Errors of the backend ÷ all operations, percent. */
        public Optional<Double> errorRate() {
            return operations == 0 ? Optional.empty() : Optional.of(100.0 * backendErrors / operations);
        }

        public Optional<Duration> latencyP50() {
            return percentile(execLatencies, 50);
        }

        public Optional<Duration> latencyP99() {
            return percentile(execLatencies, 99);
        }

        /** Human name of the backend, with its role in a rollout. */
        public String label() {
            return switch (backend) {
                case BASELINE -> "Docker (baseline)";
                case CANARY -> "Cloud Run (canary)";
                default -> backend;
            };
        }
    }

    /** The filter of one backend's operation events in a window: the client's log only, never a job's output. */
    public static String operationFilter(String projectId, String backend, Instant from, Instant to) {
        return operationFilter(projectId, List.of(backend), from, to);
    }

    /** The same for several backends at once. */
    public static String operationFilter(String projectId, List<String> backends, Instant from, Instant to) {
        String backend = backends.size() == 1 ? "jsonPayload.backend=\"" + backends.get(0) + "\""
                : "(" + String.join(" OR ", backends.stream().map(b -> "jsonPayload.backend=\"" + b + "\"").toList()) + ")";
        return "logName=\"projects/" + projectId + "/logs/" + SandboxEvent.LOG_ID + "\" AND jsonPayload.event=\"" + SandboxEvent.EVENT
                + "\" AND " + backend + " AND timestamp>=\"" + from + "\" AND timestamp<=\"" + to + "\"";
    }

    /**
     * One backend's operations in a window ({@code docker} as the baseline, {@code cloudrun} as the canary), from the
     * client's events; the snapshot's latency and error rate are {@code cloudrun}'s.
     */
    public OperationStats operations(String backend, Instant from, Instant to) {
        return operations(List.of(backend), from, to).get(backend);
    }

    /**
     * Several backends' operations in a window, in one scan of the client's events. Each backend's figures stop at
     * {@link #SCAN_CAP} events (its newest); the scan as a whole stops at that many times the number of backends, and
     * then every backend's figures say they rest on the newest events only.
     */
    public Map<String, OperationStats> operations(List<String> backends, Instant from, Instant to) {
        Map<String, Tally> tallies = new LinkedHashMap<>();
        backends.forEach(b -> tallies.put(b, new Tally()));
        long scanned = 0;
        boolean stopped = false;
        String projectId = clients.target().projectId();
        for (LogEntry entry : clients.logging().listLogEntries(ListLogEntriesRequest.newBuilder()
                .addResourceNames("projects/" + projectId).setFilter(operationFilter(projectId, backends, from, to))
                .setOrderBy("timestamp desc").setPageSize(1000).build()).iterateAll()) {
            if (scanned >= (long) SCAN_CAP * backends.size()) {
                stopped = true;
                break;
            }
            scanned++;
            var fields = entry.getJsonPayload().getFieldsMap();
            Tally t = tallies.get(fields.getOrDefault("backend", Value.getDefaultInstance()).getStringValue());
            if (t == null) {
                continue;
            }
            if (t.operations >= SCAN_CAP) {
                t.truncated = true;
                continue;
            }
            t.add(entry, fields);
        }
        Map<String, OperationStats> out = new LinkedHashMap<>();
        for (var e : tallies.entrySet()) {
            Tally t = e.getValue();
            out.put(e.getKey(), new OperationStats(e.getKey(), t.operations, t.ok, t.mistakes, t.errors, t.latencies, t.truncated || stopped));
        }
        return out;
    }

    /** One backend's counts as the scan goes. */
    private static final class Tally {
        final List<Duration> latencies = new ArrayList<>();
        long operations;
        long ok;
        long mistakes;
        long errors;
        boolean truncated;

        void add(LogEntry entry, Map<String, Value> fields) {
            Optional<SandboxEvent.Outcome> outcome = SandboxEvent.Outcome.parse(fields.getOrDefault("outcome", Value.getDefaultInstance()).getStringValue());
            operations++;
            // An outcome a newer client added is counted as an operation, and as an error only when it says so by severity.
            boolean error = outcome.map(SandboxEvent.Outcome::backendError).orElse(entry.getSeverityValue() >= LogSeverity.ERROR_VALUE);
            if (error) {
                errors++;
            } else if (outcome.filter(o -> o == SandboxEvent.Outcome.OK).isPresent()) {
                ok++;
            } else if (outcome.filter(o -> o != SandboxEvent.Outcome.TIMED_OUT).isPresent()) {
                mistakes++;
            }
            Value ms = fields.get("duration_ms");
            boolean ran = error || outcome.filter(o -> o == SandboxEvent.Outcome.OK || o == SandboxEvent.Outcome.TIMED_OUT).isPresent();
            if (ran && "exec".equals(fields.getOrDefault("operation", Value.getDefaultInstance()).getStringValue())
                    && ms != null && ms.hasNumberValue() && ms.getNumberValue() >= 0) {
                latencies.add(Duration.ofNanos((long) (ms.getNumberValue() * 1_000_000)));
            }
        }
    }

    /** Durations of executions that succeeded or failed in the window, newest first as the API lists them. */
    private Scan<Duration> executionLatencies(Instant from, Instant to) {
        List<Duration> out = new ArrayList<>();
        Instant oldestCreate = from.minus(LONGEST_EXECUTION);
        for (Execution e : clients.executions().listExecutions(clients.target().locationName() + "/jobs/-").iterateAll()) {
            if (e.hasCreateTime() && instant(e.getCreateTime()).isBefore(oldestCreate)) {
                break;
            }
            if (out.size() >= SCAN_CAP) {
                return new Scan<>(out, true);
            }
            // A cancelled execution's duration is when someone stopped it, not how long the work took.
            if (!e.hasStartTime() || !e.hasCompletionTime() || e.getCancelledCount() > 0 || !jobMatches(e.getJob())) {
                continue;
            }
            Instant done = instant(e.getCompletionTime());
            if (!done.isBefore(from) && !done.isAfter(to)) {
                out.add(Duration.between(instant(e.getStartTime()), done));
            }
        }
        return new Scan<>(out, false);
    }

    private boolean jobMatches(String job) {
        String shortName = job.substring(job.lastIndexOf('/') + 1);
        return shortName.startsWith(jobNamePrefix);
    }

    private static double number(TypedValue v) {
        return switch (v.getValueCase()) {
            case INT64_VALUE -> v.getInt64Value();
            case DOUBLE_VALUE -> v.getDoubleValue();
            default -> 0;
        };
    }

    private static double secondsOf(Duration d) {
        return d.toNanos() / 1e9;
    }

    /** An alignment period for a window: Cloud Monitoring refuses periods under 60 s; the interval still bounds the data. */
    private static com.google.protobuf.Duration period(Duration d) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(Math.max(60, d.getSeconds())).build();
    }

    private static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    private static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    private static int compare(Timestamp a, Timestamp b) {
        return instant(a).compareTo(instant(b));
    }
}
