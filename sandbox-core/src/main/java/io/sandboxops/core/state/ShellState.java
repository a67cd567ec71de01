package io.sandboxops.core.state;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code sessions/{sandbox}/shells/{session}/state.json} holds: the state of one shell session of a Cloud
 * Run sandbox, enough for a new executor to restore it (DESIGN §5). Immutable.
 *
 * @param schemaVersion       {@link #SCHEMA_VERSION}
 * @param sessionId           the shell session
 * @param cwd                 working directory after its last command
 * @param env                 exported environment after its last command
 * @param backgroundProcesses the background processes it started
 * @param lastCommand         the last command run, or null
 * @param createdAt           when it was first used
 * @param updatedAt           when it was last written
 */
public record ShellState(int schemaVersion, String sessionId, String cwd, Map<String, String> env,
                         List<Background> backgroundProcesses, String lastCommand, Instant createdAt, Instant updatedAt) {

    public static final int SCHEMA_VERSION = 1;

    /**
     * A background process. In a session worker it is a real process; in {@code once} mode it is an execution of
     * its own, and {@code execution} names it.
     *
     * @param pid       the pid the API reports
     * @param command   the command without its trailing {@code &}
     * @param startedAt when it started
     * @param logFile   where its output went inside the sandbox (empty when it went to Cloud Logging)
     * @param execution the execution running it in {@code once} mode, else null
     * @param running   whether it ran when this state was written
     */
    public record Background(long pid, String command, Instant startedAt, String logFile, String execution, boolean running) {
    }

    public ShellState {
        Objects.requireNonNull(sessionId, "sessionId");
        env = env == null ? Map.of() : Map.copyOf(env);
        backgroundProcesses = backgroundProcesses == null ? List.of() : List.copyOf(backgroundProcesses);
        cwd = cwd == null ? "" : cwd;
    }

    public static ShellState fresh(String sessionId, String cwd, Map<String, String> env, Instant now) {
        return new ShellState(SCHEMA_VERSION, sessionId, cwd, env, List.of(), null, now, now);
    }

    public ShellState withBackground(List<Background> background, Instant now) {
        return new ShellState(schemaVersion, sessionId, cwd, env, background, lastCommand, createdAt, now);
    }
}
