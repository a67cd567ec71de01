package io.sandboxops.app.console.logs;

import java.time.Instant;

/**
 * One change of the rollout, for the audit table.
 *
 * @param time    when
 * @param source  {@code local} (this tool's log) or {@code Cloud Audit Logs}
 * @param actor   who
 * @param action  what ({@code set}, {@code rollback}, or the API method)
 * @param change  from → to, empty when the source does not say
 * @param reason  why, as given
 * @param outcome what came of it
 * @param revision the revision it made or served
 */
public record AuditRow(Instant time, String source, String actor, String action, String change, String reason, String outcome,
                       String revision) {
}
