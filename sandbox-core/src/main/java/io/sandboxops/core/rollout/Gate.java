package io.sandboxops.core.rollout;

import io.sandboxops.core.observe.MetricsService.OperationStats;
import io.sandboxops.core.observe.MetricsSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What a plan step must hold to go on: the original plan's absolute thresholds on the canary (Cloud Run), and the
 * canary against its baseline (Docker) in the same window, from the same client events (as Argo Rollouts' analysis
 * and Kayenta compare a canary with its baseline). Every threshold is data here, so a plan states its own.
 *
 * @param minSuccessRate    job success rate, percent
 * @param maxLatencyP99     command latency p99, as the client measured it
 * @param maxErrorRate      error rate of the sandboxes' operations, percent, from the client's events
 * @param minimumExecutions fewer completed executions than this cannot show a pass (at 1 % a handful of
 *                          executions make every rate noisy); a breach counts whatever the sample
 * @param baseline          how Cloud Run must compare with Docker; empty for a plan that judges the canary alone
 */
public record Gate(double minSuccessRate, Duration maxLatencyP99, double maxErrorRate, long minimumExecutions, Optional<Baseline> baseline) {

    public Gate {
        Objects.requireNonNull(maxLatencyP99, "maxLatencyP99");
        Objects.requireNonNull(baseline, "baseline");
    }

    /** A plan's gate as written before the baseline comparison: the comparison's defaults apply to it. */
    public Gate(double minSuccessRate, Duration maxLatencyP99, double maxErrorRate, long minimumExecutions) {
        this(minSuccessRate, maxLatencyP99, maxErrorRate, minimumExecutions, Optional.of(Baseline.defaults()));
    }

    /** The original plan's alert thresholds (success ≥ 99 %, p99 ≤ 15 s, errors ≤ 1 %), and Cloud Run against Docker. */
    public static Gate originalPlan() {
        return new Gate(99.0, Duration.ofSeconds(15), 1.0, 100, Optional.of(Baseline.defaults()));
    }

    public Gate withBaseline(Baseline comparison) {
        return new Gate(minSuccessRate, maxLatencyP99, maxErrorRate, minimumExecutions, Optional.of(comparison));
    }

    /** The canary judged alone, by the absolute thresholds. */
    public Gate withoutBaseline() {
        return new Gate(minSuccessRate, maxLatencyP99, maxErrorRate, minimumExecutions, Optional.empty());
    }

    /**
     * How far Cloud Run may fall behind Docker, with the sample sizes and the significance level the comparison needs.
     * A comparison breaches when the difference is past its threshold and its test says it is no accident (p &lt; α);
     * past the threshold without that, it is too early to tell.
     *
     * @param successRateMargin percentage points Cloud Run's success rate may be below Docker's
     * @param errorRateMargin   percentage points Cloud Run's error rate may be above Docker's
     * @param latencyP99Factor  Cloud Run's exec latency p99 may be at most this many times Docker's
     * @param minimumSamples    fewer samples than this on either side and the comparison says so instead of judging
     * @param alpha             significance level of the one-sided tests: Mann-Whitney U for latency, a two-proportion
     *                          z-test with the margin for the rates
     */
    public record Baseline(double successRateMargin, double errorRateMargin, double latencyP99Factor, long minimumSamples, double alpha) {

        /** Below this the tests' normal approximation is not to be trusted. */
        public static final long FEWEST_SAMPLES = 8;

        public Baseline {
            if (!(successRateMargin >= 0) || !(errorRateMargin >= 0)) {
                throw new IllegalArgumentException("the rate margins are percentage points ≥ 0, not " + successRateMargin + " and " + errorRateMargin);
            }
            if (!(latencyP99Factor >= 1)) {
                throw new IllegalArgumentException("the latency factor is at least 1 (Cloud Run no faster than Docker is allowed), not " + latencyP99Factor);
            }
            if (minimumSamples < FEWEST_SAMPLES) {
                throw new IllegalArgumentException("a comparison needs at least " + FEWEST_SAMPLES + " samples a side, not " + minimumSamples);
            }
            if (!(alpha > 0 && alpha < 1)) {
                throw new IllegalArgumentException("alpha is a probability strictly between 0 and 1, not " + alpha);
            }
        }

        /**
         * The original plan's own spread between target and alert (success 99.5 → 99 %, errors 0.5 → 1 %) as the rate
         * margins; Cloud Run's p99 within 1.5 × Docker's; 50 samples a side; α = 0.05 (Kayenta's 95 % confidence).
         */
        public static Baseline defaults() {
            return new Baseline(0.5, 0.5, 1.5, 50, 0.05);
        }
    }

    public enum Verdict {
        /** every check holds on enough samples */
        PASS,
        /** at least one check is breached */
        BREACH,
        /** nothing breached, but too few samples to call it a pass */
        INSUFFICIENT_DATA
    }

    /**
     * One threshold against one value.
     *
     * @param value              Cloud Run's value
     * @param verdict            an absolute check is {@code PASS} or {@code BREACH}, its samples judged by the gate's
     *                           minimum of executions; a comparison may also be {@code INSUFFICIENT_DATA}
     * @param sampleSize         what Cloud Run's value rests on
     * @param baselineValue      Docker's value, for a comparison
     * @param baselineSampleSize what Docker's value rests on
     * @param test               the statistical test of a comparison, empty for an absolute check
     * @param pValue             its one-sided p-value, when the samples allowed it
     * @param detail             what a person needs beyond the numbers: why it is insufficient, what was tested
     */
    public record Check(String name, Optional<String> value, String threshold, Verdict verdict, long sampleSize,
                        Optional<String> baselineValue, long baselineSampleSize, String test, OptionalDouble pValue, String detail) {

        /** An absolute check. */
        public Check(String name, Optional<String> value, String threshold, boolean breached, long sampleSize) {
            this(name, value, threshold, breached ? Verdict.BREACH : Verdict.PASS, sampleSize, Optional.empty(), 0, "", OptionalDouble.empty(), "");
        }

        public boolean breached() {
            return verdict == Verdict.BREACH;
        }

        public boolean comparison() {
            return !test.isEmpty();
        }

        public String describe() {
            if (!comparison()) {
                return name + " " + value.orElse("no data") + " (gate " + threshold + ", n=" + sampleSize + ")" + (breached() ? " BREACHED" : "");
            }
            String p = pValue.isPresent() ? ", p=" + formatP(pValue.getAsDouble()) : "";
            return name + ": Cloud Run " + value.orElse("no data") + " (n=" + sampleSize + ") vs Docker " + baselineValue.orElse("no data")
                    + " (n=" + baselineSampleSize + ") (gate " + threshold + "; " + test + p + ") " + verdict
                    + (detail.isEmpty() ? "" : ": " + detail);
        }
    }

    public record Result(Verdict verdict, List<Check> checks, long completedExecutions, long minimumExecutions) {
        public Result {
            checks = List.copyOf(checks);
        }

        public List<String> breaches() {
            return checks.stream().filter(Check::breached).map(Check::describe).toList();
        }

        /** Why the result is no pass though nothing breached, in plain words; empty when there is no shortfall. */
        public List<String> shortfalls() {
            List<String> out = new ArrayList<>();
            if (completedExecutions < minimumExecutions) {
                out.add("too few samples: n=" + completedExecutions + " Cloud Run executions of at least " + minimumExecutions);
            }
            checks.stream().filter(c -> c.verdict() == Verdict.INSUFFICIENT_DATA).forEach(c -> out.add(c.name() + ": " + c.detail()));
            return out;
        }
    }

    public Result evaluate(MetricsSnapshot m) {
        List<Check> checks = new ArrayList<>();
        long decided = m.succeeded() + m.failed();
        checks.add(new Check("job success rate", m.successRate().map(Gate::percent),
                String.format("≥ %.2f %%", minSuccessRate), m.successRate().map(v -> v < minSuccessRate).orElse(false), decided));
        checks.add(new Check("latency p99", m.latencyP99().map(Gate::seconds), "≤ " + seconds(maxLatencyP99),
                m.latencyP99().map(d -> d.compareTo(maxLatencyP99) > 0).orElse(false), m.latencySamples()));
        checks.add(new Check("error rate", m.errorRate().map(Gate::percent),
                String.format("≤ %.2f %%", maxErrorRate), m.errorRate().map(v -> v > maxErrorRate).orElse(false), m.operations()));
        baseline.ifPresent(b -> checks.addAll(compare(b, m.canary(), m.baseline())));
        boolean insufficient = m.completed() < minimumExecutions || checks.stream().anyMatch(c -> c.verdict() == Verdict.INSUFFICIENT_DATA);
        Verdict verdict = checks.stream().anyMatch(Check::breached) ? Verdict.BREACH : insufficient ? Verdict.INSUFFICIENT_DATA : Verdict.PASS;
        return new Result(verdict, checks, m.completed(), minimumExecutions);
    }

    /** The comparisons of Cloud Run with Docker alone: what the Metrics view shows beside the two columns. */
    public static List<Check> compare(Baseline b, OperationStats canary, OperationStats baseline) {
        List<Check> out = new ArrayList<>();
        String rateTest = "two-proportion z-test, one-sided, α=" + b.alpha();
        // Success rate: the failure rate (answered − ok) tested as Cloud Run's excess over Docker's beyond the margin.
        String sThreshold = String.format("≥ Docker's − %.2f points", b.successRateMargin());
        out.add(tooFew(b, canary.answered(), baseline.answered()).map(why -> check("success rate vs Docker", canary.successRate().map(Gate::percent),
                sThreshold, Verdict.INSUFFICIENT_DATA, canary.answered(), baseline.successRate().map(Gate::percent), baseline.answered(), rateTest,
                OptionalDouble.empty(), why)).orElseGet(() -> {
                    double c = canary.successRate().orElseThrow();
                    double d = baseline.successRate().orElseThrow();
                    boolean past = c < d - b.successRateMargin();
                    ProportionTest t = ProportionTest.canaryHigher(canary.answered() - canary.ok(), canary.answered(),
                            baseline.answered() - baseline.ok(), baseline.answered(), b.successRateMargin() / 100);
                    return judged("success rate vs Docker", percent(c), sThreshold, canary.answered(), percent(d), baseline.answered(),
                            rateTest, past, t.pValue(), b.alpha(), String.format("Cloud Run %.2f points below Docker", d - c));
                }));
        String eThreshold = String.format("≤ Docker's + %.2f points", b.errorRateMargin());
        out.add(tooFew(b, canary.operations(), baseline.operations()).map(why -> check("error rate vs Docker", canary.errorRate().map(Gate::percent),
                eThreshold, Verdict.INSUFFICIENT_DATA, canary.operations(), baseline.errorRate().map(Gate::percent), baseline.operations(),
                rateTest, OptionalDouble.empty(), why)).orElseGet(() -> {
                    double c = canary.errorRate().orElseThrow();
                    double d = baseline.errorRate().orElseThrow();
                    boolean past = c > d + b.errorRateMargin();
                    ProportionTest t = ProportionTest.canaryHigher(canary.backendErrors(), canary.operations(), baseline.backendErrors(),
                            baseline.operations(), b.errorRateMargin() / 100);
                    return judged("error rate vs Docker", percent(c), eThreshold, canary.operations(), percent(d), baseline.operations(),
                            rateTest, past, t.pValue(), b.alpha(), String.format("Cloud Run %.2f points above Docker", c - d));
                }));
        String lThreshold = String.format("≤ %.2f × Docker's", b.latencyP99Factor());
        String latencyTest = "Mann-Whitney U, one-sided (Cloud Run slower?), α=" + b.alpha();
        long nc = canary.execLatencies().size();
        long nd = baseline.execLatencies().size();
        out.add(tooFew(b, nc, nd).map(why -> check("latency p99 vs Docker", canary.latencyP99().map(Gate::seconds), lThreshold,
                Verdict.INSUFFICIENT_DATA, nc, baseline.latencyP99().map(Gate::seconds), nd, latencyTest, OptionalDouble.empty(), why)).orElseGet(() -> {
                    Duration c = canary.latencyP99().orElseThrow();
                    Duration d = baseline.latencyP99().orElseThrow();
                    double ratio = c.toNanos() / (double) Math.max(1, d.toNanos());
                    MannWhitneyU t = MannWhitneyU.canaryGreater(millis(canary.execLatencies()), millis(baseline.execLatencies()));
                    return judged("latency p99 vs Docker", seconds(c), lThreshold, nc, seconds(d), nd, latencyTest, ratio > b.latencyP99Factor(),
                            t.pValue(), b.alpha(), String.format("Cloud Run's p99 %.2f × Docker's", ratio));
                }));
        return out;
    }

    private static Optional<String> tooFew(Baseline b, long canary, long baseline) {
        if (canary >= b.minimumSamples() && baseline >= b.minimumSamples()) {
            return Optional.empty();
        }
        return Optional.of("too few samples: n=" + canary + " on Cloud Run and n=" + baseline + " on Docker, of at least "
                + b.minimumSamples() + " each");
    }

    private static Check judged(String name, String value, String threshold, long n, String baselineValue, long baselineN, String test,
                                boolean pastThreshold, double p, double alpha, String difference) {
        Verdict v;
        String detail;
        if (!pastThreshold) {
            v = Verdict.PASS;
            detail = "";
        } else if (p < alpha) {
            v = Verdict.BREACH;
            detail = difference + ", past the threshold and significant (p=" + formatP(p) + " < α=" + alpha + ")";
        } else {
            v = Verdict.INSUFFICIENT_DATA;
            detail = difference + ", past the threshold but not significant (p=" + formatP(p) + " ≥ α=" + alpha + "): more samples needed";
        }
        return check(name, Optional.of(value), threshold, v, n, Optional.of(baselineValue), baselineN, test, OptionalDouble.of(p), detail);
    }

    private static Check check(String name, Optional<String> value, String threshold, Verdict verdict, long n, Optional<String> baselineValue,
                               long baselineN, String test, OptionalDouble p, String detail) {
        return new Check(name, value, threshold, verdict, n, baselineValue, baselineN, test, p, detail);
    }

    private static double[] millis(List<Duration> ds) {
        return ds.stream().mapToDouble(d -> d.toNanos() / 1e6).toArray();
    }

    /** A p-value as the checks print it: four decimals, or two significant digits below 0.0001. */
    public static String formatP(double p) {
        return p < 0.0001 ? String.format("%.1e", p) : String.format("%.4f", p);
    }

    private static String percent(double v) {
        return String.format("%.2f %%", v);
    }

    private static String seconds(Duration d) {
        return String.format("%.3f s", d.toNanos() / 1e9);
    }

    /** The thresholds in one line, for a plan's description. */
    public String describe() {
        String abs = String.format("job success ≥ %.2f %%, latency p99 ≤ %s, error rate ≤ %.2f %%, a pass on ≥ %d executions", minSuccessRate,
                seconds(maxLatencyP99), maxErrorRate, minimumExecutions);
        return abs + baseline.map(b -> String.format("; against Docker: success ≥ Docker's − %.2f points, error rate ≤ Docker's + %.2f points, "
                + "p99 ≤ %.2f × Docker's, ≥ %d samples a side, α=%s", b.successRateMargin(), b.errorRateMargin(), b.latencyP99Factor(),
                b.minimumSamples(), b.alpha())).orElse("; not compared with Docker");
    }
}
