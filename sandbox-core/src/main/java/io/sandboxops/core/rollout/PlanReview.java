package io.sandboxops.core.rollout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the rollout stands in its plan and what to do next.
 *
 * @param status        the service's rollout status
 * @param step          the plan step the percentage is in; empty before the first
 * @param heldFor       time since the service last changed (the step's start, conservatively: any change restarts it)
 * @param gate          the gate over the metrics since then; empty when the rollout has not started
 * @param action        what to do
 * @param nextPercentage the percentage {@link Action#ADVANCE} or {@link Action#START} goes to
 * @param reason        why, in a sentence
 * @param rollback      the rollback performed when the plan rolls back on a breach
 */
public record PlanReview(RolloutStatus status, Optional<RolloutPlan.Step> step, Duration heldFor, Optional<Gate.Result> gate,
                         Action action, Optional<Integer> nextPercentage, String reason, Optional<RollbackReport> rollback) {

    public enum Action {
        /** not started: enable the flag at the first step */
        START,
        /** keep watching: the hold is not over or the sample is too small */
        HOLD,
        /** the gate passed for the whole hold: go to the next step */
        ADVANCE,
        /** the gate is breached: roll back */
        ROLLBACK,
        /** the plan performed the rollback (see {@code rollback}) */
        ROLLED_BACK,
        /** at the last step */
        COMPLETE
    }

    public List<String> describe() {
        List<String> out = new ArrayList<>();
        out.add("plan:   " + action + nextPercentage.map(p -> " → " + p + " %").orElse("") + ": " + reason);
        out.add("step:   " + step.map(s -> s.percentage() + " %, hold " + s.hold().toHours() + " h").orElse("not started")
                + ", held " + heldFor.toHours() + " h " + heldFor.toMinutesPart() + " min");
        gate.ifPresent(g -> {
            out.add("gate:   " + g.verdict() + " on " + g.completedExecutions() + " executions (a pass needs ≥ " + g.minimumExecutions() + ")");
            g.checks().forEach(c -> out.add("        " + c.describe()));
        });
        rollback.ifPresent(r -> out.addAll(r.describe()));
        return out;
    }
}
