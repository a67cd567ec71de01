package io.sandboxops.core.rollout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Each step of a plan as the rollout has really gone through it. A step counts as done only when a change recorded
 * in this rollout put the service at it; a step the rollout went past without stopping (a jump from 0 to 10 %
 * passes 1 %) is skipped, never done: its gate never measured Cloud Run at that share.
 *
 * @param steps the plan's steps in order, each with its state
 */
public record PlanProgress(List<StepState> steps) {

    public enum State {
        /** the rollout stood at this step (a recorded change put it there) and has gone past it */
        DONE,
        /** below where the rollout is, but no recorded change of this rollout put it there */
        SKIPPED,
        /** the step the rollout is in */
        CURRENT,
        /** the step after the current one */
        NEXT,
        /** further on */
        LATER
    }

    /** @param step the plan's step; @param state where the rollout is relative to it */
    public record StepState(RolloutPlan.Step step, State state) {
    }

    public PlanProgress {
        steps = List.copyOf(steps);
    }

    /**
     * @param plan       the plan
     * @param percentage the share the serving revisions route to Cloud Run now (0 with the flag off)
     * @param history    the rollout's changes, newest first ({@link RolloutHistory#entries()}); the rollout is the
     *                   changes since the service last routed nothing to Cloud Run, so a step reached before a rollback
     *                   does not count for the rollout after it
     */
    public static PlanProgress of(RolloutPlan plan, int percentage, List<AuditEntry> history) {
        Set<Integer> reached = reachedSteps(plan, history);
        Optional<RolloutPlan.Step> at = plan.current(percentage);
        Optional<RolloutPlan.Step> next = plan.next(percentage);
        List<StepState> out = new ArrayList<>();
        for (RolloutPlan.Step step : plan.steps()) {
            State state;
            if (at.isPresent() && step.equals(at.get())) {
                state = State.CURRENT;
            } else if (at.isPresent() && step.percentage() < at.get().percentage()) {
                state = reached.contains(step.percentage()) ? State.DONE : State.SKIPPED;
            } else if (next.isPresent() && step.equals(next.get())) {
                state = State.NEXT;
            } else {
                state = State.LATER;
            }
            out.add(new StepState(step, state));
        }
        return new PlanProgress(out);
    }

    /** The steps skipped so far, in order. */
    public List<RolloutPlan.Step> skipped() {
        return steps.stream().filter(s -> s.state() == State.SKIPPED).map(StepState::step).toList();
    }

    /** The percentages of the steps this rollout's recorded changes put the service at. */
    private static Set<Integer> reachedSteps(RolloutPlan plan, List<AuditEntry> newestFirst) {
        Set<Integer> reached = new HashSet<>();
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            AuditEntry e = newestFirst.get(i);
            if (e.source() != AuditEntry.Source.LOCAL || !took(e)) {
                continue;
            }
            Optional<EnvValues> to = EnvValues.fromDescription(e.to());
            if (to.isEmpty()) {
                continue;
            }
            if (!to.get().routesToCloudRun()) {
                reached.clear();
            } else {
                plan.current(to.get().percentageValue().getAsInt()).ifPresent(s -> reached.add(s.percentage()));
            }
        }
        return reached;
    }

    /** Whether the entry's change reached the service: applied, or a rollback that got as far as a new revision. */
    private static boolean took(AuditEntry e) {
        return e.outcome().equals("applied") || e.outcome().startsWith("verified") || e.outcome().startsWith("not_serving");
    }
}
