package io.sandboxops.core.rollout;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The steps of a rollout, how long each is held, the gate every step must pass, and what a breach does.
 *
 * @param steps    percentages in increasing order with their hold times
 * @param gate     the thresholds checked during each hold
 * @param onBreach whether a breached gate only recommends rollback or performs it
 */
public record RolloutPlan(List<Step> steps, Gate gate, OnBreach onBreach) {

    /** @param hold how long to watch the metrics at this percentage before going on; zero for the last step */
    public record Step(int percentage, Duration hold) {
    }

    public enum OnBreach { RECOMMEND_ROLLBACK, ROLL_BACK }

    public RolloutPlan {
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a plan needs at least one step");
        }
        for (int i = 1; i < steps.size(); i++) {
            if (steps.get(i).percentage() <= steps.get(i - 1).percentage()) {
                throw new IllegalArgumentException("plan steps must increase: " + steps);
            }
        }
    }

    /**
     * The original plan's production rollout: 1 % for 24 h, 10 % for 48 h, 25 % for 48 h, 50 % for 72 h, 75 % for
     * 48 h, then 100 %; gated by job success rate ≥ 99 %, p99 ≤ 15 s, error rate ≤ 1 % (its alert thresholds);
     * a breach recommends rollback, and a person decides.
     */
    public static RolloutPlan originalPlan() {
        return new RolloutPlan(List.of(
                new Step(1, Duration.ofHours(24)),
                new Step(10, Duration.ofHours(48)),
                new Step(25, Duration.ofHours(48)),
                new Step(50, Duration.ofHours(72)),
                new Step(75, Duration.ofHours(48)),
                new Step(100, Duration.ZERO)), Gate.originalPlan(), OnBreach.RECOMMEND_ROLLBACK);
    }

    public RolloutPlan withOnBreach(OnBreach action) {
        return new RolloutPlan(steps, gate, action);
    }

    /** The step the rollout is in: the highest step at or below {@code percentage}; empty below the first. */
    public Optional<Step> current(int percentage) {
        Step found = null;
        for (Step s : steps) {
            if (s.percentage() <= percentage) {
                found = s;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The next step above {@code percentage}; empty at or past the last. */
    public Optional<Step> next(int percentage) {
        return steps.stream().filter(s -> s.percentage() > percentage).findFirst();
    }
}
