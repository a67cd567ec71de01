package io.sandboxops.core.rollout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a rollback did and the state it left, always: a rollback that could not finish says how far it got and
 * what the service looked like at the end (or that the service could not be read, and why).
 *
 * @param outcome  the verdict
 * @param before   the status before; empty when the service could not be read at all
 * @param after    the status read after the last step; empty when it could not be read
 * @param revision the revision that should serve with the flag off; empty when none was made
 * @param elapsed  from the command to the verdict
 * @param steps    what happened, in order, with times
 * @param problem  what went wrong, empty when verified
 */
public record RollbackReport(Outcome outcome, Optional<RolloutStatus> before, Optional<RolloutStatus> after, String revision,
                             Duration elapsed, List<String> steps, Optional<String> problem) {

    public enum Outcome {
        /** flag off and 0 % on a ready revision that serves 100 % of traffic, checked by reading it back */
        VERIFIED,
        /** the update was applied but traffic is pinned elsewhere and the policy said not to move it */
        NOT_SERVING,
        /** the rollback did not complete; {@code after} and {@code problem} say where it stopped */
        FAILED
    }

    public RollbackReport {
        steps = List.copyOf(steps);
    }

    public boolean verified() {
        return outcome == Outcome.VERIFIED;
    }

    /** Human lines for a terminal or a dialog. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        out.add("rollback " + outcome.name().toLowerCase().replace('_', ' ') + " in " + elapsed.toMillis() + " ms"
                + (revision.isEmpty() ? "" : ", revision " + revision));
        problem.ifPresent(p -> out.add("problem: " + p));
        out.addAll(steps);
        after.ifPresentOrElse(s -> out.addAll(s.describe()), () -> out.add("state after: UNKNOWN (the service could not be read)"));
        return out;
    }
}
