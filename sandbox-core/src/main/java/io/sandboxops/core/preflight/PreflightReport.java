package io.sandboxops.core.preflight;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The result of one preflight of an environment: every check, in the order they ran, and when it finished.
 *
 * @param environment the environment's name
 * @param time        when the preflight finished
 * @param actor       who ran it
 * @param checks      in the order they ran
 */
public record PreflightReport(String environment, Instant time, String actor, List<PreflightCheck> checks) {

    public PreflightReport {
        checks = List.copyOf(checks);
    }

    /** Whether no check failed (warnings do not block). */
    public boolean passed() {
        return checks.stream().noneMatch(c -> c.outcome() == PreflightCheck.Outcome.FAIL);
    }

    public List<PreflightCheck> failures() {
        return checks.stream().filter(c -> c.outcome() == PreflightCheck.Outcome.FAIL).toList();
    }

    public Optional<PreflightCheck> check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The summary line: passed or how many failed, and which. */
    public String summary() {
        List<PreflightCheck> failed = failures();
        return failed.isEmpty()
                ? "preflight of " + environment + " passed (" + checks.size() + " checks) at " + time
                : "preflight of " + environment + " FAILED: " + failed.size() + " of " + checks.size() + " checks ("
                        + String.join(", ", failed.stream().map(PreflightCheck::name).toList()) + ") at " + time;
    }
}
