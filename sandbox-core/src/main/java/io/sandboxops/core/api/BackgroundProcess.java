package io.sandboxops.core.api;

import java.time.Instant;

/**
 * A process started by a command ending in {@code &}.
 *
 * @param pid       the real pid inside the sandbox (the leader of its own process group)
 * @param sessionId the session that started it
 * @param command   the command as typed, without the trailing {@code &}
 * @param running   whether it was alive when listed
 * @param startedAt when it was started
 * @param logFile   the file inside the sandbox that receives its stdout and stderr
 */
public record BackgroundProcess(long pid, String sessionId, String command, boolean running, Instant startedAt, String logFile) {
}
