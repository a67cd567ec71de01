package io.sandboxops.core.cloudrun;

import io.sandboxops.core.api.Terminal;
import io.sandboxops.core.api.TerminalSize;
import io.sandboxops.core.api.BackgroundProcess;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.KillResult;
import io.sandboxops.core.api.KillTarget;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SessionIds;
import io.sandboxops.core.api.SessionInfo;
import io.sandboxops.core.api.ShellView;
import io.sandboxops.core.cloudrun.WorkerProtocol.Op;
import io.sandboxops.core.cloudrun.WorkerProtocol.Request;
import io.sandboxops.core.files.BucketFileStore;
import io.sandboxops.core.files.FileOperations;
import io.sandboxops.core.files.FileOperationsSandbox;
import io.sandboxops.core.state.SandboxRecord;
import io.sandboxops.core.state.SessionStateStore;
import io.sandboxops.core.state.ShellState;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A sandbox on Cloud Run Jobs (DESIGN §5). Its files and the state of its shells live in the state bucket, so
 * it exists without any execution running; commands run in executions of a reused job, in one of two modes:
 * <ul>
 *   <li>{@code session} mode ({@link SessionMode}): one long-lived worker execution per sandbox takes requests from
 *       the sandbox's mailbox; the first command starts it, it exits on its own after an idle timeout.</li>
 *   <li>{@code once} mode ({@link OnceMode}): one execution per command. A background command is an execution of its
 *       own (its pid stands for the execution; kill cancels it; its output is read from Cloud Logging); an interactive
 *       command ({@link #exec}) gets its input through the execution's own mailbox.</li>
 * </ul>
 * This class checks arguments and does what both modes share; the mode the sandbox was created in does the rest.
 * File operations always go to the bucket: no execution is started for a {@code fileRead}. Thread-safe.
 */
final class CloudRunJobsSandbox implements FileOperationsSandbox {
    /** Time an execution is given beyond a command's own timeout: a container to start, files to restore. */
    static final Duration START_ALLOWANCE = Duration.ofMinutes(3);

    private final CloudRunJobsSandboxBackend backend;
    private final SandboxRecord record;
    private final SessionStateStore store;
    private final CloudRunJobManager jobs;
    private final FileOperations files;
    private final CloudRunMode mode;

    CloudRunJobsSandbox(CloudRunJobsSandboxBackend backend, SandboxRecord record) {
        this(backend, record, null);
    }

    /**
     * @param created made just now by this client, as written (its record and manifest): no worker can serve it yet; null
     *                for a sandbox opened
     */
    CloudRunJobsSandbox(CloudRunJobsSandboxBackend backend, SandboxRecord record, PoolProtocol.Known created) {
        this.backend = backend;
        this.record = record;
        this.store = backend.store();
        this.jobs = backend.jobs();
        this.files = new FileOperations(new BucketFileStore(store, record.sandboxId()), record.workdir());
        CloudRunSandboxParts parts = new CloudRunSandboxParts(backend, record, store, jobs, files);
        this.mode = CloudRunSettings.Mode.ONCE.wire().equals(record.mode()) ? new OnceMode(parts) : new SessionMode(parts, created);
    }

    // ---- lifecycle ---------------------------------------------------------------------------------------

    @Override
    public String id() {
        return record.sandboxId();
    }

    @Override
    public String backend() {
        return CloudRunJobsSandboxBackend.NAME;
    }

    /** The mode the sandbox was created in, kept in its record: a backend opened in another mode does not change it. */
    @Override
    public String mode() {
        return record.mode();
    }

    @Override
    public void ensureReady() {
        if (store.readSandbox(id()).isEmpty()) {
            throw new SandboxNotFoundException("sandbox " + id() + " no longer exists (its state is gone from bucket " + store.bucket() + ")");
        }
        backend.job();
    }

    @Override
    public void destroy() {
        List<String> running = new ArrayList<>(mode.runningExecutions());
        for (ShellState s : store.listShells(id())) {
            s.backgroundProcesses().stream().filter(b -> b.execution() != null).forEach(b -> running.add(b.execution()));
        }
        for (String execution : running) {
            jobs.cancel(execution);
        }
        store.deleteSandbox(id());
        backend.credentials().forget(id());
        close();
    }

    @Override
    public boolean supportsBrowser() {
        return false;
    }

    @Override
    public Optional<URI> cdpUrl() {
        return Optional.empty();
    }

    @Override
    public Optional<URI> vncUrl() {
        return Optional.empty();
    }

    @Override
    public void close() {
        // Executions and state belong to the sandbox, not to this client; the clients belong to the backend.
    }

    // ---- commands ----------------------------------------------------------------------------------------

    @Override
    public ExecResult execStateful(String command, String sessionId, Duration timeout) {
        SessionIds.requireValid(sessionId);
        Sandbox.requireCommandTimeout(timeout);
        if (command.indexOf('\0') >= 0) {
            throw new SandboxInvalidInputException("a command cannot contain a NUL character");
        }
        return mode.execStateful(command, sessionId, timeout);
    }

    @Override
    public ShellView exec(String sessionId, Optional<String> execDir, String command) {
        SessionIds.requireValid(sessionId);
        return mode.exec(sessionId, execDir.map(files::resolve), command);
    }

    @Override
    public ShellView viewShell(String sessionId) {
        return mode.interactiveCall(Request.of(Op.VIEW, SessionIds.requireValid(sessionId)), Duration.ZERO).view().toView();
    }

    @Override
    public ShellView waitForProcess(String sessionId, Duration timeout) {
        Sandbox.requireCommandTimeout(timeout);
        return mode.interactiveCall(Request.of(Op.WAIT, SessionIds.requireValid(sessionId)).withTimeout(timeout), timeout).view().toView();
    }

    @Override
    public void writeToProcess(String sessionId, String input, boolean pressEnter) {
        mode.interactiveCall(Request.of(Op.INPUT, SessionIds.requireValid(sessionId)).withInput(pressEnter ? input + "\n" : input), Duration.ZERO);
    }

    @Override
    public ShellView killProcess(String sessionId) {
        return mode.interactiveCall(Request.of(Op.KILL, SessionIds.requireValid(sessionId)), Duration.ofSeconds(10)).view().toView();
    }

    // ---- terminals ---------------------------------------------------------------------------------------

    @Override
    public Terminal openTerminal(String sessionId, TerminalSize size) {
        return mode.openTerminal(SessionIds.requireValid(sessionId), size);
    }

    // ---- background processes ----------------------------------------------------------------------------

    @Override
    public List<BackgroundProcess> listBackgroundProcesses(Optional<String> sessionId) {
        sessionId.ifPresent(SessionIds::requireValid);
        Optional<List<BackgroundProcess>> live = mode.liveBackgroundProcesses(sessionId);
        if (live.isPresent()) {
            return live.get();
        }
        List<BackgroundProcess> out = new ArrayList<>();
        for (ShellState s : store.listShells(id())) {
            if (sessionId.isPresent() && !sessionId.get().equals(s.sessionId())) {
                continue;
            }
            for (ShellState.Background b : s.backgroundProcesses()) {
                boolean running = b.execution() != null && !CloudRunJobManager.isDone(jobs.get(b.execution()));
                out.add(toApi(b, s.sessionId(), running));
            }
        }
        out.sort((a, b) -> a.startedAt().compareTo(b.startedAt()));
        return out;
    }

    static BackgroundProcess toApi(ShellState.Background b, String sessionId, boolean running) {
        return new BackgroundProcess(b.pid(), sessionId, b.command(), running, b.startedAt(), b.logFile());
    }

    @Override
    public KillResult killBackgroundProcess(KillTarget target) {
        List<BackgroundProcess> chosen = listBackgroundProcesses(Optional.empty()).stream().filter(target::matches).toList();
        if (target instanceof KillTarget.Pid p && chosen.isEmpty()) {
            throw new SandboxNotFoundException("no background process with pid " + p.pid() + " was started in sandbox " + id());
        }
        List<Long> running = chosen.stream().filter(BackgroundProcess::running).map(BackgroundProcess::pid).distinct().toList();
        if (running.isEmpty()) {
            return KillResult.of(List.of());
        }
        return KillResult.of(mode.killBackgroundProcesses(running));
    }

    @Override
    public String backgroundLogs(long pid, int maxBytes) {
        Optional<ShellState.Background> known = store.listShells(id()).stream().flatMap(s -> s.backgroundProcesses().stream())
                .filter(b -> b.pid() == pid).findFirst();
        return mode.backgroundLogs(pid, maxBytes, known);
    }

    /** The last {@code maxBytes} of {@code text}. */
    static String tail(String text, int maxBytes) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (b.length <= maxBytes) {
            return text;
        }
        return new String(b, b.length - maxBytes, maxBytes, StandardCharsets.UTF_8);
    }

    // ---- files -------------------------------------------------------------------------------------------

    @Override
    public FileOperations fileOperations() {
        return files;
    }

    // ---- sessions ----------------------------------------------------------------------------------------

    @Override
    public List<SessionInfo> listSessions() {
        return store.listShells(id()).stream().map(this::info).toList();
    }

    @Override
    public SessionInfo sessionInfo(String sessionId) {
        return store.readShell(id(), SessionIds.requireValid(sessionId)).map(v -> info(v.value())).orElseThrow(() ->
                new SandboxNotFoundException("no session " + sessionId + " in sandbox " + id() + "; list them with `sandboxctl session list`"));
    }

    @Override
    public void closeSession(String sessionId) {
        ShellState s = store.readShell(id(), SessionIds.requireValid(sessionId)).map(SessionStateStore.Versioned::value).orElseThrow(() ->
                new SandboxNotFoundException("no session " + sessionId + " in sandbox " + id()));
        // Once-mode background processes are executions of their own; a session worker's have none, so for that mode
        // this loop cancels nothing and the worker still hears of the close before the state goes.
        for (ShellState.Background b : s.backgroundProcesses()) {
            if (b.execution() != null) {
                jobs.cancel(b.execution());
            }
        }
        mode.closeSession(sessionId);
        store.deleteShell(id(), sessionId);
    }

    @Override
    public List<String> cleanupAllSessions(Set<String> exclude) {
        List<String> closed = new ArrayList<>();
        for (SessionInfo s : listSessions()) {
            if (!exclude.contains(s.sessionId())) {
                closeSession(s.sessionId());
                closed.add(s.sessionId());
            }
        }
        return closed;
    }

    private SessionInfo info(ShellState s) {
        int running = (int) s.backgroundProcesses().stream().filter(ShellState.Background::running).count();
        return new SessionInfo(s.sessionId(), id(), CloudRunJobsSandboxBackend.NAME, s.cwd(), s.env(), s.createdAt(), s.updatedAt(),
                Optional.ofNullable(s.lastCommand()), running);
    }

    /** A command as a message may name it: one line, short, inert, secrets masked (the Docker path's rule, one place). */
    static String abbreviate(String command) {
        return io.sandboxops.core.env.Secrets.abbreviateCommand(command);
    }

    @Override
    public String toString() {
        return "CloudRunJobsSandbox[" + id() + ", " + record.mode() + "]";
    }
}
