package io.sandboxops.core.bench;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One figure of {@code sandboxctl bench start}: what was measured, beside the reference measured in the same run, and
 * the goal it is held to. A goal is either a ratio to the reference or an absolute bound; {@link #met()} says whether
 * the measured median keeps it.
 *
 * @param what            what was measured, e.g. "Docker create → first command (no pool)"
 * @param samplesMillis   each sample, in milliseconds, in the order taken
 * @param reference       what the reference is, e.g. "docker run -d + docker exec, same image"; empty for none
 * @param referenceMillis the reference's samples, same run; empty when there is no reference
 * @param goal            the bound the figure is held to
 */
public record StartFigure(String what, List<Double> samplesMillis, String reference, List<Double> referenceMillis, Goal goal) {

    public StartFigure {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(goal, "goal");
        samplesMillis = List.copyOf(samplesMillis);
        referenceMillis = List.copyOf(referenceMillis);
        if (samplesMillis.isEmpty()) {
            throw new IllegalArgumentException(what + ": no samples");
        }
        if (goal.ratio().isPresent() && referenceMillis.isEmpty()) {
            throw new IllegalArgumentException(what + ": a ratio goal needs a reference measured in the same run");
        }
    }

    /** How a figure is judged: at most {@code ratio} × the reference's median, or at most {@code millis}. */
    public record Goal(OptionalDouble ratio, OptionalDouble millis) {
        public static Goal ratio(double max) {
            return new Goal(OptionalDouble.of(max), OptionalDouble.empty());
        }

        public static Goal millis(double max) {
            return new Goal(OptionalDouble.empty(), OptionalDouble.of(max));
        }

        @Override
        public String toString() {
            return ratio.isPresent() ? String.format(Locale.ROOT, "≤ %.2f×", ratio.getAsDouble())
                    : String.format(Locale.ROOT, "≤ %.0f ms", millis.getAsDouble());
        }
    }

    public double median() {
        return median(samplesMillis);
    }

    /** The reference's median; empty when there is no reference. */
    public OptionalDouble referenceMedian() {
        return referenceMillis.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(median(referenceMillis));
    }

    /** Measured median over the reference's median; empty when there is no reference. */
    public OptionalDouble ratio() {
        return referenceMedian().stream().map(r -> median() / r).findFirst();
    }

    public boolean met() {
        if (goal.ratio().isPresent()) {
            return ratio().getAsDouble() <= goal.ratio().getAsDouble();
        }
        return median() <= goal.millis().getAsDouble();
    }

    /** One line: the figure, its reference, the ratio, the goal and whether it is met. */
    public String line() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-52s median %9.1f ms (n=%d)", what, median(), samplesMillis.size()));
        referenceMedian().ifPresent(r -> b.append(String.format(Locale.ROOT, " | %s %9.1f ms (n=%d) ratio %.2f×", reference, r,
                referenceMillis.size(), ratio().getAsDouble())));
        b.append(" | goal ").append(goal).append(met() ? " met" : " MISSED");
        return b.toString();
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
