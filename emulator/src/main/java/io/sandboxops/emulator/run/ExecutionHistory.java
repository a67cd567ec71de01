package io.sandboxops.emulator.run;

import java.time.Instant;
import java.util.List;

/** What the emulator's executions did, for Cloud Monitoring to compute its metrics from. */
public interface ExecutionHistory {

    /** One task attempt that ran from {@code start} to {@code end} ({@code null} while still running). */
    record AttemptSpan(Instant start, Instant end) {
    }

    /**
     * One execution as the metrics see it.
     *
     * @param result {@code succeeded}, {@code failed} or {@code cancelled}; {@code null} while running
     */
    record ExecutionFact(String project, String location, String job, String execution, Instant createTime,
                         Instant startTime, Instant completionTime, String result, List<AttemptSpan> attempts) {
    }

    List<ExecutionFact> executions();
}
