package io.sandboxops.emulator.run;

import java.time.Instant;

/**
 * One task of an execution as the Tasks service reports it: created with the execution (pending), then its
 * latest attempt, how often it was retried, and how it ended. Written by the engine's worker for that task only.
 */
final class TaskState {

    enum Outcome { PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED }

    final int index;
    private Outcome outcome = Outcome.PENDING;
    private Instant startTime;
    private Instant completionTime;
    private int retried;
    /** the exit code of the latest attempt; {@code null} before one ended, or when it could not start or was killed */
    private Integer lastExitCode;
    private String lastAttemptMessage;

    TaskState(int index) {
        this.index = index;
    }

    synchronized void attemptStarted(int attempt, Instant now) {
        outcome = Outcome.RUNNING;
        retried = attempt;
        startTime = now;
    }

    synchronized void attemptEnded(Integer exitCode, String message) {
        lastExitCode = exitCode;
        lastAttemptMessage = message;
    }

    synchronized void finished(Outcome result, Instant now) {
        outcome = result;
        completionTime = now;
    }

    /** A consistent copy for building the API's Task. */
    synchronized Snapshot snapshot() {
        return new Snapshot(index, outcome, startTime, completionTime, retried, lastExitCode, lastAttemptMessage);
    }

    record Snapshot(int index, Outcome outcome, Instant startTime, Instant completionTime, int retried,
                    Integer lastExitCode, String lastAttemptMessage) {
    }
}
