package io.sandboxops.core.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sandbox jobs' health over one window.
 *
 * @param from               window start
 * @param to                 window end
 * @param succeeded          executions completed with result {@code succeeded} (Cloud Monitoring)
 * @param failed             … {@code failed}
 * @param cancelled          … {@code cancelled}
 * @param running            executions running at the end of the window (Cloud Monitoring)
 * @param operations         the Cloud Run sandboxes' operations, from the client's events (see {@link MetricsService})
 * @param operationErrors    those that ended in an error of the backend
 * @param operationScanTruncated whether the event scan hit its cap, so the error rate rests on the newest events
 * @param latencyP50         command latency, median
 * @param latencyP99         command latency, 99th percentile (nearest rank)
 * @param latencySamples     how many commands or executions the latency rests on
 * @param latencySource      where latency comes from
 * @param latencyScanTruncated whether the latency scan hit its cap (the percentiles rest on the newest samples)
 * @param billableSeconds    billable instance time (Cloud Monitoring)
 * @param cost               its price by {@link #prices}
 * @param prices             the price table used
 * @param evaluations        each indicator against the targets
 * @param canary             the Cloud Run sandboxes' operations, from the client's events
 * @param baseline           the Docker sandboxes' operations in the same window, from the same events: what the canary
 *                           is compared with
 */
public record MetricsSnapshot(Instant from, Instant to, long succeeded, long failed, long cancelled, long running,
                              long operations, long operationErrors, boolean operationScanTruncated,
                              Optional<Duration> latencyP50, Optional<Duration> latencyP99, long latencySamples,
                              MetricsService.LatencySource latencySource, boolean latencyScanTruncated,
                              double billableSeconds, double cost, PriceTable prices, List<Evaluation> evaluations,
                              MetricsService.OperationStats canary, MetricsService.OperationStats baseline) {

    public MetricsSnapshot {
        evaluations = List.copyOf(evaluations);
        java.util.Objects.requireNonNull(canary, "canary");
        java.util.Objects.requireNonNull(baseline, "baseline");
    }

    public long completed() {
        return succeeded + failed + cancelled;
    }

    /** succeeded ÷ (succeeded + failed), percent: a cancel is a deliberate stop, not a failure of the sandbox. */
    public Optional<Double> successRate() {
        long decided = succeeded + failed;
        return decided == 0 ? Optional.empty() : Optional.of(100.0 * succeeded / decided);
    }

    /** Operations that ended in an error of the backend ÷ all operations, percent (the client's events). */
    public Optional<Double> errorRate() {
        return operations == 0 ? Optional.empty() : Optional.of(100.0 * operationErrors / operations);
    }

    /** Where each figure comes from: a person reading it must know what it rests on. */
    public String source() {
        return "success rate, running executions, cost: Cloud Run's own metrics (Cloud Monitoring); latency: " + latencySource.description()
                + "; error rate: the client's operation events (log " + SandboxEvent.LOG_ID + "), never what a sandbox prints";
    }

    /** Dollars per 1000 completed executions. */
    public Optional<Double> costPer1000() {
        return completed() == 0 ? Optional.empty() : Optional.of(cost / completed() * 1000);
    }

    public Optional<Evaluation> evaluation(Indicator indicator) {
        return evaluations.stream().filter(e -> e.indicator() == indicator).findFirst();
    }

    /**
     * Docker (baseline) and Cloud Run (canary) in columns, from the client's events of the window: operations, success
     * rate, error rate, latency p50 and p99, each with what it rests on.
     */
    public List<String> sideBySide() {
        List<String> out = new ArrayList<>();
        String row = "%-22s %-26s %-26s";
        out.add(String.format(row, "baseline vs canary", baseline.label(), canary.label()));
        out.add(String.format(row, "operations", count(baseline.operations(), baseline.truncated()), count(canary.operations(), canary.truncated())));
        out.add(String.format(row, "success rate", rate(baseline.successRate(), baseline.answered()), rate(canary.successRate(), canary.answered())));
        out.add(String.format(row, "error rate", rate(baseline.errorRate(), baseline.operations()), rate(canary.errorRate(), canary.operations())));
        out.add(String.format(row, "exec latency p50", latency(baseline.latencyP50(), baseline.execLatencies().size()),
                latency(canary.latencyP50(), canary.execLatencies().size())));
        out.add(String.format(row, "exec latency p99", latency(baseline.latencyP99(), baseline.execLatencies().size()),
                latency(canary.latencyP99(), canary.execLatencies().size())));
        return out;
    }

    private static String count(long n, boolean truncated) {
        return n + (truncated ? " (newest only: cap)" : "");
    }

    private static String rate(Optional<Double> v, long n) {
        return v.map(x -> String.format("%.2f %%", x)).orElse("no data") + " (n=" + n + ")";
    }

    private static String latency(Optional<Duration> v, long n) {
        return v.map(d -> String.format("%.3f s", d.toNanos() / 1e9)).orElse("no data") + " (n=" + n + ")";
    }

    /** Human lines for a terminal. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        out.add("window:     " + from + " → " + to);
        out.add("executions: " + completed() + " completed (" + succeeded + " succeeded, " + failed + " failed, " + cancelled
                + " cancelled), " + running + " running");
        out.add("operations: " + operations + " by the Cloud Run sandboxes, " + operationErrors + " ended in an error of the backend"
                + (operationScanTruncated ? " (the newest " + operations + " only: the scan stopped at its cap)" : ""));
        out.add("latency:    " + latencySource.description() + ", n=" + latencySamples
                + (latencyScanTruncated ? " (the newest " + latencySamples + " only: the scan stopped at its cap)" : ""));
        out.add("source:     " + source());
        out.add(String.format("cost:       %.1f billable instance-seconds = $%.6f (%s)", billableSeconds, cost, prices.source()));
        evaluations.forEach(e -> out.add(e.describe()));
        out.addAll(sideBySide());
        return out;
    }
}
