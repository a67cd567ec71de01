package io.sandboxops.core.observe;

import java.time.Instant;

/**
 * One log entry as a person reads it.
 *
 * @param time      when it was logged
 * @param severity  e.g. {@code ERROR}, {@code DEFAULT}
 * @param log       the log id, e.g. {@code run.googleapis.com/stderr}
 * @param resource  the job or service that logged it
 * @param execution the Cloud Run execution, empty for services
 * @param message   the text, or the JSON payload's {@code message} (the whole payload when it has none)
 * @param insertId  the entry's id, unique within its log
 */
public record LogLine(Instant time, String severity, String log, String resource, String execution, String message,
                      String insertId) {

    public String describe() {
        return time + " " + severity + " " + resource + (execution.isEmpty() ? "" : "/" + execution) + " " + message;
    }
}
