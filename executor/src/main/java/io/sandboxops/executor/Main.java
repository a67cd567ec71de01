package io.sandboxops.executor;

import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.cloudrun.CloudRunSettings;
import io.sandboxops.core.cloudrun.Mailbox;
import io.sandboxops.core.cloudrun.MailboxKey;
import io.sandboxops.core.cloudrun.PoolProtocol;
import io.sandboxops.core.cloudrun.WorkerProtocol;
import io.sandboxops.core.shell.RunningCommand;
import io.sandboxops.core.state.FileManifest;
import io.sandboxops.core.state.RetryPolicy;
import io.sandboxops.core.state.SessionStateStore;
import io.sandboxops.core.state.ShellState;
import io.sandboxops.core.util.InterruptibleSleep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The program inside the Cloud Run Jobs container (DESIGN §5). In {@code once} mode it runs one command and
 * writes {@code executions/{id}/result.json}; in {@code session} mode it is the sandbox's worker, answering its
 * mailbox until it has been idle for {@code SANDBOX_IDLE_TIMEOUT} with no background process running. Either
 * way it restores the sandbox's files first and leaves them, and the shells' state, in the bucket.
 */
public final class Main {
    /** Exit statuses, distinct so that an execution's failure says what kind it was. */
    public static final int EXIT_OK = 0;
    /** A setting is missing (sysexits' EX_USAGE). */
    public static final int EXIT_CONFIG_MISSING = 64;
    public static final int EXIT_STATE = 65;
    public static final int EXIT_INTERNAL = 70;
    /** A setting has a value that cannot be used (sysexits' EX_CONFIG). */
    public static final int EXIT_CONFIG_INVALID = 78;

    private static final Duration HEARTBEAT = Duration.ofSeconds(10);
    /** The start-up's reads and writes made beside each other; daemons, gone when idle. */
    private static final ExecutorService STARTING = Executors.newCachedThreadPool(daemon("starting"));
    /**
     * How long before its storage token ends a session worker with no fresher one leaves: time to answer what is in
     * flight, save the files and exit while the token still works. The next command starts a new execution, which the
     * control plane gives a new token.
     */
    static final Duration TOKEN_MARGIN = Duration.ofMinutes(3);

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), Arrays.asList(args)));
    }

    static int run(Map<String, String> env, List<String> args) {
        long started = System.nanoTime();
        ExecutorConfig config;
        MailboxKey.Envelope carried = null;
        PoolWait.Claimed claim = null;
        try {
            if (env.containsKey(PoolProtocol.ENV_WORKER)) {
                // A warm-pool worker: it waits for a claim, then starts as the claimed sandbox's session worker.
                Optional<PoolWait.Claimed> claimed = PoolWait.await(env);
                if (claimed.isEmpty()) {
                    return EXIT_OK;
                }
                claim = claimed.get();
                env = claim.env();
                carried = claim.first();
            }
            config = ExecutorConfig.parse(env, args);
        } catch (ExecutorConfig.ConfigException e) {
            if (claim != null) {
                try {
                    claim.storage().close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            // One line, so that the execution's log shows the whole reason where Cloud Run lists the failure.
            System.err.println("executor: configuration error: " + e.getMessage().replace('\n', ' '));
            return e.isMissing() ? EXIT_CONFIG_MISSING : EXIT_CONFIG_INVALID;
        }
        JsonLog log = new JsonLog(System.out, config.executionId(), config.sandboxId());
        log.info("start", "mode", config.mode().wire(), "kind", config.kind().name().toLowerCase(java.util.Locale.ROOT),
                "jvm_start_ms", sinceProcessStart());
        // A claimed pool worker goes on with the client it waited with, already switched to the sandbox's token.
        WorkerCredentials credentials = claim != null ? claim.credentials() : new WorkerCredentials(config.token());
        try (Storage storage = claim != null ? claim.storage() : storage(config, credentials)) {
            SessionStateStore store = new SessionStateStore(storage, config.bucket(), RetryPolicy.defaults());
            // The sandbox's record and its manifest need nothing of each other: read side by side. A session worker's
            // worker.json is written once the record is read (never for a sandbox that is gone, or clients would send
            // to it), beside the restore. A claim from the client that just created the sandbox hands both over instead:
            // then the manifest's generation is checked beside the first shell's start, and worker.json written after it.
            ExecutorConfig c = config;
            PoolProtocol.Known known = claim == null ? null : claim.known();
            CompletableFuture<SessionStateStore.Versioned<FileManifest>> manifest = known != null
                    ? CompletableFuture.completedFuture(new SessionStateStore.Versioned<>(known.manifest(), known.manifestGeneration()))
                    : CompletableFuture.supplyAsync(() -> store.readManifest(c.sandboxId()), STARTING);
            // A warm-pool claim's first request, checked now: its shell's state is read beside the other start-up reads.
            SignedInbox inbox = config.mode() == CloudRunSettings.Mode.SESSION
                    ? new SignedInbox(store, new Mailbox(store, SessionStateStore.sandboxPrefix(config.sandboxId())), config, credentials, log)
                    : null;
            Optional<SignedInbox.Carried> first = carried == null || inbox == null ? Optional.empty() : inbox.openCarried(carried);
            Optional<String> firstShell = first.filter(f -> Worker.pullsFirst(f.request().op())).map(f -> f.request().session());
            CompletableFuture<Optional<SessionStateStore.Versioned<ShellState>>> firstState = firstShell
                    .map(shell -> CompletableFuture.supplyAsync(() -> store.readShell(c.sandboxId(), shell), STARTING)).orElse(null);
            CompletableFuture<Optional<Announced>> announced = null;
            CompletableFuture<Void> firstPulled = CompletableFuture.completedFuture(null);
            Worker worker;
            try {
                worker = new Worker(config, store, log, known == null ? null : known.sandbox());
                if (known == null && config.mode() == CloudRunSettings.Mode.SESSION) {
                    announced = CompletableFuture.supplyAsync(() -> announce(c, store, log), STARTING);
                }
                long t = System.nanoTime();
                int entries = worker.restore(joined(manifest));
                log.info("restored", "entries", entries, "duration_ms", ms(t), "since_start_ms", ms(started), "handed_over", known != null);
                if (known != null) {
                    firstPulled = worker.checkRestored(known.manifestGeneration());
                    if (config.mode() == CloudRunSettings.Mode.SESSION) {
                        announced = firstPulled.thenApplyAsync(checked -> announce(c, store, log).orElse(null), STARTING)
                                .thenApply(Optional::ofNullable);
                    }
                }
                firstShell.ifPresent(shell -> worker.prepare(shell, firstState));
                // Saved once the sandbox is known to be there (a handed-over manifest is checked first): nothing is
                // uploaded for a sandbox destroyed meanwhile. The first request's pull waits for that check anyway.
                if (firstPulled.handle((checked, failed) -> failed == null).join()) {
                    worker.saveStartingFiles();
                }
            } catch (SandboxException e) {
                log.error("restore-failed", "error", e.getMessage());
                System.err.println("executor: cannot restore sandbox " + config.sandboxId() + ": " + e.getMessage());
                if (announced != null) {
                    // Clients would send to a worker that serves nothing: take the record back (if it was written).
                    CompletableFuture<Optional<Announced>> written = announced;
                    written.thenAccept(g -> g.ifPresent(a -> store.deleteIfGeneration(SessionStateStore.workerObject(c.sandboxId()), a.generation())))
                            .exceptionally(x -> null).join();
                }
                return EXIT_STATE;
            }
            if (config.commandObject() != null) {
                Optional<String> command = store.read(config.commandObject(), WorkerProtocol.CommandText.class)
                        .map(v -> v.value().command());
                if (command.isEmpty()) {
                    log.error("command-missing", "object", config.commandObject());
                    System.err.println("executor: the command object " + config.commandObject() + " is not in bucket " + config.bucket());
                    worker.close();
                    return EXIT_STATE;
                }
                store.delete(config.commandObject());
                config = config.withCommand(command.get());
            }
            try (worker) {
                int status = config.mode() == CloudRunSettings.Mode.ONCE ? once(config, store, worker, credentials, log)
                        : session(config, store, worker, credentials, log, inbox, first, firstPulled, announced);
                log.info("end", "status", status, "duration_ms", ms(started));
                return status;
            }
        } catch (RuntimeException e) {
            log.error("failed", "error", String.valueOf(e.getMessage()), "type", e.getClass().getName());
            e.printStackTrace();
            return EXIT_INTERNAL;
        } catch (Exception e) {
            log.error("failed", "error", String.valueOf(e.getMessage()), "type", e.getClass().getName());
            return EXIT_INTERNAL;
        }
    }

    /**
     * Cloud Storage with the sandbox's downscoped token as the only credential: its own {@code sessions/{id}/} objects
     * are all this client can reach, whatever runs in the container.
     */
    private static Storage storage(ExecutorConfig config, WorkerCredentials credentials) {
        StorageOptions.Builder b = StorageOptions.newBuilder().setProjectId(config.project()).setCredentials(credentials);
        if (config.storageHost() != null) {
            b.setHost(config.storageHost());
        }
        return b.build().getService();
    }

    // ---- once ----------------------------------------------------------------------------------------------

    private static int once(ExecutorConfig config, SessionStateStore store, Worker worker, WorkerCredentials credentials, JsonLog log) {
        String result = SessionStateStore.resultObject(config.sandboxId(), config.executionId());
        return switch (config.kind()) {
            case FOREGROUND -> {
                long t = System.nanoTime();
                ExecResult r = worker.exec(config.shell(), config.command(), config.timeout());
                log.info("command", "shell", config.shell(), "exit_code", r.exitCode(), "timed_out", r.timedOut(), "duration_ms", ms(t));
                store.write(result, WorkerProtocol.Response.ok(config.executionId()).withExec(WorkerProtocol.Exec.of(r)), 0);
                yield EXIT_OK;
            }
            case BACKGROUND -> background(config, store, worker, log);
            case INTERACTIVE -> interactive(config, store, worker, credentials, log, result);
        };
    }

    /**
     * A background command in once mode is this execution: its output goes to this process's stdout and stderr,
     * so to Cloud Logging; the execution ends when the command does.
     */
    private static int background(ExecutorConfig config, SessionStateStore store, Worker worker, JsonLog log) {
        ShellState state = store.readShell(config.sandboxId(), config.shell()).map(SessionStateStore.Versioned::value)
                .orElseThrow(() -> new SandboxException("shell " + config.shell() + " has no saved state to run a background command in"));
        ProcessBuilder pb = new ProcessBuilder("bash", "--noprofile", "--norc", "-c", config.command()).inheritIO();
        pb.environment().clear();
        pb.environment().putAll(state.env());
        Path cwd = config.fsRoot().resolve(state.cwd().isEmpty() ? "." : state.cwd().substring(1));
        if (Files.isDirectory(cwd)) {
            pb.directory(cwd.toFile());
        }
        try {
            Process p = pb.start();
            int status = p.waitFor();
            log.info("background-ended", "shell", config.shell(), "exit_code", status);
            worker.checkpoint();
            return status;
        } catch (IOException e) {
            throw new SandboxException("cannot start bash for the background command: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EXIT_INTERNAL;
        }
    }

    /** An interactive command: its input, views and kill come through this execution's own mailbox. */
    private static int interactive(ExecutorConfig config, SessionStateStore store, Worker worker, WorkerCredentials credentials, JsonLog log,
                                   String result) {
        worker.start(config.shell(), config.command(), Optional.ofNullable(config.dir()));
        SignedInbox inbox = new SignedInbox(store, new Mailbox(store, SessionStateStore.executionPrefix(config.sandboxId(), config.executionId())),
                config, credentials, log);
        RunningCommand c = worker.interactiveCommand(config.shell()).orElseThrow();
        ExecutorService pool = Executors.newCachedThreadPool(daemon());
        try {
            while (!c.isDone()) {
                inbox.serve(worker, pool);
                InterruptibleSleep.sleepMillis(20, "the interactive command");
            }
            worker.finishInteractive(config.shell());
            var view = worker.await(config.shell(), Duration.ZERO);
            store.write(result, WorkerProtocol.Response.ok(config.executionId()).withView(WorkerProtocol.View.of(view)), 0);
            // Requests that came while it ended get their answer too.
            inbox.serve(worker, pool);
            log.info("command", "shell", config.shell(), "exit_code", view.exitCode().orElse(-1), "interactive", true);
            return EXIT_OK;
        } finally {
            pool.shutdown();
        }
    }

    // ---- session -----------------------------------------------------------------------------------------

    /** The live worker's record, {@code worker.json}: clients send to the mailbox while it is fresh. */
    public record WorkerRecord(String execution, Instant startedAt, Instant heartbeatAt) {
    }

    /**
     * Writes this worker's {@code worker.json}, unless another worker of the sandbox is live.
     *
     * @return the record as written; empty when another worker serves the sandbox (this one then leaves)
     */
    private static Optional<Announced> announce(ExecutorConfig config, SessionStateStore store, JsonLog log) {
        String record = SessionStateStore.workerObject(config.sandboxId());
        Instant startedAt = Instant.now();
        try {
            return Optional.of(new Announced(store.write(record, new WorkerRecord(config.executionId(), startedAt, startedAt), 0), startedAt));
        } catch (SessionStateStore.GenerationConflict e) {
            Optional<SessionStateStore.Versioned<WorkerRecord>> other = store.read(record, WorkerRecord.class);
            boolean stale = other.map(v -> v.value().heartbeatAt().isBefore(Instant.now().minus(HEARTBEAT.multipliedBy(3)))).orElse(true);
            if (!stale) {
                log.info("another-worker", "worker", other.get().value().execution());
                return Optional.empty();
            }
            return Optional.of(new Announced(store.write(record, new WorkerRecord(config.executionId(), startedAt, startedAt),
                    other.map(SessionStateStore.Versioned::generation).orElse(0L)), startedAt));
        }
    }

    /** This worker's {@code worker.json} as written: its generation, and the start it records. */
    private record Announced(long generation, Instant startedAt) {
    }

    /** What a start-up read or write gave, or its failure as it was thrown. */
    private static <T> T joined(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /**
     * @param first      the first request, when one came with a warm-pool claim, checked
     * @param announcing this worker's {@code worker.json} as it is being written; empty when another worker is live
     */
    private static int session(ExecutorConfig config, SessionStateStore store, Worker worker, WorkerCredentials credentials, JsonLog log,
                               SignedInbox inbox, Optional<SignedInbox.Carried> first, CompletableFuture<Void> firstPulled,
                               CompletableFuture<Optional<Announced>> announcing)
            throws InterruptedException {
        ExecutorService pool = Executors.newCachedThreadPool(daemon());
        // The request a claim carried runs while worker.json is written: the sandbox's client sent it to this worker, and
        // no other runs it. Were another worker live after all (a second client started one for the same sandbox),
        // this one answers it, its effects saved as always, and leaves; the client's next request finds the other.
        first.ifPresent(c -> inbox.dispatchCarried(c, worker, pool, firstPulled));
        Optional<Announced> announced;
        try {
            announced = joined(announcing);
        } catch (SandboxNotFoundException gone) {
            // Destroyed between its creation and the claim: the first request was answered so; nothing to serve.
            log.info("sandbox-gone", "error", gone.getMessage());
            drain(pool);
            return EXIT_STATE;
        } catch (RuntimeException e) {
            drain(pool);
            throw e;
        }
        if (announced.isEmpty()) {
            drain(pool);
            return EXIT_OK;
        }
        String record = SessionStateStore.workerObject(config.sandboxId());
        long generation = announced.get().generation();
        Instant startedAt = announced.get().startedAt();
        log.info("worker-ready", "since_start_ms", sinceProcessStart());
        long lastHeartbeat = System.nanoTime();
        long lastCheckpoint = System.nanoTime();
        try {
            while (true) {
                boolean any = inbox.serve(worker, pool);
                worker.closeIdleTerminals();
                long now = System.nanoTime();
                if (now - lastHeartbeat > HEARTBEAT.toNanos()) {
                    generation = store.write(record, new WorkerRecord(config.executionId(), startedAt, Instant.now()), generation);
                    lastHeartbeat = now;
                }
                if (now - lastCheckpoint > Duration.ofSeconds(5).toNanos() && !worker.commandRunning()) {
                    // Background processes write files between requests; keep the bucket close behind. Never while
                    // a command runs: the bucket holds what completed commands left, so a crash mid-command
                    // leaves the files as the last completed command had them.
                    worker.checkpoint();
                    lastCheckpoint = now;
                }
                if (!any && worker.idleFor().compareTo(config.idleTimeout()) > 0 && !worker.busy()) {
                    break;
                }
                if (!any && !worker.commandRunning() && credentials.expiresWithin(TOKEN_MARGIN)) {
                    // No request brought a fresher token: leave while this one still saves the files. Background
                    // processes end with the execution; the next command starts a new worker with a new token.
                    log.info("token-expiring", "expires", String.valueOf(credentials.current().expiresAt()));
                    break;
                }
                InterruptibleSleep.sleepMillis(any ? 1 : 8, "the next request");
            }
            // Leave: first stop new clients sending here, then answer what came meanwhile.
            store.deleteIfGeneration(record, generation);
            inbox.serve(worker, pool);
            drain(pool);
            worker.checkpoint();
            log.info("idle-exit", "idle_ms", worker.idleFor().toMillis());
            return EXIT_OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EXIT_INTERNAL;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Takes no more requests and lets those dispatched end, their answers written (for up to a minute). */
    private static void drain(ExecutorService pool) throws InterruptedException {
        pool.shutdown();
        pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return daemon("request");
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Milliseconds since this process started, JVM start-up included: the container start cost as the executor sees it. */
    static long sinceProcessStart() {
        return ProcessHandle.current().info().startInstant().map(t -> Duration.between(t, Instant.now()).toMillis()).orElse(-1L);
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
