package io.sandboxops.core.api;

import java.util.OptionalInt;

/**
 * The legacy interactive view of a session's shell: the output of the last command started with
 * {@link Sandbox#exec}, stdout and stderr interleaved in arrival order, and whether it still runs.
 *
 * @param sessionId the session
 * @param command   the command last started, empty when none was
 * @param output    what the command printed so far (capped like {@link ExecResult})
 * @param running   whether the command is still running
 * @param exitCode  the exit status once it ended; empty while it runs
 */
public record ShellView(String sessionId, String command, String output, boolean running, OptionalInt exitCode) {
}
