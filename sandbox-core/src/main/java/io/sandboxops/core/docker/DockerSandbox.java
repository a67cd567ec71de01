package io.sandboxops.core.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.sandboxops.core.api.BackgroundProcess;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.KillResult;
import io.sandboxops.core.api.KillTarget;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SessionIds;
import io.sandboxops.core.api.SessionInfo;
import io.sandboxops.core.api.ShellView;
import io.sandboxops.core.api.Terminal;
import io.sandboxops.core.api.TerminalSize;
import io.sandboxops.core.files.FileOperations;
import io.sandboxops.core.files.FileOperationsSandbox;
import io.sandboxops.core.shell.RunningCommand;
import io.sandboxops.core.shell.SessionDirectory;
import io.sandboxops.core.shell.ShellSession;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;

/**
 * A sandbox that is one Docker container (DESIGN §4). Each session is a bash started by a Docker exec with
 * attached stdin, so a command costs a round trip on an open stream, not a new exec. A terminal
 * ({@link #openTerminal}) is an exec of its own with a TTY, beside the session's shell ({@link DockerTerminal}).
 */
final class DockerSandbox implements FileOperationsSandbox {
    /** Where session shells save their state inside the container. */
    static final String STATE_ROOT = "/tmp/.sandboxops/sessions";
    private static final Duration KILL_GRACE = Duration.ofSeconds(2);

    private final DockerClient docker;
    private final String id;
    private final String containerId;
    private final ShellSession.Options shellOptions;
    private final DockerShellHost host;
    private final SessionDirectory directory;
    private final FileOperations files;
    private final ConcurrentMap<String, ShellSession> sessions = new ConcurrentHashMap<>();
    /** The terminals this client opened and has not closed: they end with the client, as its session shells do. */
    private final Set<DockerTerminal> terminals = ConcurrentHashMap.newKeySet();

    /**
     * @param copiesExpected whether the container was made with the engine shell's copies (see
     *                       {@link DockerSandboxBackend#LABEL_ENGINE_SHELL}); its shells then wait for them while they are installed
     */
    DockerSandbox(DockerClient docker, String id, String containerId, String user, String workdir, ShellSession.Options shellOptions,
                  boolean copiesExpected) {
        this.docker = docker;
        this.id = id;
        this.containerId = containerId;
        this.shellOptions = shellOptions;
        this.host = new DockerShellHost(docker, containerId, id, user, copiesExpected);
        this.directory = new SessionDirectory(host, STATE_ROOT);
        this.files = new FileOperations(new DockerFileStore(docker, containerId, host, user), workdir.isEmpty() ? "/" : workdir);
    }

    String containerId() {
        return containerId;
    }

    // ---- lifecycle ---------------------------------------------------------------------------------------

    @Override
    public String id() {
        return id;
    }

    @Override
    public String backend() {
        return DockerSandboxBackend.NAME;
    }

    @Override
    public String mode() {
        return DockerSandboxBackend.MODE;
    }

    @Override
    public void ensureReady() {
        host.ensureRunning();
    }

    /** See {@link DockerShellHost#installEngineShellInBackground}. */
    void installEngineShellInBackground() {
        host.installEngineShellInBackground();
    }

    /** Starts session {@code sessionId}'s shell ahead of its first command (see {@link DockerWarmPool}). */
    void openShell(String sessionId) {
        session(sessionId).open();
    }

    @Override
    public void destroy() {
        close();
        try {
            docker.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // already gone: destroying is idempotent
        } catch (RuntimeException e) {
            throw DockerEngine.failure("remove sandbox " + id, e);
        }
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
        host.awaitInstall();
        sessions.values().forEach(ShellSession::close);
        sessions.clear();
        List.copyOf(terminals).forEach(DockerTerminal::close);
    }

    // ---- commands ----------------------------------------------------------------------------------------

    @Override
    public ExecResult execStateful(String command, String sessionId, Duration timeout) {
        return session(sessionId).run(command, Sandbox.requireCommandTimeout(timeout));
    }

    @Override
    public ShellView exec(String sessionId, Optional<String> execDir, String command) {
        ShellSession s = session(sessionId);
        RunningCommand c = s.start(command, ShellSession.Mode.INTERACTIVE, execDir.map(files::resolve));
        return view(s, c);
    }

    @Override
    public ShellView viewShell(String sessionId) {
        ShellSession s = existingSession(sessionId);
        return view(s, interactive(s));
    }

    @Override
    public ShellView waitForProcess(String sessionId, Duration timeout) {
        Sandbox.requireCommandTimeout(timeout);
        ShellSession s = existingSession(sessionId);
        RunningCommand c = interactive(s);
        s.await(c, timeout);
        return view(s, c);
    }

    @Override
    public void writeToProcess(String sessionId, String input, boolean pressEnter) {
        existingSession(sessionId).writeInput(pressEnter ? input + "\n" : input);
    }

    @Override
    public ShellView killProcess(String sessionId) {
        ShellSession s = existingSession(sessionId);
        RunningCommand c = s.running().orElseGet(() -> interactive(s));
        if (!c.isDone()) {
            s.interrupt(c);
        }
        return view(s, c);
    }

    private ShellView view(ShellSession s, RunningCommand c) {
        OptionalInt exit = c.completion().map(done -> OptionalInt.of(s.result(c).exitCode())).orElse(OptionalInt.empty());
        return new ShellView(s.sessionId(), c.command(), c.combinedText(), !c.isDone(), exit);
    }

    private RunningCommand interactive(ShellSession s) {
        return s.lastInteractive().orElseThrow(() -> new SandboxNotFoundException(
                "session " + s.sessionId() + " has no command started with exec in this client"));
    }

    private ShellSession session(String sessionId) {
        SessionIds.requireValid(sessionId);
        return sessions.computeIfAbsent(sessionId, sid -> new ShellSession(host, STATE_ROOT, sid, shellOptions));
    }

    private ShellSession existingSession(String sessionId) {
        ShellSession s = sessions.get(SessionIds.requireValid(sessionId));
        if (s == null) {
            throw new SandboxNotFoundException("session " + sessionId + " has no shell open in this client; start a command with exec first");
        }
        return s;
    }

    // ---- terminals ---------------------------------------------------------------------------------------

    /** See {@link DockerTerminal}: an exec on a pseudo-terminal, beside the session's engine shell, never through it. */
    @Override
    public Terminal openTerminal(String sessionId, TerminalSize size) {
        SessionIds.requireValid(sessionId);
        host.ensureRunning();
        DockerTerminal t = new DockerTerminal(host, id, sessionId, STATE_ROOT + "/" + sessionId, size, terminals::remove);
        terminals.add(t);
        return t;
    }

    // ---- background processes ----------------------------------------------------------------------------

    @Override
    public List<BackgroundProcess> listBackgroundProcesses(Optional<String> sessionId) {
        sessionId.ifPresent(SessionIds::requireValid);
        return directory.background(sessionId);
    }

    @Override
    public KillResult killBackgroundProcess(KillTarget target) {
        List<BackgroundProcess> all = directory.background(Optional.empty());
        List<BackgroundProcess> chosen = all.stream().filter(target::matches).toList();
        if (target instanceof KillTarget.Pid p && chosen.isEmpty()) {
            throw new SandboxNotFoundException("no background process with pid " + p.pid() + " was started in sandbox " + id);
        }
        List<Long> running = chosen.stream().filter(BackgroundProcess::running).map(BackgroundProcess::pid).distinct().toList();
        return directory.kill(running, KILL_GRACE);
    }

    @Override
    public String backgroundLogs(long pid, int maxBytes) {
        boolean known = directory.background(Optional.empty()).stream().anyMatch(b -> b.pid() == pid);
        if (!known) {
            throw new SandboxNotFoundException("no background process with pid " + pid + " was started in sandbox " + id);
        }
        return directory.logs(pid, maxBytes);
    }

    // ---- files -------------------------------------------------------------------------------------------

    @Override
    public FileOperations fileOperations() {
        return files;
    }

    // ---- sessions ----------------------------------------------------------------------------------------

    @Override
    public List<SessionInfo> listSessions() {
        return directory.read(List.of()).stream().map(this::info).toList();
    }

    @Override
    public SessionInfo sessionInfo(String sessionId) {
        return info(directory.read(SessionIds.requireValid(sessionId)));
    }

    @Override
    public void closeSession(String sessionId) {
        SessionDirectory.SavedSession saved = directory.read(SessionIds.requireValid(sessionId));
        List<Long> running = saved.background().stream().filter(BackgroundProcess::running).map(BackgroundProcess::pid).toList();
        directory.kill(running, KILL_GRACE);
        ShellSession s = sessions.remove(sessionId);
        if (s != null) {
            s.close();
        }
        directory.remove(sessionId);
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

    private SessionInfo info(SessionDirectory.SavedSession s) {
        int running = (int) s.background().stream().filter(BackgroundProcess::running).count();
        return new SessionInfo(s.sessionId(), id, DockerSandboxBackend.NAME, s.cwd(), s.env(), s.createdAt(), s.updatedAt(),
                s.lastCommand(), running);
    }

    @Override
    public String toString() {
        return "DockerSandbox[" + id + ", container " + containerId.substring(0, Math.min(12, containerId.length())) + ", sessions "
                + sessions.keySet().stream().sorted().collect(Collectors.joining(",")) + "]";
    }
}
