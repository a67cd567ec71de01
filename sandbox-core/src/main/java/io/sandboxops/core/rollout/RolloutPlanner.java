package io.sandboxops.core.rollout;

import io.sandboxops.core.observe.MetricsService;
import io.sandboxops.core.observe.MetricsSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Runs a {@link RolloutPlan} over a service: reviews where the rollout stands (step, hold time, gate over the
 * metrics since the step began) and advances only when the hold is over and the gate passed. A breached gate
 * recommends rollback, or rolls back when the plan says so.
 */
public final class RolloutPlanner {
    private final RolloutController controller;
    private final MetricsService metrics;
    private final RolloutPlan plan;
    private final Clock clock;

    public RolloutPlanner(RolloutController controller, MetricsService metrics, RolloutPlan plan, Clock clock) {
        this.controller = controller;
        this.metrics = metrics;
        this.plan = plan;
        this.clock = clock;
    }

    public RolloutPlan plan() {
        return plan;
    }

    /**
     * {@code rollout plan}: where the rollout is and what to do. Writes nothing, except the rollback a plan with
     * {@link RolloutPlan.OnBreach#ROLL_BACK} performs on a breach (recorded in the audit log as any rollback).
     */
    public PlanReview review(String actor, RolloutProgress progress) {
        RolloutStatus status = controller.status();
        Instant now = clock.instant();
        Instant since = status.lastChange().orElse(now);
        Duration heldFor = Duration.between(since, now).isNegative() ? Duration.ZERO : Duration.between(since, now);
        EnvValues serving = status.effective().orElse(status.template());
        int percentage = serving.routesToCloudRun() ? serving.percentageValue().orElse(0) : 0;
        Optional<RolloutPlan.Step> step = plan.current(percentage);
        if (step.isEmpty()) {
            int first = plan.steps().get(0).percentage();
            return new PlanReview(status, step, heldFor, Optional.empty(), PlanReview.Action.START, Optional.of(first),
                    "no session is on Cloud Run; the plan starts at " + first + " %", Optional.empty());
        }
        MetricsSnapshot snapshot = metrics.snapshot(since.isBefore(now) ? since : now.minusSeconds(1), now);
        Gate.Result gate = plan.gate().evaluate(snapshot);
        if (gate.verdict() == Gate.Verdict.BREACH) {
            String why = "gate breached at " + percentage + " %: " + String.join("; ", gate.breaches());
            if (plan.onBreach() == RolloutPlan.OnBreach.ROLL_BACK) {
                RollbackReport report = controller.rollback("rollout plan: " + why, actor, progress);
                return new PlanReview(status, step, heldFor, Optional.of(gate), PlanReview.Action.ROLLED_BACK, Optional.empty(),
                        why + "; rolled back: " + report.outcome(), Optional.of(report));
            }
            return new PlanReview(status, step, heldFor, Optional.of(gate), PlanReview.Action.ROLLBACK, Optional.empty(),
                    why + "; run `rollout rollback`", Optional.empty());
        }
        Optional<RolloutPlan.Step> next = plan.next(percentage);
        if (next.isEmpty()) {
            return new PlanReview(status, step, heldFor, Optional.of(gate), PlanReview.Action.COMPLETE, Optional.empty(),
                    "at " + percentage + " %, the last step", Optional.empty());
        }
        Duration hold = step.get().hold();
        if (heldFor.compareTo(hold) < 0) {
            Duration left = hold.minus(heldFor);
            return new PlanReview(status, step, heldFor, Optional.of(gate), PlanReview.Action.HOLD, next.map(RolloutPlan.Step::percentage),
                    "hold " + left.toHours() + " h " + left.toMinutesPart() + " min more before " + next.get().percentage() + " %",
                    Optional.empty());
        }
        if (gate.verdict() == Gate.Verdict.INSUFFICIENT_DATA) {
            return new PlanReview(status, step, heldFor, Optional.of(gate), PlanReview.Action.HOLD, next.map(RolloutPlan.Step::percentage),
                    "the hold is over but the gate cannot pass yet: " + String.join("; ", gate.shortfalls()) + "; keep holding",
                    Optional.empty());
        }
        return new PlanReview(status, step, heldFor, Optional.of(gate), PlanReview.Action.ADVANCE, next.map(RolloutPlan.Step::percentage),
                "the gate held for " + heldFor.toHours() + " h on " + gate.completedExecutions() + " executions", Optional.empty());
    }

    /**
     * {@code rollout plan --advance}: takes the next step when, and only when, the review says so (enabling the
     * flag on the first step). Returns the review, and the change when one was made.
     */
    public Advance advance(String reason, String actor, RolloutProgress progress) {
        PlanReview review = review(actor, progress);
        if (review.action() != PlanReview.Action.ADVANCE && review.action() != PlanReview.Action.START) {
            return new Advance(review, Optional.empty());
        }
        int to = review.nextPercentage().orElseThrow();
        RolloutChange change = new RolloutChange("plan-step", Optional.of(true), java.util.OptionalInt.of(to));
        return new Advance(review, Optional.of(controller.apply(change, reason, actor, progress)));
    }

    public record Advance(PlanReview review, Optional<ChangeResult> change) {
    }
}
