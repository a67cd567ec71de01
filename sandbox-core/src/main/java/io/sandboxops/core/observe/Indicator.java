package io.sandboxops.core.observe;

/** The measures the original plan watches, and which way is good. */
public enum Indicator {
    SUCCESS_RATE("job success rate", "%", true),
    LATENCY_P50("latency p50", "s", false),
    LATENCY_P99("latency p99", "s", false),
    ERROR_RATE("error rate", "%", false),
    COST_PER_1000("cost per 1000 executions", "$", false);

    private final String label;
    private final String unit;
    private final boolean higherIsBetter;

    Indicator(String label, String unit, boolean higherIsBetter) {
        this.label = label;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
    }

    public String label() {
        return label;
    }

    /** {@code %} (values are percentages 0–100), {@code s} or {@code $}. */
    public String unit() {
        return unit;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** Whether {@code value} is on the good side of {@code bound} (inclusive: meeting a bound is meeting it). */
    public boolean meets(double value, double bound) {
        return higherIsBetter ? value >= bound : value <= bound;
    }

    public String format(double value) {
        return switch (unit) {
            case "%" -> String.format("%.2f %%", value);
            case "s" -> String.format("%.2f s", value);
            default -> String.format("$%.4f", value);
        };
    }
}
