package io.sandboxops.core.observe;

import java.time.Instant;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One log entry as a person reads it: the entry's own fields, the structured fields the client's events
 * ({@link SandboxEvent}) and the executor's log carry, and the whole entry. Secrets in the payload are masked
 * ({@link io.sandboxops.core.env.Secrets#maskCommand}); control characters are left for the view to make inert.
 *
 * @param time       when it was logged
 * @param severity   e.g. {@code ERROR}, {@code DEFAULT}
 * @param log        the log id, e.g. {@code run.googleapis.com/stderr}
 * @param resource   the job or service that logged it
 * @param execution  the Cloud Run execution, empty for services
 * @param message    the text, or the JSON payload's {@code message}; without one, the payload's fields the columns do
 *                   not show ({@code name=value …}), or the whole payload when none of its fields is known
 * @param insertId   the entry's id, unique within its log
 * @param event      {@code jsonPayload.event}, e.g. {@code sandbox_operation}, {@code request}; empty when none
 * @param backend    {@code docker} or {@code cloudrun} for the client's events; empty when none
 * @param session    the hashed session key of the client's events, the executor's {@code session_id}; empty when none
 * @param operation  e.g. {@code exec}, {@code file_read} ({@code operation}, or the executor's {@code op}); empty when none
 * @param outcome    the client's event outcome ({@code ok}, {@code unavailable}…); empty when none
 * @param durationMs {@code duration_ms}, or {@code duration_seconds} in milliseconds
 * @param exitCode   {@code exit_code}
 * @param entry      the whole entry as indented JSON: every field, resource labels, insertId, timestamp
 */
public record LogLine(Instant time, String severity, String log, String resource, String execution, String message,
                      String insertId, String event, String backend, String session, String operation, String outcome,
                      OptionalDouble durationMs, OptionalLong exitCode, String entry) {

    /** An entry with no structured fields, e.g. a line of text. */
    public LogLine(Instant time, String severity, String log, String resource, String execution, String message, String insertId) {
        this(time, severity, log, resource, execution, message, insertId, "", "", "", "", "", OptionalDouble.empty(),
                OptionalLong.empty(), "");
    }

    public String describe() {
        return time + " " + severity + " " + resource + (execution.isEmpty() ? "" : "/" + execution) + " " + message;
    }

    /** The duration as the columns show it, e.g. {@code 1,250 ms}, {@code 12.5 s}; empty when none. */
    public String durationText() {
        if (durationMs.isEmpty()) {
            return "";
        }
        double ms = durationMs.getAsDouble();
        return ms >= 10_000 ? String.format(Locale.ROOT, "%.1f s", ms / 1000) : String.format(Locale.ROOT, "%,.0f ms", ms);
    }

    /** The exit code as the columns show it; empty when none. */
    public String exitText() {
        return exitCode.isPresent() ? Long.toString(exitCode.getAsLong()) : "";
    }
}
