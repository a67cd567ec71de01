package io.sandboxops.core.cloudrun;

import io.sandboxops.core.api.SandboxUnsupportedException;
import io.sandboxops.core.api.TerminalSize;
import io.sandboxops.core.api.Terminal;
import com.google.cloud.logging.v2.LoggingClient;
import com.google.cloud.run.v2.Execution;
import com.google.logging.v2.ListLogEntriesRequest;
import com.google.logging.v2.LogEntry;
import io.sandboxops.core.api.BackgroundProcess;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.SandboxConflictException;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.api.ShellView;
import io.sandboxops.core.cloudrun.WorkerProtocol.Op;
import io.sandboxops.core.cloudrun.WorkerProtocol.Request;
import io.sandboxops.core.cloudrun.WorkerProtocol.Response;
import io.sandboxops.core.shell.ShellSession;
import io.sandboxops.core.state.RetryPolicy;
import io.sandboxops.core.state.SessionStateStore;
import io.sandboxops.core.state.ShellState;
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
 * {@code once} mode: one execution per command. A background command is an execution of its own (its pid stands for
 * the execution; kill cancels it; its output is read from Cloud Logging); an interactive command ({@link #exec}) gets
 * its input through the execution's own mailbox. Thread-safe.
 */
final class OnceMode implements CloudRunMode {
    private final CloudRunSandboxParts parts;
    private final SessionStateStore store;
    private final CloudRunJobManager jobs;
    /** The execution running each shell's interactive command, and the last one that ran. */
    private final ConcurrentMap<String, String> interactive = new ConcurrentHashMap<>();
    /**
     * Executions whose interactive command this client saw end (a view said it no longer runs). The execution itself
     * lingers a moment to write its result; its state was saved before that view was answered, so the session may take
     * its next command at once.
     */
    private final Set<String> interactiveEnded = ConcurrentHashMap.newKeySet();

    OnceMode(CloudRunSandboxParts parts) {
        this.parts = parts;
        this.store = parts.store();
        this.jobs = parts.jobs();
    }

    private String id() {
        return parts.id();
    }

    // ---- commands ----------------------------------------------------------------------------------------

    @Override
    public ExecResult execStateful(String command, String sessionId, Duration timeout) {
        requireNoInteractive(sessionId);
        Optional<String> background = ShellSession.backgroundPart(command);
        if (background.isPresent()) {
            return startBackground(sessionId, background.get());
        }
        String execution = runOnce(command, List.of("--kind", "foreground", "--shell", sessionId, "--timeout", timeout.toMillis() + "ms"));
        return onceResult(execution, timeout.plus(CloudRunJobsSandbox.START_ALLOWANCE)).orThrow().exec().toResult();
    }

    /**
     * Starts one execution of {@code command}. The command goes through the bucket, never in the arguments: Cloud Run
     * shows an execution's arguments to every viewer, and a command may carry a secret.
     */
    private String runOnce(String command, List<String> args) {
        String object = SessionStateStore.commandObject(id(), UUID.randomUUID().toString());
        store.write(object, new WorkerProtocol.CommandText(command), 0);
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--command-object", object));
        try {
            Map<String, String> env = new java.util.HashMap<>(parts.backend().credentials().executionEnv(id()));
            env.put("SESSION_ID", id());
            env.put("SANDBOX_MODE", "once");
            return jobs.run(parts.backend().job(), all, env);
        } catch (RuntimeException e) {
            try {
                store.delete(object);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** Waits for an execution and reads its result; a crashed executor is a clear error. */
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
        ShellState state = store.updateShell(id(), sessionId, current -> current.orElseGet(() -> ShellState.fresh(sessionId,
                parts.sandboxRecord().workdir(), Map.of(), Instant.now())));
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

    /** The pid a background execution is known by: stable, positive, from its name. */
    static long pidOf(String execution) {
        return (CloudRunJobManager.shortName(execution).hashCode() & 0x7fffffffL) + 100_000L;
    }

    @Override
    public ShellView exec(String sessionId, Optional<String> dir, String command) {
        requireNoInteractive(sessionId);
        List<String> args = new ArrayList<>(List.of("--kind", "interactive", "--shell", sessionId));
        dir.ifPresent(d -> args.addAll(List.of("--dir", d)));
        String execution = runOnce(command, args);
        interactive.put(sessionId, execution);
        return new ShellView(sessionId, command, "", true, OptionalInt.empty());
    }

    /** Sends a request about the interactive command to the execution running it, or answers from its result. */
    @Override
    public Response interactiveCall(Request request, Duration wait) {
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
            Response r = mailbox.call(request, wait.plus(CloudRunJobsSandbox.START_ALLOWANCE), () -> !CloudRunJobManager.isDone(jobs.get(execution)),
                    q -> parts.backend().credentials().seal(id(), mailbox.prefix(), execution, q)).orThrow();
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
            throw new SandboxConflictException("session " + sessionId + " is still running \""
                    + CloudRunJobsSandbox.abbreviate(commandOf(execution, sessionId)) + "\"; wait for it or kill it first");
        }
    }

    private String commandOf(String execution, String sessionId) {
        try {
            return interactiveCall(Request.of(Op.VIEW, sessionId), Duration.ZERO).view().toView().command();
        } catch (SandboxException e) {
            return execution;
        }
    }

    // ---- background processes ----------------------------------------------------------------------------

    /** Always empty: each background process is an execution of its own, recorded in the bucket. */
    @Override
    public Optional<List<BackgroundProcess>> liveBackgroundProcesses(Optional<String> sessionId) {
        return Optional.empty();
    }

    @Override
    public List<Long> killBackgroundProcesses(List<Long> pids) {
        List<Long> killed = new ArrayList<>();
        for (ShellState s : store.listShells(id())) {
            for (ShellState.Background b : s.backgroundProcesses()) {
                if (pids.contains(b.pid()) && b.execution() != null) {
                    jobs.cancel(b.execution());
                    killed.add(b.pid());
                }
            }
        }
        return killed;
    }

    @Override
    public String backgroundLogs(long pid, int maxBytes, Optional<ShellState.Background> known) {
        ShellState.Background b = known.orElseThrow(() -> new SandboxNotFoundException(
                "no background process with pid " + pid + " was started in sandbox " + id()));
        return CloudRunJobsSandbox.tail(cloudLogs(b.execution()), maxBytes);
    }

    /** What an execution printed, from Cloud Logging, without the executor's own JSON events. */
    private String cloudLogs(String execution) {
        LoggingClient logging = parts.backend().clients().logging();
        String filter = "resource.type=\"cloud_run_job\" AND labels.\"run.googleapis.com/execution_name\"=\""
                + CloudRunJobManager.shortName(execution) + "\"";
        StringBuilder out = new StringBuilder();
        ListLogEntriesRequest request = ListLogEntriesRequest.newBuilder()
                .addResourceNames("projects/" + parts.backend().clients().target().projectId()).setFilter(filter).setOrderBy("timestamp asc").build();
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
            case LIST_VALUE -> v.getListValue().getValuesList().stream().map(OnceMode::json)
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

    // ---- lifecycle ---------------------------------------------------------------------------------------

    @Override
    public List<String> runningExecutions() {
        return List.copyOf(interactive.values());
    }

    /** Cancels the session's interactive command, if it has one running. */
    @Override
    public void closeSession(String sessionId) {
        String running = interactive.remove(sessionId);
        if (running != null) {
            jobs.cancel(running);
        }
    }

    @Override
    public Terminal openTerminal(String sessionId, TerminalSize size) {
        throw new SandboxUnsupportedException("a terminal is not available in once mode: each command is its own execution, and "
                + "nothing stays running between them to hold a terminal; create the sandbox in session mode (--mode session) "
                + "or use exec");
    }
}
