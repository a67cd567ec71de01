package io.sandboxops.core.api;

import java.util.List;

/**
 * What {@link Sandbox#killBackgroundProcess} ended.
 *
 * @param killedCount how many running processes were ended
 * @param killedPids  their pids
 */
public record KillResult(int killedCount, List<Long> killedPids) {
    public KillResult {
        killedPids = List.copyOf(killedPids);
    }

    public static KillResult of(List<Long> pids) {
        return new KillResult(pids.size(), pids);
    }
}
