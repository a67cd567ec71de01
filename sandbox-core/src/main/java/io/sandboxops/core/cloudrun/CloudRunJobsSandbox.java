package io.sandboxops.core.cloudrun;

import com.google.cloud.logging.v2.LoggingClient;
import com.google.cloud.run.v2.Execution;
import com.google.logging.v2.ListLogEntriesRequest;
import com.google.logging.v2.LogEntry;
import io.sandboxops.core.api.BackgroundProcess;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.KillResult;
import io.sandboxops.core.api.KillTarget;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxConflictException;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.api.SessionIds;
import io.sandboxops.core.api.SessionInfo;
import io.sandboxops.core.api.ShellView;
import io.sandboxops.core.cloudrun.WorkerProtocol.Op;
import io.sandboxops.core.cloudrun.WorkerProtocol.Request;
import io.sandboxops.core.cloudrun.WorkerProtocol.Response;
import io.sandboxops.core.files.BucketFileStore;
import io.sandboxops.core.files.FileOperations;
import io.sandboxops.core.files.FileOperationsSandbox;
import io.sandboxops.core.shell.ShellSession;
import io.sandboxops.core.state.RetryPolicy;
import io.sandboxops.core.state.SandboxRecord;
import io.sandboxops.core.state.SessionStateStore;
import io.sandboxops.core.state.ShellState;
import io.sandboxops.core.util.InterruptibleSleep;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A sandbox on Cloud Run Jobs (DESIGN §5). Its files and the state of its shells live in the state bucket, so
 * it exists without any execution running; commands run in executions of a reused job:
 * <ul>
 *   <li>{@code session} mode: one long-lived worker execution per sandbox takes requests from the sandbox's
 *       mailbox; the first command starts it, it exits on its own after an idle timeout.</li>
 *   <li>{@code once} mode: one execution per command. A background command is an execution of its own (its pid
 *       stands for the execution; kill cancels it; its output is read from Cloud Logging); an interactive
 *       command ({@link #exec}) gets its input through the execution's own mailbox.</li>
 * </ul>
 * File operations always go to the bucket: no execution is started for a {@code fileRead}. Thread-safe.
 */
final class CloudRunJobsSandbox implements FileOperationsSandbox {
    /** Time an execution is given beyond a command's own timeout: a container to start, files to restore. */
    private static final Duration START_ALLOWANCE = Duration.ofMinutes(3);

    private final CloudRunJobsSandboxBackend backend;
    private final SandboxRecord record;
    private final SessionStateStore store;
    private final CloudRunJobManager jobs;
    private final FileOperations files;
    private final Mailbox sessionMailbox;
    /** Once mode: the execution running each shell's interactive command, and the last one that ran. */
    private final ConcurrentMap<String, String> interactive = new ConcurrentHashMap<>();
    /**
     * Once-mode executions whose interactive command this client saw end (a view said it no longer runs). The
     * execution itself lingers a moment to write its result; its state was saved before that view was answered,
     * so the session may take its next command at once.
     */
    private final Set<String> interactiveEnded = ConcurrentHashMap.newKeySet();
    private volatile String workerExecution;

    CloudRunJobsSandbox(CloudRunJobsSandboxBackend backend, SandboxRecord record) {
        this.backend = backend;
        this.record = record;
        this.store = backend.store();
        this.jobs = backend.jobs();
        this.files = new FileOperations(new BucketFileStore(store, record.sandboxId()), record.workdir());
        this.sessionMailbox = new Mailbox(store, SessionStateStore.sandboxPrefix(record.sandboxId()));
    }

    private boolean once() {
        return CloudRunSettings.Mode.ONCE.wire().equals(record.mode());
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
        List<String> running = new ArrayList<>();
        currentWorker().ifPresent(running::add);
        interactive.values().forEach(running::add);
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
        if (!once()) {
            return toWorker(Request.of(Op.EXEC, sessionId).withCommand(command, timeout), timeout.plus(START_ALLOWANCE)).exec().toResult();
        }
        requireNoInteractive(sessionId);
        Optional<String> background = ShellSession.backgroundPart(command);
        if (background.isPresent()) {
            return startBackground(sessionId, background.get());
        }
        String execution = runOnce(command, List.of("--kind", "foreground", "--shell", sessionId, "--timeout", timeout.toMillis() + "ms"));
        return onceResult(execution, timeout.plus(START_ALLOWANCE)).orThrow().exec().toResult();
    }

    /**
     * Starts one once-mode execution of {@code command}. The command goes through the bucket, never in the arguments:
     * Cloud Run shows an execution's arguments to every viewer, and a command may carry a secret.
     */
    private String runOnce(String command, List<String> args) {
        String object = SessionStateStore.commandObject(id(), UUID.randomUUID().toString());
        store.write(object, new WorkerProtocol.CommandText(command), 0);
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--command-object", object));
        try {
            Map<String, String> env = new java.util.HashMap<>(backend.credentials().executionEnv(id()));
            env.put("SESSION_ID", id());
            env.put("SANDBOX_MODE", "once");
            return jobs.run(backend.job(), all, env);
        } catch (RuntimeException e) {
            try {
                store.delete(object);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** Waits for a once-mode execution and reads its result; a crashed executor is a clear error. */
    private Response onceResult(String execution, Duration timeout) {
        Execution e;
        try {
            e = jobs.awaitDone(execution, timeout);
        } catch (SandboxException timedOut) {
            jobs.cancel(execution);
            throw timedOut;
        }
        Optional<SessionStateStore.Versioned<Response>> result = store.read(
                SessionStateStore.resultObject(id(), CloudRunJobManager.shortName(execution)), Response.class);
        if (result.isEmpty()) {
            throw new SandboxUnavailableException("execution " + CloudRunJobManager.shortName(execution) + " ended ("
                    + describe(e) + ") without a result: the executor crashed or was stopped before the command finished; the session "
                    + "keeps its state and files as of its last completed command. See the execution's logs in Cloud Logging.");
        }
        store.delete(SessionStateStore.resultObject(id(), CloudRunJobManager.shortName(execution)));
        return result.get().value();
    }

    private static String describe(Execution e) {
        if (e.getCancelledCount() > 0) {
            return "cancelled";
        }
        return e.getFailedCount() > 0 ? "failed" : "succeeded";
    }

    private ExecResult startBackground(String sessionId, String command) {
        ShellState state = store.updateShell(id(), sessionId, current -> current.orElseGet(() -> ShellState.fresh(sessionId, record.workdir(),
                Map.of(), Instant.now())));
        if (state.env().isEmpty()) {
            // A background command needs the shell's environment: a shell that never ran a command gets one first.
            execStateful("true", sessionId, Duration.ofMinutes(1));
        }
        String execution = runOnce(command, List.of("--kind", "background", "--shell", sessionId));
        long pid = pidOf(execution);
        Instant now = Instant.now();
        ShellState after = store.updateShell(id(), sessionId, current -> {
            ShellState s = current.orElseThrow();
            List<ShellState.Background> bg = new ArrayList<>(s.backgroundProcesses());
            bg.add(new ShellState.Background(pid, command, now, "", execution, true));
            return s.withBackground(bg, now);
        });
        return new ExecResult(0, "", "", after.cwd(), sessionId, OptionalLong.of(pid), false, Duration.ZERO, 0, 0);
    }

    /** The pid a once-mode background execution is known by: stable, positive, from its name. */
    static long pidOf(String execution) {
        return (CloudRunJobManager.shortName(execution).hashCode() & 0x7fffffffL) + 100_000L;
    }

    @Override
    public ShellView exec(String sessionId, Optional<String> execDir, String command) {
        SessionIds.requireValid(sessionId);
        Optional<String> dir = execDir.map(files::resolve);
        if (!once()) {
            Request r = Request.of(Op.START, sessionId).withCommand(command, Duration.ZERO);
            return toWorker(dir.map(r::withDir).orElse(r), START_ALLOWANCE).view().toView();
        }
        requireNoInteractive(sessionId);
        List<String> args = new ArrayList<>(List.of("--kind", "interactive", "--shell", sessionId));
        dir.ifPresent(d -> args.addAll(List.of("--dir", d)));
        String execution = runOnce(command, args);
        interactive.put(sessionId, execution);
        return new ShellView(sessionId, command, "", true, OptionalInt.empty());
    }

    @Override
    public ShellView viewShell(String sessionId) {
        return interactiveCall(Request.of(Op.VIEW, SessionIds.requireValid(sessionId)), Duration.ZERO).view().toView();
    }

    @Override
    public ShellView waitForProcess(String sessionId, Duration timeout) {
        Sandbox.requireCommandTimeout(timeout);
        return interactiveCall(Request.of(Op.WAIT, SessionIds.requireValid(sessionId)).withTimeout(timeout), timeout).view().toView();
    }

    @Override
    public void writeToProcess(String sessionId, String input, boolean pressEnter) {
        interactiveCall(Request.of(Op.INPUT, SessionIds.requireValid(sessionId)).withInput(pressEnter ? input + "\n" : input), Duration.ZERO);
    }

    @Override
    public ShellView killProcess(String sessionId) {
        return interactiveCall(Request.of(Op.KILL, SessionIds.requireValid(sessionId)), Duration.ofSeconds(10)).view().toView();
    }

    /** Sends a request about the interactive command: to the session worker, or to the once-mode execution running it. */
    private Response interactiveCall(Request request, Duration wait) {
        if (!once()) {
            return toWorker(request, wait.plus(START_ALLOWANCE));
        }
        String execution = interactive.get(request.session());
        if (execution == null) {
            throw new SandboxNotFoundException("session " + request.session() + " has no command started with exec in this client");
        }
        String shortName = CloudRunJobManager.shortName(execution);
        Optional<Response> finished = finishedInteractive(shortName);
        if (finished.isPresent()) {
            if (request.op() == Op.INPUT) {
                throw new SandboxNotFoundException("no command is running in session " + request.session() + "; it ended");
            }
            return finished.get();
        }
        Mailbox mailbox = new Mailbox(store, SessionStateStore.executionPrefix(id(), shortName));
        try {
            Response r = mailbox.call(request, wait.plus(START_ALLOWANCE), () -> !CloudRunJobManager.isDone(jobs.get(execution)),
                    q -> backend.credentials().seal(id(), mailbox.prefix(), execution, q)).orThrow();
            if (r.view() != null && !r.view().running()) {
                interactiveEnded.add(execution);
            }
            return r;
        } catch (Mailbox.WorkerGoneException gone) {
            return finishedInteractive(shortName).orElseThrow(() -> new SandboxUnavailableException("the execution running session "
                    + request.session() + "'s command ended without a result; see its logs in Cloud Logging", gone));
        }
    }

    private Optional<Response> finishedInteractive(String shortName) {
        return store.read(SessionStateStore.resultObject(id(), shortName), Response.class).map(SessionStateStore.Versioned::value);
    }

    private void requireNoInteractive(String sessionId) {
        String execution = interactive.get(sessionId);
        if (execution == null || interactiveEnded.contains(execution)) {
            return;
        }
        Optional<Response> finished = finishedInteractive(CloudRunJobManager.shortName(execution));
        if (finished.isEmpty() && !CloudRunJobManager.isDone(jobs.get(execution))) {
            throw new SandboxConflictException("session " + sessionId + " is still running \"" + abbreviate(commandOf(execution, sessionId))
                    + "\"; wait for it or kill it first");
        }
    }

    private String commandOf(String execution, String sessionId) {
        try {
            return viewShell(sessionId).command();
        } catch (SandboxException e) {
            return execution;
        }
    }

    // ---- the session worker ------------------------------------------------------------------------------

    private Response toWorker(Request request, Duration timeout) {
        for (int attempt = 1; ; attempt++) {
            String execution = ensureWorker();
            try {
                return sessionMailbox.call(request, timeout, () -> workerAlive(execution),
                        q -> backend.credentials().seal(id(), sessionMailbox.prefix(), execution, q)).orThrow();
            } catch (Mailbox.WorkerGoneException gone) {
                // It idled out as the request came; a request nobody claimed was withdrawn, so send it to a new one.
                // One it claimed is never sent again: running a command twice is worse than reporting it lost.
                workerExecution = null;
                if (gone.claimed() || attempt >= 3) {
                    throw gone;
                }
            }
        }
    }

    private boolean workerAlive(String execution) {
        return !CloudRunJobManager.isDone(jobs.get(execution));
    }

    private Optional<String> currentWorker() {
        return currentWorkerRecord().map(SessionStateStore.Versioned::value);
    }

    /** The execution named in {@code worker.json}, with the record's generation. */
    private Optional<SessionStateStore.Versioned<String>> currentWorkerRecord() {
        return store.read(SessionStateStore.workerObject(id()), WorkerRecordView.class)
                .map(v -> new SessionStateStore.Versioned<>(fullExecutionName(v.value().execution()), v.generation()));
    }

    private String fullExecutionName(String execution) {
        return execution.contains("/") ? execution : backend.job() + "/executions/" + execution;
    }

    /** The worker's record as clients read it (the executor writes it). */
    record WorkerRecordView(String execution, Instant startedAt, Instant heartbeatAt) {
    }

    /** The live worker's execution, starting one when there is none. */
    private synchronized String ensureWorker() {
        String known = workerExecution;
        if (known != null) {
            return known;
        }
        Optional<SessionStateStore.Versioned<String>> current = currentWorkerRecord();
        if (current.isPresent()) {
            if (workerAlive(current.get().value())) {
                workerExecution = current.get().value();
                return workerExecution;
            }
            // A worker that crashed leaves its record behind, with a heartbeat fresh enough that a new worker would
            // defer to it; Cloud Run says it ended, so the record goes (unless a new worker replaced it meanwhile).
            store.deleteIfGeneration(SessionStateStore.workerObject(id()), current.get().generation());
        }
        // Repeatable: a second worker of the same sandbox finds the first one live and exits by itself.
        // The worker's token and mailbox key travel in the overrides: only the control plane can read an execution.
        Map<String, String> env = new java.util.HashMap<>(backend.credentials().executionEnv(id()));
        env.put("SESSION_ID", id());
        env.put("SANDBOX_MODE", "session");
        env.put("SANDBOX_IDLE_TIMEOUT", backend.settings().idleTimeout().toMillis() + "ms");
        String execution = jobs.runRepeatable(backend.job(), List.of(), env);
        long deadline = System.nanoTime() + START_ALLOWANCE.toNanos();
        long sleep = 5;
        while (System.nanoTime() < deadline) {
            Optional<String> ready = currentWorker();
            if (ready.isPresent() && CloudRunJobManager.shortName(ready.get()).equals(CloudRunJobManager.shortName(execution))) {
                workerExecution = ready.get();
                return workerExecution;
            }
            if (ready.isPresent() && workerAlive(ready.get())) {
                // another client's worker won the race; ours exits by itself
                workerExecution = ready.get();
                return workerExecution;
            }
            if (sleep > 50 && CloudRunJobManager.isDone(jobs.get(execution))) {
                throw new SandboxUnavailableException("the session worker " + CloudRunJobManager.shortName(execution)
                        + " ended before it was ready; see its logs in Cloud Logging");
            }
            InterruptibleSleep.sleepMillis(sleep, "the session worker");
            sleep = Math.min(100, sleep * 2);
        }
        jobs.cancel(execution);
        throw new SandboxUnavailableException("the session worker of sandbox " + id() + " did not become ready within "
                + START_ALLOWANCE.toSeconds() + " s; it was cancelled");
    }

    private boolean workerLive() {
        String known = workerExecution;
        if (known != null && workerAlive(known)) {
            return true;
        }
        Optional<String> current = currentWorker();
        return current.isPresent() && workerAlive(current.get());
    }

    // ---- background processes ----------------------------------------------------------------------------

    @Override
    public List<BackgroundProcess> listBackgroundProcesses(Optional<String> sessionId) {
        sessionId.ifPresent(SessionIds::requireValid);
        List<BackgroundProcess> out = new ArrayList<>();
        if (!once() && workerLive()) {
            for (ShellState.Background b : toWorker(new Request(WorkerProtocol.newId(), Op.BG_LIST, sessionId.orElse(null), null, 0, null,
                    null, null, 0, 0), START_ALLOWANCE).background()) {
                out.add(toApi(b, owner(b.pid()).orElse(sessionId.orElse("")), b.running()));
            }
            return out;
        }
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

    private Optional<String> owner(long pid) {
        return store.listShells(id()).stream().filter(s -> s.backgroundProcesses().stream().anyMatch(b -> b.pid() == pid))
                .map(ShellState::sessionId).findFirst();
    }

    private static BackgroundProcess toApi(ShellState.Background b, String sessionId, boolean running) {
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
        if (!once()) {
            return KillResult.of(toWorker(new Request(WorkerProtocol.newId(), Op.BG_KILL, null, null, 0, null, null, running, 0, 0),
                    START_ALLOWANCE).killed());
        }
        List<Long> killed = new ArrayList<>();
        for (ShellState s : store.listShells(id())) {
            for (ShellState.Background b : s.backgroundProcesses()) {
                if (running.contains(b.pid()) && b.execution() != null) {
                    jobs.cancel(b.execution());
                    killed.add(b.pid());
                }
            }
        }
        return KillResult.of(killed);
    }

    @Override
    public String backgroundLogs(long pid, int maxBytes) {
        Optional<ShellState.Background> known = store.listShells(id()).stream().flatMap(s -> s.backgroundProcesses().stream())
                .filter(b -> b.pid() == pid).findFirst();
        if (!once()) {
            if (workerLive()) {
                return toWorker(new Request(WorkerProtocol.newId(), Op.BG_LOGS, null, null, 0, null, null, null, pid, maxBytes), START_ALLOWANCE).logs();
            }
            ShellState.Background b = known.orElseThrow(() -> new SandboxNotFoundException(
                    "no background process with pid " + pid + " was started in sandbox " + id()));
            return tail(files.read(b.logFile(), LineRange.all()), maxBytes);
        }
        ShellState.Background b = known.orElseThrow(() -> new SandboxNotFoundException(
                "no background process with pid " + pid + " was started in sandbox " + id()));
        return tail(cloudLogs(b.execution()), maxBytes);
    }

    /** What an execution printed, from Cloud Logging, without the executor's own JSON events. */
    private String cloudLogs(String execution) {
        LoggingClient logging = backend.clients().logging();
        String filter = "resource.type=\"cloud_run_job\" AND labels.\"run.googleapis.com/execution_name\"=\""
                + CloudRunJobManager.shortName(execution) + "\"";
        StringBuilder out = new StringBuilder();
        ListLogEntriesRequest request = ListLogEntriesRequest.newBuilder()
                .addResourceNames("projects/" + backend.clients().target().projectId()).setFilter(filter).setOrderBy("timestamp asc").build();
        for (LogEntry e : store.retryPolicy().call("reading the logs of " + execution, RetryPolicy.Idempotency.IDEMPOTENT,
                () -> logging.listLogEntries(request)).iterateAll()) {
            if (e.hasJsonPayload() && e.getJsonPayload().containsFields("event") && e.getJsonPayload().containsFields("execution_id")) {
                continue;
            }
            if (e.hasJsonPayload()) {
                out.append(json(com.google.protobuf.Value.newBuilder().setStructValue(e.getJsonPayload()).build()));
            } else {
                out.append(e.getTextPayload());
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** A JSON line the command printed, which Cloud Logging stored as a structure, written back as JSON. */
    private static String json(com.google.protobuf.Value v) {
        return switch (v.getKindCase()) {
            case NULL_VALUE, KIND_NOT_SET -> "null";
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            case NUMBER_VALUE -> v.getNumberValue() == Math.rint(v.getNumberValue()) && Math.abs(v.getNumberValue()) < 1e15
                    ? Long.toString((long) v.getNumberValue()) : Double.toString(v.getNumberValue());
            case STRING_VALUE -> quote(v.getStringValue());
            case LIST_VALUE -> v.getListValue().getValuesList().stream().map(CloudRunJobsSandbox::json)
                    .collect(java.util.stream.Collectors.joining(",", "[", "]"));
            case STRUCT_VALUE -> v.getStructValue().getFieldsMap().entrySet().stream().map(f -> quote(f.getKey()) + ":" + json(f.getValue()))
                    .collect(java.util.stream.Collectors.joining(",", "{", "}"));
        };
    }

    private static String quote(String s) {
        try {
            return SessionStateStore.objectMapper().writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String tail(String text, int maxBytes) {
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
        if (!once() && workerLive()) {
            toWorker(Request.of(Op.CLOSE_SESSION, sessionId), START_ALLOWANCE);
        }
        for (ShellState.Background b : s.backgroundProcesses()) {
            if (b.execution() != null) {
                jobs.cancel(b.execution());
            }
        }
        String running = interactive.remove(sessionId);
        if (running != null) {
            jobs.cancel(running);
        }
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
