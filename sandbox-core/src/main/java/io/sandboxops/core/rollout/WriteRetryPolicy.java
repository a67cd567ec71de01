package io.sandboxops.core.rollout;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import io.sandboxops.core.util.InterruptibleSleep;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * How a read-modify-write of the service is repeated: which failures mean "read again and recompute" (a stale
 * etag, an unreachable API), how often and how far apart. Data, so every write retries the same way. (Reads on their
 * own rely on the clients' settings, which repeat UNAVAILABLE. {@code core.state.RetryPolicy} is the storage side's
 * policy for idempotent calls; a stale etag is not transient there.)
 *
 * @param maxAttempts    attempts in all, at least 1
 * @param initialBackoff wait after the first failure
 * @param multiplier     growth of the wait per attempt
 * @param maxBackoff     longest wait
 * @param retryable      status codes worth another attempt
 */
public record WriteRetryPolicy(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff,
                          Set<StatusCode.Code> retryable) {

    public WriteRetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        retryable = retryable.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(retryable));
    }

    /**
     * Read-modify-write of a service with its etag: a concurrent change (stale etag), an unreachable API or an
     * exhausted quota means read again and recompute; the etag makes a repeated write safe, it can never overwrite
     * someone else's change. Six attempts wait 200 ms growing to 2 s, about 5 s in all: a rollback rides out a
     * few seconds of trouble rather than failing in the middle of an incident.
     */
    public static WriteRetryPolicy readModifyWrite() {
        return new WriteRetryPolicy(6, Duration.ofMillis(200), 2.0, Duration.ofSeconds(2),
                Set.of(StatusCode.Code.UNAVAILABLE, StatusCode.Code.RESOURCE_EXHAUSTED, StatusCode.Code.ABORTED,
                        StatusCode.Code.FAILED_PRECONDITION));
    }

    /** Whether this failure (an {@link ApiException}, possibly wrapped by a future) is worth another attempt. */
    public boolean isRetryable(Throwable failure) {
        ApiException api = apiException(failure);
        return api != null && retryable.contains(api.getStatusCode().getCode());
    }

    /**
     * Runs {@code call}, repeating it on retryable failures; the last failure is thrown as it came, with the
     * earlier ones suppressed on it.
     */
    public <T> T run(Callable<T> call, Attempts listener) throws Exception {
        Duration wait = initialBackoff;
        Exception first = null;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.call();
            } catch (Exception e) {
                if (attempt >= maxAttempts || !isRetryable(e)) {
                    if (first != null && first != e) {
                        e.addSuppressed(first);
                    }
                    throw e;
                }
                if (first == null) {
                    first = e;
                }
                listener.retrying(attempt, e, wait);
                InterruptibleSleep.sleep(wait, "the next attempt");
                wait = Duration.ofMillis(Math.min(maxBackoff.toMillis(), (long) (wait.toMillis() * multiplier)));
            }
        }
    }

    /** The {@link ApiException} behind a failure, unwrapping futures' {@code ExecutionException}s. */
    public static ApiException apiException(Throwable failure) {
        Throwable t = failure;
        while (t != null) {
            if (t instanceof ApiException api) {
                return api;
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return null;
    }

    /** Told before each repeat, so a caller can show that it is retrying and why. */
    @FunctionalInterface
    public interface Attempts {
        void retrying(int failedAttempt, Throwable failure, Duration wait);
    }
}
