package io.sandboxops.core.cloudrun;

import io.sandboxops.core.api.TerminalSize;
import io.sandboxops.core.api.Terminal;
import io.sandboxops.core.api.BackgroundProcess;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.api.ShellView;
import io.sandboxops.core.cloudrun.WorkerProtocol.Op;
import io.sandboxops.core.cloudrun.WorkerProtocol.Request;
import io.sandboxops.core.cloudrun.WorkerProtocol.Response;
import io.sandboxops.core.state.SessionStateStore;
import io.sandboxops.core.state.ShellState;
import io.sandboxops.core.util.InterruptibleSleep;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code session} mode: one long-lived worker execution per sandbox takes requests from the sandbox's mailbox; the
 * first command starts it, it exits on its own after an idle timeout. Thread-safe.
 */
final class SessionMode implements CloudRunMode {
    private static final Duration START_ALLOWANCE = CloudRunJobsSandbox.START_ALLOWANCE;

    private final CloudRunSandboxParts parts;
    private final SessionStateStore store;
    private final CloudRunJobManager jobs;
    private final Mailbox sessionMailbox;
    private volatile String workerExecution;

    /**
     * The sandbox as this client created it, while no worker can be serving it yet (it sent it nothing): the first request
     * need not look for a {@code worker.json} first, and a pooled worker is handed the record and manifest instead of
     * reading them (Storage round trips on a new session's first command). Null once anything was sent, or for a sandbox
     * opened.
     */
    private PoolProtocol.Known unserved;

    /** @param created made just now by this client, as written; null for a sandbox opened */
    SessionMode(CloudRunSandboxParts parts, PoolProtocol.Known created) {
        this.unserved = created;
        this.parts = parts;
        this.store = parts.store();
        this.jobs = parts.jobs();
        this.sessionMailbox = new Mailbox(store, SessionStateStore.sandboxPrefix(parts.id()));
    }

    private String id() {
        return parts.id();
    }

    // ---- commands ----------------------------------------------------------------------------------------

    @Override
    public ExecResult execStateful(String command, String sessionId, Duration timeout) {
        return toWorker(Request.of(Op.EXEC, sessionId).withCommand(command, timeout), timeout.plus(START_ALLOWANCE)).exec().toResult();
    }

    @Override
    public ShellView exec(String sessionId, Optional<String> dir, String command) {
        Request r = Request.of(Op.START, sessionId).withCommand(command, Duration.ZERO);
        return toWorker(dir.map(r::withDir).orElse(r), START_ALLOWANCE).view().toView();
    }

    @Override
    public Response interactiveCall(Request request, Duration wait) {
        return toWorker(request, wait.plus(START_ALLOWANCE));
    }

    // ---- the session worker ------------------------------------------------------------------------------

    private Response toWorker(Request request, Duration timeout) {
        for (int attempt = 1; ; attempt++) {
            Worker w = ensureWorker(Optional.of(request));
            String execution = w.execution();
            try {
                if (w.carried()) {
                    return sessionMailbox.await(request, 0, timeout, () -> workerAlive(execution), r -> true, 25).orThrow();
                }
                return sessionMailbox.call(request, timeout, () -> workerAlive(execution),
                        q -> parts.backend().credentials().seal(id(), sessionMailbox.prefix(), execution, q)).orThrow();
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
        return execution.contains("/") ? execution : parts.backend().job() + "/executions/" + execution;
    }

    /** The worker's record as clients read it (the executor writes it). */
    record WorkerRecordView(String execution, Instant startedAt, Instant heartbeatAt) {
    }

    /** The worker a request goes to; {@code carried} when the request already went with the claim of a pooled worker. */
    private record Worker(String execution, boolean carried) {
    }

    /** The live worker's execution, starting one when there is none. */
    private String ensureWorker() {
        return ensureWorker(Optional.empty()).execution();
    }

    /**
     * The live worker's execution, claiming a pooled one or starting one when there is none; a pooled worker takes
     * {@code first} with its claim.
     */
    private synchronized Worker ensureWorker(Optional<Request> first) {
        String known = workerExecution;
        if (known != null) {
            return new Worker(known, false);
        }
        PoolProtocol.Known created = unserved;
        Optional<SessionStateStore.Versioned<String>> current = created != null ? Optional.empty() : currentWorkerRecord();
        unserved = null;
        if (current.isPresent()) {
            if (workerAlive(current.get().value())) {
                workerExecution = current.get().value();
                return new Worker(workerExecution, false);
            }
            // A worker that crashed leaves its record behind, with a heartbeat fresh enough that a new worker would
            // defer to it; Cloud Run says it ended, so the record goes (unless a new worker replaced it meanwhile).
            store.deleteIfGeneration(SessionStateStore.workerObject(id()), current.get().generation());
        }
        // A pooled worker, claimed with this sandbox's credentials, is ready now: the first request goes straight to its
        // mailbox (it writes worker.json for later clients before it reads the inbox).
        Optional<String> pooled = parts.backend().pool().claim(id(),
                execution -> first.map(q -> parts.backend().credentials().seal(id(), sessionMailbox.prefix(), execution, q)).orElse(null),
                created);
        if (pooled.isPresent()) {
            workerExecution = pooled.get();
            return new Worker(workerExecution, first.isPresent());
        }
        // Repeatable: a second worker of the same sandbox finds the first one live and exits by itself.
        // The worker's token and mailbox key travel in the overrides: only the control plane can read an execution.
        Map<String, String> env = new java.util.HashMap<>(parts.backend().credentials().executionEnv(id()));
        env.put("SESSION_ID", id());
        env.put("SANDBOX_MODE", "session");
        env.put("SANDBOX_IDLE_TIMEOUT", parts.backend().settings().idleTimeout().toMillis() + "ms");
        String execution = jobs.runRepeatable(parts.backend().job(), List.of(), env);
        long deadline = System.nanoTime() + START_ALLOWANCE.toNanos();
        long sleep = 5;
        while (System.nanoTime() < deadline) {
            Optional<String> ready = currentWorker();
            if (ready.isPresent() && CloudRunJobManager.shortName(ready.get()).equals(CloudRunJobManager.shortName(execution))) {
                workerExecution = ready.get();
                return new Worker(workerExecution, false);
            }
            if (ready.isPresent() && workerAlive(ready.get())) {
                // another client's worker won the race; ours exits by itself
                workerExecution = ready.get();
                return new Worker(workerExecution, false);
            }
            if (sleep > 50 && CloudRunJobManager.isDone(jobs.get(execution))) {
                if (store.readSandbox(id()).isEmpty()) {
                    // Destroyed (by another client, say): the worker found nothing to serve.
                    throw new SandboxNotFoundException("sandbox " + id() + " no longer exists (its state is gone from bucket " + store.bucket() + ")");
                }
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

    /** The live worker's list, when a worker runs: it knows which of its processes still run. */
    @Override
    public Optional<List<BackgroundProcess>> liveBackgroundProcesses(Optional<String> sessionId) {
        if (!workerLive()) {
            return Optional.empty();
        }
        List<BackgroundProcess> out = new ArrayList<>();
        for (ShellState.Background b : toWorker(new Request(WorkerProtocol.newId(), Op.BG_LIST, sessionId.orElse(null), null, 0, null,
                null, null, 0, 0), START_ALLOWANCE).background()) {
            out.add(CloudRunJobsSandbox.toApi(b, owner(b.pid()).orElse(sessionId.orElse("")), b.running()));
        }
        return Optional.of(out);
    }

    private Optional<String> owner(long pid) {
        return store.listShells(id()).stream().filter(s -> s.backgroundProcesses().stream().anyMatch(b -> b.pid() == pid))
                .map(ShellState::sessionId).findFirst();
    }

    @Override
    public List<Long> killBackgroundProcesses(List<Long> pids) {
        return toWorker(new Request(WorkerProtocol.newId(), Op.BG_KILL, null, null, 0, null, null, pids, 0, 0), START_ALLOWANCE).killed();
    }

    /** From the live worker, else from the log file the worker left in the bucket. */
    @Override
    public String backgroundLogs(long pid, int maxBytes, Optional<ShellState.Background> known) {
        if (workerLive()) {
            return toWorker(new Request(WorkerProtocol.newId(), Op.BG_LOGS, null, null, 0, null, null, null, pid, maxBytes), START_ALLOWANCE).logs();
        }
        ShellState.Background b = known.orElseThrow(() -> new SandboxNotFoundException(
                "no background process with pid " + pid + " was started in sandbox " + id()));
        return CloudRunJobsSandbox.tail(parts.files().read(b.logFile(), LineRange.all()), maxBytes);
    }

    // ---- lifecycle ---------------------------------------------------------------------------------------

    @Override
    public List<String> runningExecutions() {
        return currentWorker().map(List::of).orElse(List.of());
    }

    /** The live worker ends the shell; with no worker running there is nothing to end. */
    @Override
    public void closeSession(String sessionId) {
        if (workerLive()) {
            toWorker(Request.of(Op.CLOSE_SESSION, sessionId), START_ALLOWANCE);
        }
    }

    /**
     * The live worker runs the terminal (starting a worker when none runs) and every later call of the terminal goes to
     * that execution only: should it end, so does the terminal, and no new worker is started for it.
     */
    @Override
    public Terminal openTerminal(String sessionId, TerminalSize size) {
        MailboxKey key = parts.backend().credentials().mailboxKey(id());
        String terminal = WorkerProtocol.TerminalRequest.newTerminalId();
        WorkerProtocol.TerminalRequest open = new WorkerProtocol.TerminalRequest(terminal, 0, size.columns(), size.rows(), null);
        for (int attempt = 1; ; attempt++) {
            String execution = ensureWorker();
            CloudRunTerminal.Channel channel = (request, timeout, genuine) -> sessionMailbox.call(request, timeout, () -> workerAlive(execution),
                    q -> parts.backend().credentials().seal(id(), sessionMailbox.prefix(), execution, q), genuine, CloudRunTerminal.POLL_MILLIS);
            try {
                CloudRunTerminal t = new CloudRunTerminal(id(), sessionId, terminal, size, channel, key);
                channel.call(Request.terminal(Op.TERMINAL_OPEN, sessionId, open), START_ALLOWANCE, t::genuine).orThrow();
                t.start();
                return t;
            } catch (Mailbox.WorkerGoneException gone) {
                workerExecution = null;
                if (gone.claimed() || attempt >= 3) {
                    throw gone;
                }
            }
        }
    }
}
