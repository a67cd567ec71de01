package io.sandboxops.core.state;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.BaseServiceException;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.util.InterruptibleSleep;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When and how often a call to a Google API is repeated: transient failures of idempotent calls only
 * (gRPC UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED; HTTP 429 and 5xx), with capped exponential
 * backoff and jitter. A call marked {@link Idempotency#NOT_IDEMPOTENT} is never repeated: a lost answer
 * would otherwise start a second execution. Immutable; change with the {@code with…} methods.
 *
 * @param maxAttempts    the most attempts, the first one included
 * @param initialBackoff the wait after the first failure
 * @param maxBackoff     the longest wait between attempts
 * @param multiplier     how much each wait grows
 * @param jitter         the random share of each wait (0.2: ±20 %), so clients that failed together do not
 *                       retry together
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier, double jitter) {

    private static final Set<StatusCode.Code> TRANSIENT_GRPC = Set.of(StatusCode.Code.UNAVAILABLE, StatusCode.Code.RESOURCE_EXHAUSTED,
            StatusCode.Code.DEADLINE_EXCEEDED, StatusCode.Code.ABORTED, StatusCode.Code.INTERNAL);

    /** Whether repeating a call can change anything beyond what the first attempt did. */
    public enum Idempotency { IDEMPOTENT, NOT_IDEMPOTENT }

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be 1 or more");
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
    }

    /** Eight attempts, 50 ms growing by 2 to at most 2 s: rides out a few seconds of trouble. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(8, Duration.ofMillis(50), Duration.ofSeconds(2), 2.0, 0.2);
    }

    /** A policy that never repeats anything. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0, 0);
    }

    /** Whether {@code t} is a failure that may pass when the same call is made again. */
    public static boolean isTransient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ApiException api) {
                return TRANSIENT_GRPC.contains(api.getStatusCode().getCode());
            }
            if (c instanceof BaseServiceException gcs) {
                int code = gcs.getCode();
                return code == 429 || code >= 500 || code == 0 && gcs.getCause() instanceof java.io.IOException;
            }
        }
        return false;
    }

    /** The wait before attempt {@code attempt + 1} (attempts count from 1). */
    public Duration backoff(int attempt) {
        double base = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        double capped = Math.min(base, maxBackoff.toMillis());
        double spread = capped * jitter;
        double withJitter = capped - spread + ThreadLocalRandom.current().nextDouble() * 2 * spread;
        return Duration.ofMillis(Math.max(0, Math.round(withJitter)));
    }

    /**
     * Makes the call, repeating it on transient failures when it is idempotent.
     *
     * @param what what the call does, for the error message ("reading execution x")
     * @throws SandboxUnavailableException when the last attempt failed transiently
     * @throws RuntimeException            the call's own exception when it failed for good
     */
    public <T> T call(String what, Idempotency idempotency, Callable<T> call) {
        int attempt = 0;
        while (true) {
            attempt++;
            try {
                return call.call();
            } catch (RuntimeException e) {
                boolean again = idempotency == Idempotency.IDEMPOTENT && attempt < maxAttempts && isTransient(e);
                if (!again) {
                    if (isTransient(e)) {
                        String tries = attempt == 1 ? "" : " after " + attempt + " attempts";
                        throw new SandboxUnavailableException(what + " failed" + tries + ": " + e.getMessage()
                                + (idempotency == Idempotency.NOT_IDEMPOTENT ? " (not repeated: it is not safe to repeat)" : ""), e);
                    }
                    throw e;
                }
                InterruptibleSleep.sleep(backoff(attempt), "the next attempt at " + what);
            } catch (Exception e) {
                throw new SandboxException(what + " failed: " + e.getMessage(), e);
            }
        }
    }

    /** {@link #call} for calls with no result. */
    public void run(String what, Idempotency idempotency, Runnable call) {
        call(what, idempotency, () -> {
            call.run();
            return null;
        });
    }
}
