package io.sandboxops.app.console.logs;

import java.time.Instant;

/**
 * One log entry as the table shows it.
 *
 * @param time      when it was logged
 * @param severity  e.g. {@code ERROR}, {@code DEFAULT}
 * @param resource  the job or service that logged it
 * @param execution the Cloud Run execution, empty for services
 * @param message   the text
 * @param id        the entry's insert id, to tell a new entry from one already shown
 */
public record LogRow(Instant time, String severity, String resource, String execution, String message, String id) {

    /** Whether the entry matches what the person typed in the filter, case-insensitively, in any column. */
    public boolean matches(String text) {
        if (text == null || text.isBlank()) {
            return true;
        }
        String needle = text.trim().toLowerCase();
        return message.toLowerCase().contains(needle) || resource.toLowerCase().contains(needle)
                || execution.toLowerCase().contains(needle) || severity.toLowerCase().contains(needle);
    }
}
