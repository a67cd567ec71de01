package io.sandboxops.core.rollout;

import io.sandboxops.core.observe.MetricsSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a plan step must hold to go on.
 *
 * @param minSuccessRate   job success rate, percent
 * @param maxLatencyP99    command latency p99, as the client measured it
 * @param maxErrorRate     error rate of the sandboxes' operations, percent, from the client's events
 * @param minimumExecutions fewer completed executions than this cannot show a pass (at 1 % a handful of
 *                         executions make every rate noisy); a breach counts whatever the sample
 */
public record Gate(double minSuccessRate, Duration maxLatencyP99, double maxErrorRate, long minimumExecutions) {

    public static Gate originalPlan() {
        return new Gate(99.0, Duration.ofSeconds(15), 1.0, 100);
    }

    public enum Verdict {
        /** every check holds on enough executions */
        PASS,
        /** at least one check is breached */
        BREACH,
        /** nothing breached, but too few executions to call it a pass */
        INSUFFICIENT_DATA
    }

    /** One threshold against one value. */
    public record Check(String name, Optional<String> value, String threshold, boolean breached, long sampleSize) {
        public String describe() {
            return name + " " + value.orElse("no data") + " (gate " + threshold + ", n=" + sampleSize + ")"
                    + (breached ? " BREACHED" : "");
        }
    }

    public record Result(Verdict verdict, List<Check> checks, long completedExecutions, long minimumExecutions) {
        public Result {
            checks = List.copyOf(checks);
        }

        public List<String> breaches() {
            return checks.stream().filter(Check::breached).map(Check::describe).toList();
        }
    }

    public Result evaluate(MetricsSnapshot m) {
        List<Check> checks = new ArrayList<>();
        long decided = m.succeeded() + m.failed();
        checks.add(new Check("job success rate", m.successRate().map(v -> String.format("%.2f %%", v)),
                String.format("≥ %.2f %%", minSuccessRate), m.successRate().map(v -> v < minSuccessRate).orElse(false), decided));
        checks.add(new Check("latency p99", m.latencyP99().map(d -> String.format("%.2f s", d.toMillis() / 1000.0)),
                String.format("≤ %.2f s", maxLatencyP99.toMillis() / 1000.0),
                m.latencyP99().map(d -> d.compareTo(maxLatencyP99) > 0).orElse(false), m.latencySamples()));
        checks.add(new Check("error rate", m.errorRate().map(v -> String.format("%.2f %%", v)),
                String.format("≤ %.2f %%", maxErrorRate), m.errorRate().map(v -> v > maxErrorRate).orElse(false), m.operations()));
        Verdict verdict = checks.stream().anyMatch(Check::breached) ? Verdict.BREACH
                : m.completed() < minimumExecutions ? Verdict.INSUFFICIENT_DATA : Verdict.PASS;
        return new Result(verdict, checks, m.completed(), minimumExecutions);
    }
}
