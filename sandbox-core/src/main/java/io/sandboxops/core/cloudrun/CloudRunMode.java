package io.sandboxops.core.cloudrun;

import io.sandboxops.core.api.BackgroundProcess;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.ShellView;
import io.sandboxops.core.api.Terminal;
import io.sandboxops.core.api.TerminalSize;
import io.sandboxops.core.cloudrun.WorkerProtocol.Request;
import io.sandboxops.core.cloudrun.WorkerProtocol.Response;
import io.sandboxops.core.state.ShellState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a Cloud Run sandbox does differently in each of its two modes (DESIGN §5): {@link SessionMode} sends every
 * command to one long-lived worker through the sandbox's mailbox, {@link OnceMode} starts one execution per command.
 * {@link CloudRunJobsSandbox} checks its arguments, keeps what both share (files, sessions' state, the bucket's view of
 * background processes) and hands the rest to the mode its sandbox was created in. Arguments arrive checked.
 */
interface CloudRunMode {
    /** Runs {@code command} in shell {@code sessionId} to its end or {@code timeout}. */
    ExecResult execStateful(String command, String sessionId, Duration timeout);

    /** Starts {@code command} interactively in shell {@code sessionId}, in {@code dir} (resolved) or the shell's cwd. */
    ShellView exec(String sessionId, Optional<String> dir, String command);

    /** Sends a request about the session's interactive command (view, wait, input, kill) to whoever runs it. */
    Response interactiveCall(Request request, Duration wait);

    /**
     * The background processes as a live execution reports them, when one can; empty when the bucket's records are the
     * answer.
     */
    Optional<List<BackgroundProcess>> liveBackgroundProcesses(Optional<String> sessionId);

    /** Opens a terminal on shell {@code sessionId} (see {@link io.sandboxops.core.api.Sandbox#openTerminal}). */
    Terminal openTerminal(String sessionId, TerminalSize size);

    /** Ends the running background processes {@code pids} (all started in this sandbox); answers the pids it ended. */
    List<Long> killBackgroundProcesses(List<Long> pids);

    /** Up to {@code maxBytes} of the end of background process {@code pid}'s output; {@code known}: its record in the bucket. */
    String backgroundLogs(long pid, int maxBytes, Optional<ShellState.Background> known);

    /** The executions this mode runs for the sandbox besides background processes' own, to cancel when it is destroyed. */
    List<String> runningExecutions();

    /** Tells the executions of this mode that shell {@code sessionId} is closing, before its state is deleted. */
    void closeSession(String sessionId);
}
