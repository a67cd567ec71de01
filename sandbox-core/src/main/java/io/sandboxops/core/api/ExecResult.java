package io.sandboxops.core.api;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What a stateful command left behind.
 *
 * @param exitCode      the command's exit status; for {@code exit N} it is N; for a timed-out command the status
 *                      the interrupted command ended with (130 after SIGINT, 137 after SIGKILL, 124 when the shell
 *                      itself had to be restarted)
 * @param stdout        standard output, decoded as UTF-8, capped (see {@link #stdoutDroppedBytes})
 * @param stderr        standard error, kept apart from stdout, capped the same way
 * @param cwd           the shell's working directory after the command
 * @param sessionId     the session the command ran in
 * @param backgroundPid the real pid of a command started with a trailing {@code &}; empty otherwise
 * @param timedOut      whether the command was interrupted at its timeout (its partial output is kept)
 * @param duration      wall-clock time from sending the command to its end marker
 * @param stdoutDroppedBytes how many bytes of stdout were dropped past the cap (0 when none)
 * @param stderrDroppedBytes how many bytes of stderr were dropped past the cap (0 when none)
 */
public record ExecResult(
        int exitCode,
        String stdout,
        String stderr,
        String cwd,
        String sessionId,
        OptionalLong backgroundPid,
        boolean timedOut,
        Duration duration,
        long stdoutDroppedBytes,
        long stderrDroppedBytes) {

    public ExecResult {
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(cwd, "cwd");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(backgroundPid, "backgroundPid");
        Objects.requireNonNull(duration, "duration");
    }

    /** Whether the command exited 0 and was not interrupted. */
    public boolean succeeded() {
        return exitCode == 0 && !timedOut;
    }
}
