package io.sandboxops.app.console.processes;

import java.time.Instant;

/**
 * A background process as the table shows it.
 *
 * @param command the command as typed, secrets masked
 */
public record ProcessRow(long pid, String sessionId, String command, boolean running, Instant started, String logFile) {
}
