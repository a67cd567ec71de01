package io.sandboxops.app.console.task;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Lets one periodic refresh run at a time, so a slow backend is not asked again and again while it has not
 * answered; but a call that has hung longer than {@code patience} no longer blocks the next one, or a single
 * lost answer would freeze a live table for good. Used from the UI thread only.
 */
public final class RefreshGate {
    private final long patienceNanos;
    private final LongSupplier nanoClock;
    private long token;
    private long startedNanos;
    private boolean open = true;

    public RefreshGate(Duration patience) {
        this(patience, System::nanoTime);
    }

    RefreshGate(Duration patience, LongSupplier nanoClock) {
        this.patienceNanos = patience.toNanos();
        this.nanoClock = nanoClock;
    }

    /** @return a token to hand to {@link #exit}, or 0 when a refresh is under way and not yet overdue */
    public long tryEnter() {
        long now = nanoClock.getAsLong();
        if (!open && now - startedNanos < patienceNanos) {
            return 0;
        }
        open = false;
        startedNanos = now;
        return ++token;
    }

    /** Ends the refresh that got {@code entered}; an overdue refresh finishing late changes nothing. */
    public void exit(long entered) {
        if (entered == token) {
            open = true;
        }
    }

    /** Whether a refresh is under way. */
    public boolean busy() {
        return !open;
    }
}
