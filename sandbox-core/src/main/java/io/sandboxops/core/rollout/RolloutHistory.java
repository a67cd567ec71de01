package io.sandboxops.core.rollout;

import java.util.List;
import java.util.Optional;

/**
 * Rollout changes, newest first: this tool's local log and the service's Cloud Audit Log entries together.
 *
 * @param entries           newest first
 * @param cloudAuditProblem why the Cloud Audit Log could not be read, when it could not (the local entries are
 *                          still shown, and the gap is said rather than hidden)
 */
public record RolloutHistory(List<AuditEntry> entries, Optional<String> cloudAuditProblem) {

    public RolloutHistory {
        entries = List.copyOf(entries);
    }
}
