package io.sandboxops.app.console.rollout;

import java.time.Duration;

/**
 * One step of the rollout plan as the timeline shows it.
 *
 * @param percentage the step's share of new sessions on Cloud Run
 * @param hold       how long the step is watched before the next
 * @param position   where the rollout is relative to this step
 * @param gate       the gate's verdict; only the current step has one measured now
 * @param detail     one line for the tooltip: the gate's checks, or what the step waits for
 * @param samples    completed executions the gate was measured on; 0 when not measured
 * @param needed     how many a pass needs
 */
public record PlanStepRow(int percentage, Duration hold, Position position, GateState gate, String detail, long samples, long needed) {

    /** DONE: the rollout stood at this step and went on; SKIPPED: it went past without stopping there. */
    public enum Position { DONE, SKIPPED, CURRENT, NEXT, LATER }

    public enum GateState {
        /** every check holds on enough executions */
        PASS,
        /** nothing breached, but too few executions to call it a pass */
        TOO_FEW_SAMPLES,
        /** a check is breached: roll back */
        BREACH,
        /** not measured: a step passed or not yet reached, or the metrics could not be read */
        NOT_MEASURED
    }
}
