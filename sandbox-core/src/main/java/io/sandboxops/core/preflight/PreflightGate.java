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
     * @param last the environment's last preflight, if any
     * @throws SandboxInvalidInputException when it is missing, failed or too old, naming what to run
     */
    public void require(String environment, Optional<PreflightReport> last, Instant now) {
        String run = "run `sandboxctl env check --env " + environment + "` (the console: Check environment) until it passes, or pass "
                + "--skip-preflight --reason TEXT (recorded in the rollout audit log)";
        if (last.isEmpty()) {
            throw new SandboxInvalidInputException("refused: no preflight of environment " + environment + " is recorded; " + run);
        }
        PreflightReport r = last.get();
        if (!r.passed()) {
            throw new SandboxInvalidInputException("refused: the last preflight of " + environment + " (" + r.time() + ") failed: "
                    + String.join(", ", r.failures().stream().map(PreflightCheck::name).toList()) + "; " + run);
        }
        Duration age = Duration.between(r.time(), now);
        if (age.compareTo(maxAge) > 0) {
            throw new SandboxInvalidInputException("refused: the last preflight of " + environment + " passed at " + r.time() + ", "
                    + age.toHours() + " h ago, older than the allowed " + human(maxAge) + " (" + MAX_AGE_VARIABLE + "); " + run);
        }
    }

    private static String human(Duration d) {
        return d.toMinutes() % 60 == 0 ? d.toHours() + " h" : d.toMinutes() + " min";
    }
}
