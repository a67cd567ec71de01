package io.sandboxops.emulator.faults;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The one place that decides how long a call waits and whether it fails: the {@link LatencyProfile} (how long the
 * real API takes) plus the rules a test or {@code --fault} added (errors and extra latency per API method), and task
 * attempts that crash part-way. Free of effect with the {@code none} profile and no rule.
 *
 * <p>Waits are scheduled ({@link #after(Duration, Runnable)}), never slept on a server thread: the emulator serves many
 * concurrent long-polls, and a thread per waiting call would grow it to one thread per poller.
 */
public final class FaultInjector implements AutoCloseable {

    /** What a call must suffer: a delay, then possibly an error. */
    public record Fault(Duration latency, Optional<Status.Code> error) {
    }

    private final List<MutableRule> rules = new ArrayList<>();
    /** One generator per method, so a seed gives each method the same latencies whatever the other calls interleaved. */
    private final Map<String, SplittableRandom> randoms = new TreeMap<>();
    private LatencyProfile profile;
    private long seed;
    private ScheduledExecutorService timer;
    private boolean closed;
    private final Map<String, Long> injected = new TreeMap<>();
    private int crashesLeft;
    private Duration crashAfter = Duration.ZERO;

    /** No profile, no rule. */
    public FaultInjector() {
        this(LatencyProfile.NONE, 0);
    }

    /** Every call gets {@code profile}'s latency, drawn from generators seeded with {@code seed}. */
    public FaultInjector(LatencyProfile profile, long seed) {
        useProfile(profile, seed);
    }

    /** Replaces the latency profile (and restarts its draws from {@code seed}); rules are kept. */
    public synchronized FaultInjector useProfile(LatencyProfile profile, long seed) {
        this.profile = Objects.requireNonNull(profile, "profile");
        this.seed = seed;
        randoms.clear();
        return this;
    }

    public synchronized LatencyProfile profile() {
        return profile;
    }

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

    /**
     * How many rules are still in force: a rule with {@code times=N} leaves after its N-th call, one with a duration when
     * it ends. A test that holds N calls with such a rule knows they all arrived when this drops.
     */
    public synchronized int rulesInForce() {
        long now = System.nanoTime();
        rules.removeIf(r -> r.rule.duration() != null && now - r.expiresAtNanos > 0);
        return rules.size();
    }

    /** Removes every rule and pending crash, and forgets what was injected; the latency profile stays. */
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
        Duration latency = profileLatency(method);
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

    /**
     * How long an execution waits, from RunJob, before its tasks' containers start: the profile's
     * {@link LatencyProfile#EXECUTION_START}, zero without one.
     */
    public synchronized Duration executionStartDelay() {
        return profileLatency(LatencyProfile.EXECUTION_START);
    }

    private Duration profileLatency(String method) {
        return profile.forMethod(method)
                .map(d -> d.sample(randoms.computeIfAbsent(method, m -> new SplittableRandom(seed * 0x9E3779B97F4A7C15L + m.hashCode()))))
                .orElse(Duration.ZERO);
    }

    /**
     * Runs {@code then} once {@code delay} has passed, on the injector's timer thread (at once, on this thread, for no
     * delay): how every API waits. {@code then} must be quick, or hand its work to the server's own executor.
     *
     * @return the wait, which {@code cancel(false)} ends without running {@code then} if it is not over yet
     */
    public Future<?> after(Duration delay, Runnable then) {
        if (delay.isZero() || delay.isNegative()) {
            then.run();
            return CompletableFuture.completedFuture(null);
        }
        ScheduledExecutorService t;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.completedFuture(null);
            }
            if (timer == null) {
                ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                    Thread thread = new Thread(r, "local-cloud-latency");
                    thread.setDaemon(true);
                    return thread;
                });
                executor.setRemoveOnCancelPolicy(true);
                timer = executor;
            }
            t = timer;
        }
        return t.schedule(then, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stops the timer: waits not yet over are dropped (the servers they belong to are closing too). */
    @Override
    public synchronized void close() {
        closed = true;
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** For the execution engine: when the attempt about to start must crash, after how long. */
    public synchronized Optional<Duration> takeTaskCrash() {
        if (crashesLeft <= 0) {
            return Optional.empty();
        }
        crashesLeft--;
        return Optional.of(crashAfter);
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
