package io.sandboxops.core.rollout;

import java.time.Duration;

/** Told each step of a change as it happens, so a person watching sees where it is (CLI line, console log). */
@FunctionalInterface
public interface RolloutProgress {
    RolloutProgress NONE = (elapsed, step) -> { };

    /** @param elapsed time since the command started */
    void step(Duration elapsed, String step);
}
