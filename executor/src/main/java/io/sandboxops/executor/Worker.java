package io.sandboxops.executor;

import io.sandboxops.core.api.BackgroundProcess;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.ShellView;
import io.sandboxops.core.cloudrun.WorkerProtocol;
import io.sandboxops.core.cloudrun.WorkerProtocol.Op;
import io.sandboxops.core.cloudrun.WorkerProtocol.Request;
import io.sandboxops.core.cloudrun.WorkerProtocol.Response;
import io.sandboxops.core.shell.LocalShellHost;
import io.sandboxops.core.shell.RunningCommand;
import io.sandboxops.core.shell.SessionDirectory;
import io.sandboxops.core.shell.ShellStateFiles;
import io.sandboxops.core.shell.ShellSession;
import io.sandboxops.core.state.FileTreeSync;
import io.sandboxops.core.state.SandboxRecord;
import io.sandboxops.core.state.SessionStateStore;
import io.sandboxops.core.state.ShellState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The sandbox as one executor holds it: its files restored from the bucket, and a {@link ShellSession} per shell
 * session, each restored from its {@code state.json} on first use. Answers {@link WorkerProtocol} requests; after
 * each command it syncs the files back and writes the shell's state with {@code ifGenerationMatch}, both before the
 * result is answered: a reported result means its state and files are in the bucket. The worker answers from its
 * live shells, writing each state on top of the generation it last wrote (one call, not a read and a write).
 * Thread-safe: requests for different shells run at once.
 */
final class Worker implements AutoCloseable {
    private static final Duration KILL_GRACE = Duration.ofSeconds(2);
    /**
     * A terminal no client asked anything of for this long (or the worker's idle timeout, when shorter) is closed: its
     * client vanished. A live client always has a read waiting, and a terminal with a read waiting is never idle.
     */
    static final Duration TERMINAL_IDLE = Duration.ofSeconds(60);
    /** The longest a terminal read waits for output. */
    static final Duration TERMINAL_READ_MAX = Duration.ofSeconds(20);
    /** The most terminals one worker holds open. */
    static final int MAX_TERMINALS = 16;

    private final ExecutorConfig config;
    private final SessionStateStore store;
    private final JsonLog log;
    private final SandboxRecord sandbox;
    private final FileTreeSync sync;
    private final LocalShellHost host;
    private final String stateRoot;
    private final SessionDirectory directory;
    private final ConcurrentMap<String, ShellSession> shells = new ConcurrentHashMap<>();
    /** Each shell's state.json as this worker last read or wrote it: the next save writes on top of it. */
    private final ConcurrentMap<String, SessionStateStore.Versioned<ShellState>> written = new ConcurrentHashMap<>();
    private final SavedShells saved;
    private final ExecutorService persisting = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "persist");
        t.setDaemon(true);
        return t;
    });
    private volatile long lastActivity = System.nanoTime();
    private volatile boolean firstRequestLogged;
    private volatile StartingSave startingSave;
    /** Per shell, the interactive command whose end was last saved. */
    private final ConcurrentMap<String, RunningCommand> persistedInteractive = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, PtyTerminal> terminals = new ConcurrentHashMap<>();

    Worker(ExecutorConfig config, SessionStateStore store, JsonLog log) {
        this(config, store, log, null);
    }

    /** @param known the sandbox's record as its creating client handed it over in a warm-pool claim; null to read it */
    Worker(ExecutorConfig config, SessionStateStore store, JsonLog log, SandboxRecord known) {
        this.config = config;
        this.store = store;
        this.log = log;
        this.sandbox = known != null ? known : store.readSandbox(config.sandboxId()).orElseThrow(() -> new SandboxNotFoundException(
                "sandbox " + config.sandboxId() + " does not exist in bucket " + config.bucket() + " (no sandbox.json)"));
        Path scratch = config.scratchDir();
        this.stateRoot = scratch.resolve("shells").toString();
        String scratchInSandbox = sandboxPath(scratch);
        this.sync = new FileTreeSync(store, config.sandboxId(), config.fsRoot(),
                p -> p.startsWith(scratchInSandbox) || p.startsWith("/tmp/hsperfdata_"),
                refused -> log.warn("restore-refused", "path", refused.path(), "reason", refused.reason()));
        Path workdir = local(sandbox.workdir());
        this.host = LocalShellHost.onThisMachine(Files.isDirectory(workdir) ? workdir : config.fsRoot(), System.getenv());
        if (!host.contained()) {
            log.warn("engine-shell-readable", "expected", LocalShellHost.ENGINE_DIR.toString(), "effect",
                    "commands can open the engine shell's descriptors through /proc and forge its end markers");
        }
        this.directory = new SessionDirectory(host, stateRoot);
        this.saved = new SavedShells(directory);
    }

    /** Restores the files from the sandbox's manifest, as the caller read it. @return how many entries */
    int restore(SessionStateStore.Versioned<io.sandboxops.core.state.FileManifest> manifest) {
        try {
            Files.createDirectories(Path.of(stateRoot));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the executor's scratch directory " + stateRoot, e);
        }
        int n = sync.restore(manifest);
        Path workdir = local(sandbox.workdir());
        if (!Files.isDirectory(workdir)) {
            try {
                Files.createDirectories(workdir);
            } catch (IOException e) {
                log.warn("workdir-missing", "workdir", sandbox.workdir(), "error", e.getMessage());
            }
        }
        return n;
    }

    Duration idleFor() {
        return Duration.ofNanos(System.nanoTime() - lastActivity);
    }

    /** Whether a foreground command runs in any shell. */
    boolean commandRunning() {
        return shells.values().stream().anyMatch(s -> s.running().isPresent());
    }

    /** Whether a command runs in any shell, or a background process of this executor is alive. */
    boolean busy() {
        if (commandRunning()) {
            return true;
        }
        if (!terminals.isEmpty()) {
            return true;
        }
        return !shells.isEmpty() && directory.background(Optional.empty()).stream().anyMatch(BackgroundProcess::running);
    }

    // ---- requests ----------------------------------------------------------------------------------------

    Response handle(Request r) {
        return handle(r, null);
    }

    /**
     * Answers a request.
     *
     * @param pulled the pull of the bucket's file changes this request needs first, already under way (started beside
     *               its claim by {@link #pullAhead}, or done: a warm-pool claim's first request comes after the restore);
     *               null to pull here when the operation needs it
     */
    Response handle(Request r, CompletableFuture<Void> pulled) {
        lastActivity = System.nanoTime();
        Runnable pull = () -> pulled(pulled);
        if (!firstRequestLogged) {
            firstRequestLogged = true;
            log.info("first-request", "op", r.op(), "since_start_ms", Main.sinceProcessStart());
        }
        long start = System.nanoTime();
        try {
            if (r.op() == null) {
                throw new io.sandboxops.core.api.SandboxInvalidInputException("unknown operation; this worker answers "
                        + java.util.Arrays.stream(Op.values()).map(Op::wire).collect(java.util.stream.Collectors.joining(", ")));
            }
            Response response = switch (r.op()) {
                case EXEC -> Response.ok(r.id()).withExec(WorkerProtocol.Exec.of(exec(r.session(), r.command(), Duration.ofMillis(r.timeoutMillis()),
                        pull)));
                case START -> Response.ok(r.id()).withView(WorkerProtocol.View.of(start(r.session(), r.command(), Optional.ofNullable(r.dir()), pull)));
                case VIEW -> Response.ok(r.id()).withView(WorkerProtocol.View.of(view(existing(r.session()))));
                case WAIT -> Response.ok(r.id()).withView(WorkerProtocol.View.of(await(r.session(), Duration.ofMillis(r.timeoutMillis()))));
                case INPUT -> {
                    existing(r.session()).writeInput(r.input());
                    yield Response.ok(r.id());
                }
                case KILL -> Response.ok(r.id()).withView(WorkerProtocol.View.of(kill(r.session())));
                case BG_LIST -> Response.ok(r.id()).withBackground(background(Optional.ofNullable(r.session())));
                case BG_KILL -> Response.ok(r.id()).withKilled(directory.kill(r.pids(), KILL_GRACE).killedPids());
                case BG_LOGS -> Response.ok(r.id()).withLogs(directory.logs(r.pid(), r.maxBytes()));
                case CLOSE_SESSION -> {
                    closeShell(r.session());
                    yield Response.ok(r.id());
                }
                case SYNC -> {
                    checkpoint();
                    yield Response.ok(r.id());
                }
                case TERMINAL_OPEN, TERMINAL_INPUT, TERMINAL_RESIZE, TERMINAL_READ, TERMINAL_CLOSE -> terminal(r, pull);
            };
            if (r.op() != Op.TERMINAL_READ && r.op() != Op.TERMINAL_INPUT) {
                log.info("request", "op", r.op(), "shell", r.session(), "duration_ms", (System.nanoTime() - start) / 1_000_000);
            }
            return sealTerminal(r, response);
        } catch (RuntimeException e) {
            log.info("request-failed", "op", r.op(), "shell", r.session(), "error", e.getMessage());
            return sealTerminal(r, Response.failed(r.id(), e));
        } finally {
            lastActivity = System.nanoTime();
        }
    }

    /**
     * Runs a command. What it changed, its shell's state and its files, is in the bucket before this returns, so a
     * result is never reported for a command whose effects a crash right after could still lose.
     */
    ExecResult exec(String shell, String command, Duration timeout) {
        return exec(shell, command, timeout, this::pull);
    }

    /** @param pull brings in the bucket's file changes made before the command was sent */
    private ExecResult exec(String shell, String command, Duration timeout, Runnable pull) {
        long t0 = System.nanoTime();
        pull.run();
        long t1 = System.nanoTime();
        ShellSession s = shell(shell);
        ExecResult r = s.run(command, timeout);
        long t2 = System.nanoTime();
        Persisted p = persist(shell);
        log.info("exec-phases", "shell", shell, "pull_ms", millis(t1 - t0), "run_ms", millis(t2 - t1),
                "state_save_ms", p.stateMillis(), "files_ms", p.filesMillis(), "persist_ms", millis(System.nanoTime() - t2));
        return r;
    }

    /**
     * Saves the shell's state and the changed files, side by side: they are different objects, so neither waits
     * for the other; both are done when this returns.
     */
    private Persisted persist(String shell) {
        CompletableFuture<Double> files = CompletableFuture.supplyAsync(() -> {
            long t = System.nanoTime();
            checkpointAfterCommand();
            return millis(System.nanoTime() - t);
        }, persisting);
        long t = System.nanoTime();
        RuntimeException failure = null;
        try {
            saveState(shell);
        } catch (RuntimeException e) {
            failure = e;
        }
        double stateMillis = millis(System.nanoTime() - t);
        try {
            double filesMillis = files.join();
            if (failure == null) {
                return new Persisted(stateMillis, filesMillis);
            }
        } catch (CompletionException e) {
            RuntimeException cause = e.getCause() instanceof RuntimeException re ? re : e;
            if (failure == null) {
                failure = cause;
            } else {
                failure.addSuppressed(cause);
            }
        }
        throw failure;
    }

    /** How long saving the state and the files took, for the log. */
    private record Persisted(double stateMillis, double filesMillis) {
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }

    ShellView start(String shell, String command, Optional<String> dir) {
        return start(shell, command, dir, this::pull);
    }

    private ShellView start(String shell, String command, Optional<String> dir, Runnable pull) {
        pull.run();
        ShellSession s = shell(shell);
        RunningCommand c = s.start(command, ShellSession.Mode.INTERACTIVE, dir);
        return view(s, c);
    }

    ShellView await(String shell, Duration timeout) {
        ShellSession s = existing(shell);
        RunningCommand c = interactive(s);
        s.await(c, timeout);
        ShellView v = view(s, c);
        if (!v.running()) {
            finishInteractive(shell);
        }
        return v;
    }

    ShellView kill(String shell) {
        ShellSession s = existing(shell);
        RunningCommand c = interactive(s);
        if (!c.isDone()) {
            s.interrupt(c);
        }
        ShellView v = view(s, c);
        finishInteractive(shell);
        return v;
    }

    ShellView view(ShellSession s) {
        return view(s, interactive(s));
    }

    /**
     * The interactive command of {@code shell} ended: keep what it changed, once. A second save of the same command
     * (its end seen by a kill or wait, then by the execution's own loop) could land after the next command of the
     * session, run by another execution, and put its older cwd and environment back.
     */
    void finishInteractive(String shell) {
        RunningCommand ended = interactiveCommand(shell).orElse(null);
        if (ended != null && persistedInteractive.put(shell, ended) == ended) {
            return;
        }
        persist(shell);
    }

    Optional<RunningCommand> interactiveCommand(String shell) {
        ShellSession s = shells.get(shell);
        return s == null ? Optional.empty() : s.lastInteractive();
    }

    List<ShellState.Background> background(Optional<String> shell) {
        List<ShellState.Background> out = new ArrayList<>();
        for (BackgroundProcess b : directory.background(shell)) {
            out.add(new ShellState.Background(b.pid(), b.command(), b.startedAt(), b.logFile(), null, b.running()));
        }
        return out;
    }

    void closeShell(String shell) {
        closeTerminals(t -> t.session().equals(shell));
        List<Long> running = directory.background(Optional.of(shell)).stream().filter(BackgroundProcess::running).map(BackgroundProcess::pid).toList();
        directory.kill(running, KILL_GRACE);
        ShellSession s = shells.remove(shell);
        if (s != null) {
            s.close();
        }
        directory.remove(shell);
        written.remove(shell);
        saved.forget(shell);
    }

    /** Whether requests of {@code op} bring in the bucket's file changes before they run (they run commands). */
    static boolean pullsFirst(Op op) {
        return op == Op.EXEC || op == Op.START || op == Op.TERMINAL_OPEN;
    }

    /**
     * Starts the pull a request will need, now: beside its claim (a delete), so that the two Storage calls overlap
     * instead of following each other on the command's path. It starts after the request was seen in the inbox, so it
     * brings in every change its client made before sending it.
     */
    CompletableFuture<Void> pullAhead() {
        return CompletableFuture.runAsync(this::pull, persisting);
    }

    /**
     * Checks, now, that the bucket's manifest is still the one the files were restored from (generation
     * {@code restoredGeneration}, handed over in a warm-pool claim instead of read), and pulls what changed when it is not:
     * a file another client wrote meanwhile, or the sandbox destroyed (the pull then fails with not found). The check holds
     * no lock, so it does not wait for the image's files' save, which writes the manifest on top of that generation.
     */
    CompletableFuture<Void> checkRestored(long restoredGeneration) {
        return CompletableFuture.runAsync(() -> {
            if (store.manifestGeneration(config.sandboxId()) != restoredGeneration) {
                pull();
            }
        }, persisting);
    }

    /** Waits for a pull started ahead, failing as {@link #pull} would; pulls now when none was. */
    private void pulled(CompletableFuture<Void> ahead) {
        if (ahead == null) {
            pull();
            return;
        }
        try {
            ahead.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    /** Brings in file changes made in the bucket (file operations) since the last sync. */
    void pull() {
        synchronized (sync) {
            sync.pull();
        }
    }

    /**
     * A sandbox that never saved a file starts from what its image put in the persisted roots (a home's dotfiles, say):
     * that is saved now, beside the first request, instead of on its first command's path. The tree is scanned before
     * this returns, so no command's effect is part of this save; a command's own save waits for it to end. A failure
     * is logged, and the next save sends it all.
     */
    void saveStartingFiles() {
        if (sync.holdsFiles()) {
            return;
        }
        CompletableFuture<Void> scanned = new CompletableFuture<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        persisting.execute(() -> {
            try {
                synchronized (sync) {
                    long start = System.nanoTime();
                    FileTreeSync.PushResult r = sync.pushAsScanned(tree -> {
                        startingSave = new StartingSave(tree, done);
                        scanned.complete(null);
                    });
                    if (!r.manifestWritten()) {
                        return;
                    }
                    log.info("starting-files", "files_uploaded", r.filesUploaded(), "bytes_uploaded", r.bytesUploaded(),
                            "entries", r.entries(), "duration_ms", (System.nanoTime() - start) / 1_000_000);
                }
            } catch (RuntimeException e) {
                log.warn("starting-files-not-saved", "error", String.valueOf(e.getMessage()));
            } finally {
                done.complete(null);
                scanned.complete(null);
            }
        });
        scanned.join();
    }

    /** The image's files as {@link #saveStartingFiles} scanned them, and the end of that save. */
    private record StartingSave(FileTreeSync.Snapshot tree, CompletableFuture<Void> done) {
    }

    /**
     * The save after a command: {@link #checkpoint}, unless the image's files are still being saved and the command
     * changed none of them. That save then sends exactly this tree, and the answer need not wait for it: were it lost,
     * the bucket would hold no file, and the next worker saves the image's files again, the same ones.
     */
    private void checkpointAfterCommand() {
        StartingSave s = startingSave;
        if (s != null && !s.done().isDone() && sync.snapshot().sameAs(s.tree())) {
            return;
        }
        checkpoint();
    }

    /** Sends the changed files to the bucket. */
    FileTreeSync.PushResult checkpoint() {
        synchronized (sync) {
            long start = System.nanoTime();
            FileTreeSync.PushResult r = sync.push();
            if (r.manifestWritten()) {
                log.info("checkpoint", "files_uploaded", r.filesUploaded(), "bytes_uploaded", r.bytesUploaded(), "entries", r.entries(),
                        "duration_ms", (System.nanoTime() - start) / 1_000_000);
            }
            return r;
        }
    }

    // ---- terminals ---------------------------------------------------------------------------------------

    private Response terminal(Request r, Runnable pull) {
        WorkerProtocol.TerminalRequest t = r.terminal();
        if (t == null || !WorkerProtocol.TerminalRequest.isTerminalId(t.terminal()) || r.session() == null) {
            throw new io.sandboxops.core.api.SandboxInvalidInputException("a terminal request names its session and a terminal id of 32 hex digits");
        }
        if (r.op() == Op.TERMINAL_OPEN) {
            openTerminal(r.session(), t.terminal(), new io.sandboxops.core.api.TerminalSize(t.columns(), t.rows()), pull);
            return Response.ok(r.id());
        }
        PtyTerminal term = terminals.get(t.terminal());
        // A terminal of another session is answered as none: requests name their session, and a session reaches its own.
        if (term == null || !term.session().equals(r.session())) {
            throw new SandboxNotFoundException("session " + r.session() + " has no terminal " + t.terminal() + " in this worker (it ended, "
                    + "was closed, or was closed after " + TERMINAL_IDLE.toSeconds() + " s without its client)");
        }
        switch (r.op()) {
            case TERMINAL_INPUT -> {
                byte[] data;
                try {
                    data = java.util.Base64.getDecoder().decode(t.data() == null ? "" : t.data());
                } catch (IllegalArgumentException e) {
                    throw new io.sandboxops.core.api.SandboxInvalidInputException("terminal input is not base64");
                }
                if (data.length > WorkerProtocol.TERMINAL_MAX_INPUT) {
                    throw new io.sandboxops.core.api.SandboxTooLargeException("terminal input of " + data.length + " bytes in one request; at most "
                            + WorkerProtocol.TERMINAL_MAX_INPUT);
                }
                term.input(t.offset(), data);
                return Response.ok(r.id());
            }
            case TERMINAL_RESIZE -> {
                term.resize(new io.sandboxops.core.api.TerminalSize(t.columns(), t.rows()));
                return Response.ok(r.id());
            }
            case TERMINAL_READ -> {
                Duration wait = Duration.ofMillis(Math.max(0, Math.min(r.timeoutMillis(), TERMINAL_READ_MAX.toMillis())));
                PtyTerminal.Chunk c;
                try {
                    c = term.read(t.offset(), WorkerProtocol.TERMINAL_MAX_OUTPUT, wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new io.sandboxops.core.api.SandboxUnavailableException("the worker is stopping");
                }
                if (c.ended()) {
                    // Kept until closed (or idle): the close also ends what the shell left running.
                    log.info("terminal-ended", "shell", r.session(), "terminal", t.terminal(), "exit_code", c.exitCode());
                }
                return Response.ok(r.id()).withTerminal(chunk(t.terminal(), c.offset(), c.data(), c.ended(), c.exitCode()));
            }
            case TERMINAL_CLOSE -> {
                terminals.remove(t.terminal(), term);
                int status = term.close();
                Map<String, Long> traffic = term.traffic();
                log.info("terminal-closed", "shell", r.session(), "terminal", t.terminal(), "exit_code", status,
                        "input_requests", traffic.get("input_requests"), "input_bytes", traffic.get("input_bytes"),
                        "output_answers", traffic.get("output_answers"), "output_bytes", traffic.get("output_bytes"));
                return Response.ok(r.id()).withTerminal(chunk(t.terminal(), t.offset(), new byte[0], true, status));
            }
            default -> throw new IllegalStateException(r.op().wire());
        }
    }

    private static WorkerProtocol.TerminalChunk chunk(String terminal, long offset, byte[] data, boolean ended, Integer exitCode) {
        return new WorkerProtocol.TerminalChunk(terminal, offset, java.util.Base64.getEncoder().encodeToString(data), ended, exitCode, null);
    }

    /**
     * Signs the answer to a terminal operation, error or not, with the mailbox key: the client can tell it from one written
     * by anyone else who reaches the outbox. Answers to other operations go as they are.
     */
    private Response sealTerminal(Request r, Response response) {
        if (r.op() == null || !r.op().wire().startsWith("terminal-")) {
            return response;
        }
        WorkerProtocol.TerminalChunk c = response.terminal() != null ? response.terminal()
                : new WorkerProtocol.TerminalChunk(r.terminal() == null ? "" : String.valueOf(r.terminal().terminal()), -1, "", false, null, null);
        Response unsigned = response.withTerminal(c);
        return response.withTerminal(c.withMac(config.mailboxKey().tag(WorkerProtocol.TerminalChunk.signed(config.sandboxId(), unsigned))));
    }

    private void openTerminal(String shell, String id, io.sandboxops.core.api.TerminalSize size, Runnable pull) {
        if (terminals.containsKey(id)) {
            throw new io.sandboxops.core.api.SandboxConflictException("terminal " + id + " is already open");
        }
        if (terminals.size() >= MAX_TERMINALS) {
            throw new io.sandboxops.core.api.SandboxUnavailableException("this sandbox has " + MAX_TERMINALS + " terminals open, the most "
                    + "it holds; close one first");
        }
        pull.run();
        shell(shell);
        // A session that never ran a command has no saved state: its terminal starts as Docker's does then, in the
        // workdir with the fresh environment, and no state is restored (which would be the seeded one).
        boolean saved = written.containsKey(shell);
        Optional<ShellStateFiles.Slot> good = saved ? ShellStateFiles.good(Path.of(stateRoot, shell)) : Optional.empty();
        String state;
        String cwd;
        try {
            state = good.isPresent() ? new String(ShellStateFiles.record(good.get().state()), StandardCharsets.UTF_8) : "";
            cwd = good.map(ShellStateFiles.Slot::cwd).orElse(sandbox.workdir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the saved state of session " + shell, e);
        }
        PtyTerminal t = PtyTerminal.start(id, shell, size, state, freshEnvironment(), local(cwd), config.scratchDir());
        if (terminals.putIfAbsent(id, t) != null) {
            t.close();
            throw new io.sandboxops.core.api.SandboxConflictException("terminal " + id + " is already open");
        }
        log.info("terminal-opened", "shell", shell, "terminal", id, "size", size.toString());
    }

    private Duration terminalIdle() {
        return config.idleTimeout().compareTo(TERMINAL_IDLE) < 0 ? config.idleTimeout() : TERMINAL_IDLE;
    }

    /** Closes the terminals no client asked anything of for {@link #terminalIdle}. */
    void closeIdleTerminals() {
        for (PtyTerminal t : terminals.values()) {
            if (t.idleNanos() > terminalIdle().toNanos() && terminals.remove(t.id(), t)) {
                int status = t.close();
                log.info("terminal-idle-closed", "shell", t.session(), "terminal", t.id(), "exit_code", status);
            }
        }
    }

    private void closeTerminals(java.util.function.Predicate<PtyTerminal> which) {
        for (PtyTerminal t : terminals.values()) {
            if (which.test(t) && terminals.remove(t.id(), t)) {
                t.close();
            }
        }
    }

    // ---- shells and their state --------------------------------------------------------------------------

    /**
     * Gets shell {@code shell} ready in the background, its saved state read and its bash started, so that the request
     * that names it finds it answering (a warm-pool claim's first request). A failure is left to that request, which
     * meets it again and reports it.
     *
     * @param state the shell's {@code state.json}, as it is being read (beside the worker's other start-up reads)
     */
    void prepare(String shell, CompletableFuture<Optional<SessionStateStore.Versioned<ShellState>>> state) {
        persisting.execute(() -> {
            try {
                shells.computeIfAbsent(shell, sid -> started(sid, state.join())).open();
            } catch (RuntimeException e) {
                log.info("shell-not-prepared", "shell", shell, "error", String.valueOf(e.getMessage()));
            }
        });
    }

    private ShellSession shell(String id) {
        return shells.computeIfAbsent(id, sid -> {
            long t = System.nanoTime();
            Optional<SessionStateStore.Versioned<ShellState>> read = store.readShell(config.sandboxId(), sid);
            log.info("state-loaded", "shell", sid, "found", read.isPresent(), "duration_ms", millis(System.nanoTime() - t));
            return started(sid, read);
        });
    }

    /** A shell session whose engine restores {@code read} (or a fresh state) when it starts. */
    private ShellSession started(String shell, Optional<SessionStateStore.Versioned<ShellState>> read) {
        materialize(shell, read);
        return new ShellSession(host, stateRoot, shell, ShellSession.Options.defaults());
    }

    private ShellSession existing(String id) {
        ShellSession s = shells.get(id);
        if (s == null) {
            throw new SandboxNotFoundException("session " + id + " has no command started with exec in this worker");
        }
        return s;
    }

    private static RunningCommand interactive(ShellSession s) {
        return s.lastInteractive().orElseThrow(() -> new SandboxNotFoundException(
                "session " + s.sessionId() + " has no command started with exec"));
    }

    private static ShellView view(ShellSession s, RunningCommand c) {
        OptionalInt exit = c.completion().map(done -> OptionalInt.of(s.result(c).exitCode())).orElse(OptionalInt.empty());
        return new ShellView(s.sessionId(), c.command(), c.combinedText(), !c.isDone(), exit);
    }

    /** Writes a shell's saved state (or a fresh one) where the shell engine restores it from. */
    private void materialize(String shell, Optional<SessionStateStore.Versioned<ShellState>> read) {
        // Known absent too: the first save writes it with ifGenerationMatch=0 instead of reading it again.
        written.put(shell, read.orElseGet(() -> new SessionStateStore.Versioned<>(null, 0)));
        Optional<ShellState> saved = read.map(SessionStateStore.Versioned::value);
        Path dir = Path.of(stateRoot, shell);
        Map<String, String> env = saved.map(ShellState::env).orElseGet(this::freshEnvironment);
        String cwd = saved.map(ShellState::cwd).filter(c -> !c.isEmpty()).orElse(sandbox.workdir());
        try {
            ShellStateFiles.seed(dir, env, cwd);
            Instant created = saved.map(ShellState::createdAt).orElse(Instant.now());
            Files.writeString(dir.resolve("created"), Long.toString(created.getEpochSecond()));
            if (saved.isPresent() && saved.get().lastCommand() != null) {
                ShellStateFiles.writeLastCommand(dir, saved.get().lastCommand());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the state of shell " + shell, e);
        }
    }

    private Map<String, String> freshEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("SANDBOX_SHELL_PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
        env.put("HOME", sandbox.persistedRoots().contains("/home/sandbox") ? "/home/sandbox" : sandbox.workdir());
        env.put("LANG", "C.UTF-8");
        env.put("USER", "sandbox");
        env.putAll(sandbox.env());
        return env;
    }

    /** Writes what the shell engine saved for {@code shell} to its {@code state.json}, merged with what others added. */
    void saveState(String shell) {
        Optional<SessionDirectory.SavedSession> found = saved.read(shell);
        if (found.isEmpty()) {
            return;
        }
        SessionDirectory.SavedSession s = found.get();
        List<ShellState.Background> local = new ArrayList<>();
        for (BackgroundProcess b : s.background()) {
            local.add(new ShellState.Background(b.pid(), b.command(), b.startedAt(), b.logFile(), null, b.running()));
        }
        Instant now = Instant.now();
        SessionStateStore.Versioned<ShellState> w = store.updateShell(config.sandboxId(), shell, Optional.ofNullable(written.get(shell)), current -> {
            List<ShellState.Background> merged = new ArrayList<>(local);
            current.ifPresent(c -> c.backgroundProcesses().forEach(b -> {
                if (merged.stream().noneMatch(m -> m.pid() == b.pid())) {
                    // once-mode executions keep their own status; processes of an earlier worker are gone
                    merged.add(b.execution() != null ? b : new ShellState.Background(b.pid(), b.command(), b.startedAt(), b.logFile(), null, false));
                }
            }));
            Instant created = current.map(ShellState::createdAt).orElse(s.createdAt());
            return new ShellState(ShellState.SCHEMA_VERSION, shell, s.cwd(), s.env(), merged, s.lastCommand().orElse(null), created, now);
        });
        written.put(shell, w);
    }

    private Path local(String sandboxPath) {
        return sandboxPath.equals("/") ? config.fsRoot() : config.fsRoot().resolve(sandboxPath.substring(1));
    }

    private String sandboxPath(Path local) {
        Path abs = local.toAbsolutePath().normalize();
        Path root = config.fsRoot().toAbsolutePath().normalize();
        return abs.startsWith(root) ? "/" + root.relativize(abs) : "/\0unreachable";
    }

    @Override
    public void close() {
        closeTerminals(t -> true);
        shells.values().forEach(ShellSession::close);
        shells.clear();
        persisting.shutdown();
    }
}
