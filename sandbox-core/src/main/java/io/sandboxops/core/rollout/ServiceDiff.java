package io.sandboxops.core.rollout;

import java.util.List;

/**
 * What an update would change in the service, line by line ({@code USE_CLOUDRUN_JOBS_SANDBOX: true → false}),
 * computed by comparing the whole service before and after, not by trusting what was meant to change.
 *
 * @param lines     one per changed env var or setting; empty when nothing changes
 * @param container the container whose env the rollout variables live in
 * @param notes     things the person should know (a revision name cleared, a pinned traffic split)
 */
public record ServiceDiff(List<String> lines, String container, List<String> notes) {

    public ServiceDiff {
        lines = List.copyOf(lines);
        notes = List.copyOf(notes);
    }

    public boolean isEmpty() {
        return lines.isEmpty();
    }
}
