package io.sandboxops.core.preflight;

import io.sandboxops.core.api.SandboxInvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a rollout change may go ahead: only after a preflight of the environment that passed and is younger than
 * the maximum age ({@value #DEFAULT_MAX_AGE_TEXT} unless {@value #MAX_AGE_VARIABLE} says otherwise, e.g. {@code 2h},
 * {@code 30m}). Skipping it needs a reason, which the caller records in the rollout audit log.
 */
public final class PreflightGate {
    public static final String MAX_AGE_VARIABLE = "SANDBOXOPS_PREFLIGHT_MAX_AGE";
    /** The default maximum age, as the help says it. */
    public static final String DEFAULT_MAX_AGE_TEXT = "24 h";
    public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);

    private final Duration maxAge;

    public PreflightGate(Duration maxAge) {
        this.maxAge = maxAge;
    }

    /** The gate with the maximum age from {@code env} ({@value #MAX_AGE_VARIABLE}), else 24 h. */
    public static PreflightGate fromEnvironment(Map<String, String> env) {
        String text = env.get(MAX_AGE_VARIABLE);
        if (text == null || text.isBlank()) {
            return new PreflightGate(DEFAULT_MAX_AGE);
        }
        try {
            Duration d = Duration.parse("PT" + text.strip().toUpperCase(java.util.Locale.ROOT));
            if (d.isNegative() || d.isZero()) {
                throw new DateTimeParseException("not positive", text, 0);
            }
            return new PreflightGate(d);
        } catch (DateTimeParseException e) {
            throw new SandboxInvalidInputException(MAX_AGE_VARIABLE + " must be a positive duration such as 24h, 90m or 3600s, not \""
                    + text + "\"");
        }
    }

    public Duration maxAge() {
        return maxAge;
    }

    /**
     * What stands in the way of a rollout change, said for a person: no preflight recorded, the last one failed (naming
     * the checks), or it is older than the maximum age (saying how old). Empty when the last preflight passed and is fresh.
     * The one decision {@link #require} and the console's Apply both use.
     */
    public Optional<String> problem(String environment, Optional<PreflightReport> last, Instant now) {
        if (last.isEmpty()) {
            return Optional.of("no preflight of environment " + environment + " is recorded");
        }
        PreflightReport r = last.get();
        if (!r.passed()) {
            return Optional.of("the last preflight of " + environment + " (" + r.time() + ") failed: "
                    + String.join(", ", r.failures().stream().map(PreflightCheck::name).toList()));
        }
        Duration age = Duration.between(r.time(), now);
        if (age.compareTo(maxAge) > 0) {
            return Optional.of("the last preflight of " + environment + " passed at " + r.time() + ", " + age.toHours()
                    + " h ago, older than the allowed " + human(maxAge) + " (" + MAX_AGE_VARIABLE + ")");
        }
        return Optional.empty();
    }

    /**
     * @param last the environment's last preflight, if any
     * @throws SandboxInvalidInputException when it is missing, failed or too old, naming what to run
     */
    public void require(String environment, Optional<PreflightReport> last, Instant now) {
        problem(environment, last, now).ifPresent(p -> {
            throw new SandboxInvalidInputException("refused: " + p + "; run `sandboxctl env check --env " + environment
                    + "` (the console: Check environment) until it passes, or pass --skip-preflight --reason TEXT (recorded in the rollout audit log)");
        });
    }

    /**
     * @throws SandboxInvalidInputException when a skip of the preflight has no reason
     */
    public static void requireSkipReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new SandboxInvalidInputException("skipping the preflight needs a reason: why this change goes ahead without a passed preflight");
        }
    }

    private static String human(Duration d) {
        return d.toMinutes() % 60 == 0 ? d.toHours() + " h" : d.toMinutes() + " min";
    }
}
