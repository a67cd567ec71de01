package io.sandboxops.core.rollout;

import java.time.Instant;

/**
 * One change to the rollout: who, when, where, from what to what, and why.
 *
 * @param time        when the change finished (or failed)
 * @param source      {@link Source#LOCAL} for changes made through this tool, {@link Source#CLOUD_AUDIT} for
 *                    Cloud Audit Log entries of the service, wherever they were made
 * @param actor       the person or principal
 * @param environment the environment name
 * @param service     the service's short name
 * @param action      {@code set}, {@code enable}, {@code disable}, {@code rollback}, {@code plan-step}, or the
 *                    API method for audit-log entries
 * @param from        the variables before, e.g. {@code flag=true, 50 %}; empty when unknown
 * @param to          the variables after; empty when unknown
 * @param reason      what the person gave as the reason
 * @param outcome     e.g. {@code applied}, {@code verified}, {@code unchanged}, {@code failed: …}
 * @param revision    the revision the change made or served; empty when none
 */
public record AuditEntry(Instant time, Source source, String actor, String environment, String service, String action,
                         String from, String to, String reason, String outcome, String revision) {

    public enum Source { LOCAL, CLOUD_AUDIT }

    /** One line for a terminal. */
    public String describe() {
        String change = from.isEmpty() && to.isEmpty() ? "" : " " + from + " → " + to;
        return time + "  " + (source == Source.LOCAL ? "local " : "cloud ") + actor + "  " + environment + "/" + service + "  "
                + action + change + (revision.isEmpty() ? "" : " [" + revision + "]") + "  " + outcome
                + (reason.isEmpty() ? "" : "  reason: " + reason);
    }
}
