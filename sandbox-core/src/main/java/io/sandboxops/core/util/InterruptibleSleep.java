package io.sandboxops.core.util;

import io.sandboxops.core.api.SandboxUnavailableException;
import java.time.Duration;

/**
 * The one way the core waits between polls and attempts. An interrupt is somebody asking the thread to stop: the wait
 * ends at once, the thread's interrupt flag is set again (so whoever runs the thread still sees the request), and
 * the caller learns it from one exception, {@link SandboxUnavailableException}, whose message says which wait was cut
 * short.
 */
public final class InterruptibleSleep {
    private InterruptibleSleep() {
    }

    /**
     * Sleeps for {@code duration}; zero or negative returns at once.
     *
     * @param waitingFor what the wait is for, as it completes "interrupted while waiting for …"
     * @throws SandboxUnavailableException when the thread is interrupted, before or during the wait; its interrupt
     *                                     flag is set again
     */
    public static void sleep(Duration duration, String waitingFor) {
        try {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (!duration.isNegative() && !duration.isZero()) {
                Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxUnavailableException("interrupted while waiting for " + waitingFor
                    + "; the thread was asked to stop, so the wait ended early", e);
        }
    }

    /** {@link #sleep(Duration, String)} in milliseconds. */
    public static void sleepMillis(long millis, String waitingFor) {
        sleep(Duration.ofMillis(millis), waitingFor);
    }
}
