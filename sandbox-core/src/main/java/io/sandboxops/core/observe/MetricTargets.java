package io.sandboxops.core.observe;

import java.util.List;
import java.util.Optional;

/**
 * Targets and alert thresholds as data. A value that misses its target is a warning; one past its alert
 * threshold is critical.
 */
public record MetricTargets(List<Objective> objectives) {

    /**
     * @param indicator      what is measured
     * @param target         the value to meet (e.g. success ≥ 99.5 %)
     * @param alertThreshold the value past which someone is alerted (e.g. success < 99 %)
     */
    public record Objective(Indicator indicator, double target, double alertThreshold) {
    }

    public MetricTargets {
        objectives = List.copyOf(objectives);
    }

    /**
     * The original plan's staging table: success > 99.5 % (alert < 99 %), p50 < 3 s (> 5 s), p99 < 10 s (> 15 s),
     * error rate < 0.5 % (> 1 %), cost < $0.50 per 1000 executions (> $1.00).
     */
    public static MetricTargets originalPlan() {
        return new MetricTargets(List.of(
                new Objective(Indicator.SUCCESS_RATE, 99.5, 99.0),
                new Objective(Indicator.LATENCY_P50, 3.0, 5.0),
                new Objective(Indicator.LATENCY_P99, 10.0, 15.0),
                new Objective(Indicator.ERROR_RATE, 0.5, 1.0),
                new Objective(Indicator.COST_PER_1000, 0.50, 1.00)));
    }

    public Optional<Objective> objective(Indicator indicator) {
        return objectives.stream().filter(o -> o.indicator() == indicator).findFirst();
    }

    /** Where {@code value} stands against its objective. */
    public Evaluation evaluate(Indicator indicator, Optional<Double> value, long sampleSize) {
        Objective o = objective(indicator).orElseThrow(() -> new IllegalArgumentException("no objective for " + indicator));
        Evaluation.Level level;
        if (value.isEmpty()) {
            level = Evaluation.Level.NO_DATA;
        } else if (indicator.meets(value.get(), o.target())) {
            level = Evaluation.Level.OK;
        } else if (indicator.meets(value.get(), o.alertThreshold())) {
            level = Evaluation.Level.WARNING;
        } else {
            level = Evaluation.Level.CRITICAL;
        }
        return new Evaluation(indicator, value, o.target(), o.alertThreshold(), level, sampleSize);
    }
}
