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
 * @param executionsWithErrors completed executions that logged an error (see {@link MetricsService})
 * @param errorScanTruncated whether the error-log scan hit its cap, so the error rate is a lower bound
 * @param latencyP50         execution latency, median
 * @param latencyP99         execution latency, 99th percentile (nearest rank)
 * @param latencySamples     how many commands or executions the latency rests on
 * @param latencySource      where latency comes from
 * @param latencyScanTruncated whether the latency scan hit its cap (the percentiles rest on the newest samples)
 * @param billableSeconds    billable instance time (Cloud Monitoring)
 * @param cost               its price by {@link #prices}
 * @param prices             the price table used
 * @param evaluations        each indicator against the targets
 */
public record MetricsSnapshot(Instant from, Instant to, long succeeded, long failed, long cancelled, long running,
                              long executionsWithErrors, boolean errorScanTruncated,
                              Optional<Duration> latencyP50, Optional<Duration> latencyP99, long latencySamples,
                              MetricsService.LatencySource latencySource, boolean latencyScanTruncated,
                              double billableSeconds, double cost, PriceTable prices, List<Evaluation> evaluations) {

    public MetricsSnapshot {
        evaluations = List.copyOf(evaluations);
    }

    public long completed() {
        return succeeded + failed + cancelled;
    }

    /** succeeded ÷ (succeeded + failed), percent: a cancel is a deliberate stop, not a failure of the sandbox. */
    public Optional<Double> successRate() {
        long decided = succeeded + failed;
        return decided == 0 ? Optional.empty() : Optional.of(100.0 * succeeded / decided);
    }

    /** Executions that logged an error ÷ completed executions, percent. */
    public Optional<Double> errorRate() {
        return completed() == 0 ? Optional.empty() : Optional.of(100.0 * executionsWithErrors / completed());
    }

    /** Dollars per 1000 completed executions. */
    public Optional<Double> costPer1000() {
        return completed() == 0 ? Optional.empty() : Optional.of(cost / completed() * 1000);
    }

    public Optional<Evaluation> evaluation(Indicator indicator) {
        return evaluations.stream().filter(e -> e.indicator() == indicator).findFirst();
    }

    /** Human lines for a terminal. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        out.add("window:     " + from + " → " + to);
        out.add("executions: " + completed() + " completed (" + succeeded + " succeeded, " + failed + " failed, " + cancelled
                + " cancelled), " + running + " running");
        out.add("latency:    " + latencySource.description() + ", n=" + latencySamples
                + (latencyScanTruncated ? " (the newest " + latencySamples + " only: the scan stopped at its cap)" : ""));
        out.add(String.format("cost:       %.1f billable instance-seconds = $%.6f (%s)", billableSeconds, cost, prices.source()));
        if (errorScanTruncated) {
            out.add("error rate: the error-log scan stopped at its cap; the rate is a lower bound");
        }
        evaluations.forEach(e -> out.add(e.describe()));
        return out;
    }
}
