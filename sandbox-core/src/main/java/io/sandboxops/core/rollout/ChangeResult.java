package io.sandboxops.core.rollout;

import java.time.Duration;
import java.util.List;

/**
 * The result of {@code set}, {@code enable} or {@code disable}, or of their dry run.
 *
 * @param dryRun   whether nothing was written (the diff and the server's validation only)
 * @param outcome  what happened
 * @param diff     what changed (or would)
 * @param before   the status before
 * @param after    the status after, read back from the service (equal to {@code before} on a dry run)
 * @param revision the revision the change created; empty when none
 * @param elapsed  command to verified
 * @param warnings what the person should act on, e.g. the new revision serves 0 % because traffic is pinned
 */
public record ChangeResult(boolean dryRun, Outcome outcome, ServiceDiff diff, RolloutStatus before, RolloutStatus after,
                           String revision, Duration elapsed, List<String> warnings) {

    public enum Outcome {
        /** the dry run found the change valid */
        VALID,
        /** nothing to change: the service already has these values */
        UNCHANGED,
        /** written; the new revision is ready */
        APPLIED
    }

    public ChangeResult {
        warnings = List.copyOf(warnings);
    }
}
