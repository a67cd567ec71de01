package io.sandboxops.emulator.faults;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The switchboard for reliability tests: errors and latency per API method, and task attempts that
 * crash part-way. Empty, and so free of effect, until a test adds a rule.
 */
public final class FaultInjector {

    /** What a call must suffer: a delay, then possibly an error. */
    public record Fault(Duration latency, Optional<Status.Code> error) {
    }

    private final List<MutableRule> rules = new ArrayList<>();
    private final Map<String, Long> injected = new TreeMap<>();
    private int crashesLeft;
    private Duration crashAfter = Duration.ZERO;

    /** Adds a rule; rules are consulted in the order added and every matching one applies its latency. */
    public synchronized FaultInjector add(FaultRule rule) {
        rules.add(new MutableRule(rule));
        return this;
    }

    /**
     * Makes the next {@code count} task attempts crash {@code after} they start, as a container whose
     * process dies (exit code 137) would; the execution's retry policy then applies as usual.
     */
    public synchronized FaultInjector crashNextTaskAttempts(int count, Duration after) {
        this.crashesLeft = count;
        this.crashAfter = after;
        return this;
    }

    /** Removes every rule and pending crash, and forgets what was injected. */
    public synchronized void clear() {
        rules.clear();
        crashesLeft = 0;
        injected.clear();
    }

    /** How many calls of each method were failed by a rule since the last {@link #clear()}: what a test report quotes. */
    public synchronized Map<String, Long> injectedErrors() {
        return Map.copyOf(injected);
    }

    /** The sum of {@link #injectedErrors()}. */
    public synchronized long injectedErrorCount() {
        return injected.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Decides the fault for one call of {@code method}; {@link Optional#empty()} when it goes through untouched. */
    public synchronized Optional<Fault> onCall(String method) {
        Duration latency = Duration.ZERO;
        Status.Code error = null;
        Iterator<MutableRule> it = rules.iterator();
        while (it.hasNext()) {
            MutableRule r = it.next();
            if (r.rule.duration() != null && System.nanoTime() - r.expiresAtNanos > 0) {
                it.remove();
                continue;
            }
            if (!r.rule.matches(method)) {
                continue;
            }
            if (r.rule.probability() < 1.0 && ThreadLocalRandom.current().nextDouble() >= r.rule.probability()) {
                continue;
            }
            latency = latency.plus(r.rule.latency());
            if (error == null) {
                error = r.rule.error();
            }
            if (r.remaining > 0 && --r.remaining == 0) {
                it.remove();
            }
        }
        if (latency.isZero() && error == null) {
            return Optional.empty();
        }
        if (error != null) {
            injected.merge(method, 1L, Long::sum);
        }
        return Optional.of(new Fault(latency, Optional.ofNullable(error)));
    }

    /** For the execution engine: when the attempt about to start must crash, after how long. */
    public synchronized Optional<Duration> takeTaskCrash() {
        if (crashesLeft <= 0) {
            return Optional.empty();
        }
        crashesLeft--;
        return Optional.of(crashAfter);
    }

    /** Sleeps for the fault's latency; used by the gRPC interceptor and the HTTP handler alike. */
    public static void sleep(Duration latency) {
        if (latency.isZero()) {
            return;
        }
        try {
            Thread.sleep(latency.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class MutableRule {
        final FaultRule rule;
        final long expiresAtNanos;
        int remaining;

        MutableRule(FaultRule rule) {
            this.rule = rule;
            this.remaining = rule.times();
            this.expiresAtNanos = rule.duration() == null ? 0 : System.nanoTime() + rule.duration().toNanos();
        }
    }
}
