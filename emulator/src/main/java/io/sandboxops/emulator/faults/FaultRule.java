package io.sandboxops.emulator.faults;

import io.grpc.Status;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
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

    /** What a person writes for {@code --fault}: shown with every refusal of a spec. */
    public static final String SPEC_EXAMPLE = "storage.objects.get:error=503:probability=0.1 (also times=N, latency=200ms, "
            + "for=30s; error is an HTTP status or a gRPC code such as UNAVAILABLE; method * or a prefix ending in *)";

    /** The HTTP statuses {@code error=} accepts, as the gRPC codes the emulator maps back to them. */
    private static final Map<Integer, Status.Code> HTTP_CODES = Map.ofEntries(
            Map.entry(400, Status.Code.INVALID_ARGUMENT), Map.entry(401, Status.Code.UNAUTHENTICATED),
            Map.entry(403, Status.Code.PERMISSION_DENIED), Map.entry(404, Status.Code.NOT_FOUND),
            Map.entry(409, Status.Code.ABORTED), Map.entry(429, Status.Code.RESOURCE_EXHAUSTED),
            Map.entry(500, Status.Code.INTERNAL), Map.entry(501, Status.Code.UNIMPLEMENTED),
            Map.entry(503, Status.Code.UNAVAILABLE), Map.entry(504, Status.Code.DEADLINE_EXCEEDED));

    public static Builder forMethod(String method) {
        return new Builder(method);
    }

    /**
     * A rule from its command-line form, {@code METHOD[:key=value]...}: {@code error=} an HTTP status (503) or a gRPC
     * code (UNAVAILABLE), {@code probability=} in [0, 1], {@code times=} a count, {@code latency=} and {@code for=}
     * durations ({@code 200ms}, {@code 2s}, {@code 1m}; a bare number is milliseconds). A bad spec is an
     * IllegalArgumentException saying what is wrong, with an example.
     */
    public static FaultRule parse(String spec) {
        String[] parts = spec.trim().split(":", -1);
        String method = parts[0].trim();
        if (method.isEmpty()) {
            throw badSpec(spec, "it names no method");
        }
        Builder b = forMethod(method);
        boolean effect = false;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].trim();
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw badSpec(spec, "\"" + part + "\" is not key=value");
            }
            String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = part.substring(eq + 1).trim();
            switch (key) {
                case "error" -> {
                    b.failWith(code(spec, value));
                    effect = true;
                }
                case "probability" -> {
                    double p;
                    try {
                        p = Double.parseDouble(value);
                    } catch (NumberFormatException e) {
                        throw badSpec(spec, "probability must be a number in [0, 1], not \"" + value + "\"");
                    }
                    if (!(p >= 0 && p <= 1)) {
                        throw badSpec(spec, "probability must be in [0, 1], not " + value);
                    }
                    b.probability(p);
                }
                case "times" -> {
                    int n;
                    try {
                        n = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw badSpec(spec, "times must be a whole number, not \"" + value + "\"");
                    }
                    if (n <= 0) {
                        throw badSpec(spec, "times must be at least 1, not " + value);
                    }
                    b.times(n);
                }
                case "latency" -> {
                    b.latency(duration(spec, key, value));
                    effect = true;
                }
                case "for" -> b.forDuration(duration(spec, key, value));
                default -> throw badSpec(spec, "unknown key \"" + key + "\" (known: error, probability, times, latency, for)");
            }
        }
        if (!effect) {
            throw badSpec(spec, "it has neither error= nor latency=, so it would do nothing");
        }
        return b.build();
    }

    private static Status.Code code(String spec, String value) {
        if (value.chars().allMatch(Character::isDigit) && !value.isEmpty()) {
            Status.Code code = HTTP_CODES.get(Integer.parseInt(value));
            if (code == null) {
                throw badSpec(spec, "error=" + value + " is not an HTTP status the emulator maps ("
                        + String.join(", ", HTTP_CODES.keySet().stream().sorted().map(String::valueOf).toList())
                        + "); or give a gRPC code such as UNAVAILABLE");
            }
            return code;
        }
        Status.Code code;
        try {
            code = Status.Code.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw badSpec(spec, "error=" + value + " is neither an HTTP status nor a gRPC code (UNAVAILABLE, INTERNAL, "
                    + "RESOURCE_EXHAUSTED, PERMISSION_DENIED, ...)");
        }
        if (code == Status.Code.OK) {
            throw badSpec(spec, "error=OK is not an error");
        }
        return code;
    }

    private static Duration duration(String spec, String key, String value) {
        String v = value.toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (v.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.endsWith("s")) {
                d = Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            } else if (v.endsWith("m")) {
                d = Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 60_000));
            } else {
                d = Duration.ofMillis(Long.parseLong(v));
            }
            if (d.isNegative() || (key.equals("for") && d.isZero())) {
                throw badSpec(spec, key + " must be positive, not " + value);
            }
            return d;
        } catch (NumberFormatException e) {
            throw badSpec(spec, key + " must be a duration such as 200ms, 2s or 1m, not \"" + value + "\"");
        }
    }

    private static IllegalArgumentException badSpec(String spec, String what) {
        return new IllegalArgumentException("Bad --fault \"" + spec + "\": " + what + ". Example: " + SPEC_EXAMPLE);
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
