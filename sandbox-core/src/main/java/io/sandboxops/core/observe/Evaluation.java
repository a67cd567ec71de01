package io.sandboxops.core.observe;

import java.util.Optional;

/**
 * One indicator against its objective.
 *
 * @param value          the measured value; empty when there was nothing to measure
 * @param sampleSize     how many executions the value rests on (a rate over 3 executions says little)
 */
public record Evaluation(Indicator indicator, Optional<Double> value, double target, double alertThreshold, Level level,
                         long sampleSize) {

    public enum Level { OK, WARNING, CRITICAL, NO_DATA }

    /** {@code job success rate 98.00 % (target ≥ 99.50 %, alert < 99.00 %) CRITICAL, n=50}. */
    public String describe() {
        String good = indicator.higherIsBetter() ? "≥ " : "≤ ";
        String bad = indicator.higherIsBetter() ? "< " : "> ";
        return indicator.label() + " " + value.map(indicator::format).orElse("no data") + " (target " + good
                + indicator.format(target) + ", alert " + bad + indicator.format(alertThreshold) + ") " + level + ", n=" + sampleSize;
    }
}
