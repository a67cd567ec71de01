package io.sandboxops.core.api;

import java.util.List;

/**
 * What an orphan sweep removed.
 *
 * @param removed the ids of the sandboxes removed
 * @param failed  the ids that could not be removed, each with the reason
 */
public record SweepResult(List<String> removed, List<String> failed) {
    public SweepResult {
        removed = List.copyOf(removed);
        failed = List.copyOf(failed);
    }
}
