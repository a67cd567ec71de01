package io.sandboxops.core.util;

import io.sandboxops.core.api.SandboxUnavailableException;
import java.util.Optional;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Looks for an object that is about to appear in a bucket (an answer in an outbox, a claim), with looks that overlap: a
 * new look starts every gap without waiting for the one before. A read sees the bucket as it is when it reaches it,
 * about a round trip after it starts, so one look at a time, each followed by a pause, sees an object up to a round
 * trip and a pause after it arrived; looks a gap apart see it within that gap. The cost is the looks in flight: up to
 * one round trip's worth of extra reads per wait. Used by one thread.
 *
 * @param <T> what a look finds
 */
public final class OverlappingLooks<T> {
    /** The looks' threads, for every waiter of the process. */
    private static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bucket-look");
        t.setDaemon(true);
        return t;
    });
    private final CompletionService<Optional<T>> ended = new ExecutorCompletionService<>(THREADS);
    private final Supplier<Optional<T>> look;
    private final int maxInFlight;
    private final String waitingFor;
    private int inFlight;
    private long nextStart = System.nanoTime();

    /**
     * @param look        one read: what it found, or empty
     * @param maxInFlight the most looks started and not ended
     * @param waitingFor  what is looked for, as it completes "interrupted while waiting for …"
     */
    public OverlappingLooks(Supplier<Optional<T>> look, int maxInFlight, String waitingFor) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("at least one look in flight, not " + maxInFlight);
        }
        this.look = look;
        this.maxInFlight = maxInFlight;
        this.waitingFor = waitingFor;
    }

    /**
     * Starts a look when {@code gapMillis} have passed since the last one started (and fewer than the most are in
     * flight), then waits until the next is due for one to end.
     *
     * @return what an ended look found; empty when none ended meanwhile or it found nothing
     * @throws RuntimeException            what a look threw
     * @throws SandboxUnavailableException when the thread is interrupted; its interrupt flag is set again
     */
    public Optional<T> next(long gapMillis) {
        long now = System.nanoTime();
        if (now - nextStart >= 0 && inFlight < maxInFlight) {
            ended.submit(look::get);
            inFlight++;
            nextStart = now + TimeUnit.MILLISECONDS.toNanos(Math.max(1, gapMillis));
        }
        Future<Optional<T>> done;
        try {
            done = ended.poll(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextStart - System.nanoTime())), TimeUnit.MILLISECONDS);
            if (done == null) {
                return Optional.empty();
            }
            inFlight--;
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxUnavailableException("interrupted while waiting for " + waitingFor
                    + "; the thread was asked to stop, so the wait ended early", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new SandboxUnavailableException("could not look for " + waitingFor + ": " + e.getCause(), e.getCause());
        }
    }
}
