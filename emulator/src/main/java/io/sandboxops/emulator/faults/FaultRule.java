package io.sandboxops.emulator.faults;

import io.grpc.Status;
import java.time.Duration;
import java.util.Objects;

/**
 * One injected fault on one API method: an error with a probability and/or a count, and added latency.
 *
 * <p>{@code method} is the gRPC full method name ({@code google.cloud.run.v2.Jobs/RunJob}) or, for the
 * Cloud Storage JSON API, its discovery name ({@code storage.objects.insert}); {@code "*"} matches every
 * method, and a name ending in {@code "*"} every method it begins ({@code google.cloud.run.v2.Jobs/*},
 * {@code storage.objects.*}).
 *
 * @param method      which calls the rule applies to
 * @param error       the code to fail with, or {@code null} for latency only
 * @param probability chance in [0, 1] that a matching call is affected
 * @param times       how many calls to affect at most; {@code -1} for no limit
 * @param latency     delay added before the call is answered (or failed)
 * @param duration    how long after it is added the rule applies (a burst); {@code null} for as long as it is there
 */
public record FaultRule(String method, Status.Code error, double probability, int times, Duration latency, Duration duration) {

    public FaultRule {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(latency, "latency");
        if (probability < 0 || probability > 1) {
            throw new IllegalArgumentException("probability must be in [0, 1]: " + probability);
        }
        if (times < -1 || times == 0) {
            throw new IllegalArgumentException("times must be positive or -1 (unlimited): " + times);
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new IllegalArgumentException("duration must be positive: " + duration);
        }
    }

    public static Builder forMethod(String method) {
        return new Builder(method);
    }

    boolean matches(String calledMethod) {
        if (method.endsWith("*")) {
            return calledMethod.startsWith(method.substring(0, method.length() - 1));
        }
        return method.equals(calledMethod);
    }

    /** Builds a rule; by default it affects every matching call, forever, with no error and no latency. */
    public static final class Builder {
        private final String method;
        private Status.Code error;
        private double probability = 1.0;
        private int times = -1;
        private Duration latency = Duration.ZERO;
        private Duration duration;

        private Builder(String method) {
            this.method = method;
        }

        public Builder failWith(Status.Code code) {
            this.error = code;
            return this;
        }

        public Builder probability(double probability) {
            this.probability = probability;
            return this;
        }

        public Builder times(int times) {
            this.times = times;
            return this;
        }

        public Builder latency(Duration latency) {
            this.latency = latency;
            return this;
        }

        /** Makes the rule a burst: it applies for {@code duration} from when it is added, then no more. */
        public Builder forDuration(Duration duration) {
            this.duration = duration;
            return this;
        }

        public FaultRule build() {
            return new FaultRule(method, error, probability, times, latency, duration);
        }
    }
}
