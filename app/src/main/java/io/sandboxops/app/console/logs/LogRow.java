package io.sandboxops.app.console.logs;

import java.time.Instant;

/**
 * One log entry as the table and the details pane show it: every text made inert
 * ({@link io.sandboxops.core.env.ControlCharacters}), so nothing a sandbox logged is interpreted.
 *
 * @param time      when it was logged
 * @param severity  e.g. {@code ERROR}, {@code DEFAULT}
 * @param resource  the job or service that logged it
 * @param execution the Cloud Run execution, empty for services
 * @param event     the structured entry's event, e.g. {@code sandbox_operation}; empty when none
 * @param backend   {@code docker} or {@code cloudrun}; empty when none
 * @param session   the hashed session key or the executor's session id; empty when none
 * @param operation e.g. {@code exec}, with its outcome when the entry has one ({@code exec · unavailable})
 * @param duration  e.g. {@code 1,250 ms}; empty when none
 * @param exit      the exit code; empty when none
 * @param message   the text, or the fields no column shows
 * @param id        the entry's insert id, to tell a new entry from one already shown
 * @param entry     the whole entry as indented JSON, line breaks kept
 */
public record LogRow(Instant time, String severity, String resource, String execution, String event, String backend, String session,
                     String operation, String duration, String exit, String message, String id, String entry) {

    /** Whether the entry matches what the person typed in the filter, case-insensitively, in any column. */
    public boolean matches(String text) {
        if (text == null || text.isBlank()) {
            return true;
        }
        String needle = text.trim().toLowerCase();
        return java.util.stream.Stream.of(message, resource, execution, severity, event, backend, session, operation, exit)
                .anyMatch(s -> s.toLowerCase().contains(needle));
    }
}
