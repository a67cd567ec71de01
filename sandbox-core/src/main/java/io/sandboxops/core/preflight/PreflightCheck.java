package io.sandboxops.core.preflight;

import java.time.Duration;
import java.util.Objects;

/**
 * One check of an environment and what it found.
 *
 * @param name    what was checked, e.g. {@code bucket IAM}, {@code canary: exec}
 * @param outcome pass, warn (worth a look, does not block a rollout) or fail
 * @param found   what the check saw, in a sentence
 * @param fix     for a failure or warning, what to do: which resource, which role, which command; empty on a pass
 * @param elapsed how long the check took
 */
public record PreflightCheck(String name, Outcome outcome, String found, String fix, Duration elapsed) {

    public enum Outcome { PASS, WARN, FAIL }

    public PreflightCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(outcome, "outcome");
        found = found == null ? "" : found;
        fix = fix == null ? "" : fix;
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** One line for a terminal: {@code PASS  bucket  (12 ms)  found — fix}. */
    public String describe() {
        return String.format("%-4s  %-24s %6d ms  %s%s", outcome, name, elapsed.toMillis(), found,
                fix.isEmpty() ? "" : "\n      → " + fix);
    }
}
