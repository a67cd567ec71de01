package io.sandboxops.core.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxTimeoutException;
import io.sandboxops.core.api.SandboxTooLargeException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.shell.ProcessOutcome;
import io.sandboxops.core.shell.ShellHost;
import io.sandboxops.core.shell.ShellOutput;
import io.sandboxops.core.shell.ShellTransport;
import io.sandboxops.core.util.ByteSize;
import io.sandboxops.core.util.InterruptibleSleep;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shells and one-shot commands as Docker execs in one container, as the sandbox user. A container found
 * stopped (killed, out of memory, the engine restarted) is started again once before a command, so that a
 * session's next shell restores its saved state in it.
 */
final class DockerShellHost implements ShellHost {
    private static final Logger log = LoggerFactory.getLogger(DockerShellHost.class);
    /** How long the engine may take to record that a container died after its shells' streams ended. */
    private static final Duration CONTAINER_END_GRACE = Duration.ofSeconds(2);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** What the next command does for a session whose shell was lost, as the messages about it end. */
    private static final String RESTORES = "restores the session's state (cwd, variables, functions) as saved after its last finished command";

    /**
     * The engine shell's binaries: copies of the image's bash and setsid that the sandbox user may execute but not read.
     * A process started from a file its user cannot read is not dumpable, so the sandbox user's other processes — the
     * commands the shell runs among them — can neither open its descriptors through /proc (the pipe that carries each
     * command's one-time token; setsid, waiting for the shell, holds it too) nor trace it. Made by
     * {@link #installEngineShell} when the sandbox is created.
     */
    static final String ENGINE_DIR = "/.sandboxops-engine";
    private static final Duration INSTALL_TIMEOUT = Duration.ofSeconds(30);
    /** How long (in steps of 10 ms) a shell waits for an install under way: its own timeout, so a slow one is waited out. */
    private static final int INSTALL_WAIT_STEPS = (int) (INSTALL_TIMEOUT.toMillis() / 10);
    /**
     * Fixed text: starts the engine shell, or the image's bash in a container made before the copies existed. In a
     * container made with them ({@code SBX_ENGINE_WAIT} set, see {@link DockerSandboxBackend#LABEL_ENGINE_SHELL}) it waits
     * for both copies while their install runs: a shell started meanwhile, by any client, never runs on the image's bash.
     * Only an install that failed (and said so, {@code ENGINE_DIR.failed}) lets it fall back, as it always did.
     */
    private static final String ENGINE_SHELL_START = "i=0; while [ -n \"$SBX_ENGINE_WAIT\" ] && ! { [ -x " + ENGINE_DIR + "/bash ] && [ -x "
            + ENGINE_DIR + "/setsid ]; } && ! [ -e " + ENGINE_DIR + ".failed ]; do [ $i -lt " + INSTALL_WAIT_STEPS + " ] || { echo \"sandbox-ops: "
            + "the engine shell was not installed in " + ENGINE_DIR + " within " + INSTALL_WAIT_STEPS / 100 + " s\" >&2; exit 125; }; "
            + "sleep 0.01; i=$((i+1)); done; unset SBX_ENGINE_WAIT; [ -x " + ENGINE_DIR + "/bash ] && [ -x " + ENGINE_DIR + "/setsid ] && exec "
            + ENGINE_DIR + "/setsid -w " + ENGINE_DIR + "/bash --noprofile --norc; exec setsid -w bash --noprofile --norc";
    /**
     * Fixed text, run as the container's root: each copy is made once, and appears only whole (rename). A failed install
     * says so ({@code ENGINE_DIR.failed}), so that shells stop waiting for it.
     */
    private static final String INSTALL_ENGINE_SHELL = "mkdir -p -m 0711 \"$1\" || exit; for p in bash setsid; do "
            + "[ -x \"$1/$p\" ] && continue; b=$(command -v $p) && cp \"$b\" \"$1/$p.new\" && chmod 0111 \"$1/$p.new\" "
            + "&& mv -f \"$1/$p.new\" \"$1/$p\" || { : > \"$1.failed\"; exit 1; }; done";
    /** Installs run beside the caller's next step (the first shell's start); blocking calls, so not the common pool. */
    private static final ExecutorService INSTALLS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "docker-engine-shell-install");
        t.setDaemon(true);
        return t;
    });

    private final DockerClient docker;
    private final String containerId;
    private final String sandboxId;
    private final String user;
    /** Whether the container was made with the engine shell's copies, so that its shells wait for them. */
    private final boolean copiesExpected;
    /** This client's install of the engine shell, while it runs. */
    private volatile CompletableFuture<Void> installing = CompletableFuture.completedFuture(null);

    DockerShellHost(DockerClient docker, String containerId, String sandboxId, String user, boolean copiesExpected) {
        this.docker = docker;
        this.copiesExpected = copiesExpected;
        this.containerId = containerId;
        this.sandboxId = sandboxId;
        this.user = user;
    }

    @Override
    public ShellTransport openShell(Map<String, String> env, ShellOutput output) {
        Map<String, String> shellEnv = env;
        if (copiesExpected) {
            shellEnv = new java.util.HashMap<>(env);
            shellEnv.put("SBX_ENGINE_WAIT", "1");
        }
        String execId = create(user, List.of("bash", "--noprofile", "--norc", "-c", ENGINE_SHELL_START), shellEnv, true, false);
        StdinPipe stdin = new StdinPipe();
        ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                byte[] p = frame.getPayload();
                if (frame.getStreamType() == StreamType.STDERR) {
                    output.stderr(p, 0, p.length);
                } else {
                    output.stdout(p, 0, p.length);
                }
            }

            @Override
            public void onComplete() {
                super.onComplete();
                reportExit();
            }

            @Override
            public void onError(Throwable throwable) {
                // The stream may end in an error when the shell's side closes first; the exit status still tells.
                // A connection closed under it (the container removed, the shell closed) is that end, not an error to
                // log at ERROR level on the CLI's stderr; anything else is logged as before.
                if (DockerEngine.closedUnderUs(throwable)) {
                    log.debug("shell stream of sandbox {} closed: {}", sandboxId, throwable.toString());
                    super.onComplete();
                } else {
                    super.onError(throwable);
                }
                reportExit();
            }

            /** Off the stream's thread: it is interrupted as the stream ends, which would cancel the inspect call. */
            private void reportExit() {
                CompletableFuture.runAsync(() -> {
                    int exit = exitCode(execId);
                    lostWith(exit).ifPresentOrElse(output::lost, () -> output.closed(exit));
                });
            }
        };
        docker.execStartCmd(execId).withDetach(false).withTty(false).withStdIn(stdin).exec(callback);
        return new ShellTransport() {
            @Override
            public void write(byte[] bytes) throws IOException {
                stdin.send(bytes);
            }

            @Override
            public void close() {
                stdin.finish();
                try {
                    if (!callback.awaitCompletion(2, TimeUnit.SECONDS)) {
                        callback.close();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException e) {
                    // the stream is gone either way
                }
            }
        };
    }

    @Override
    public ProcessOutcome run(List<String> argv, Duration timeout, long maxOutputBytes) {
        return run(user, argv, timeout, maxOutputBytes);
    }

    /**
     * Runs a command as the container's root user (which holds no capability: the container drops them all). Only for
     * paths in directories root owns and the sandbox user cannot change, such as the file store's staging directory.
     */
    ProcessOutcome runAsRoot(List<String> argv, Duration timeout) {
        return run("0:0", argv, timeout, 64 * 1024);
    }

    /**
     * Starts a command as the sandbox user and streams what it prints on stdout, for transfers too big to hold: the
     * engine's stream is read only as fast as the caller reads, and stderr is kept (up to 64 KiB) for the error.
     */
    ExecStream stream(List<String> argv, Duration idleTimeout) {
        String execId = create(user, argv, Map.of(), false, false);
        ExecStream stream = new ExecStream(argv.get(0) + " in sandbox " + sandboxId, idleTimeout, () -> exitCode(execId));
        docker.execStartCmd(execId).withDetach(false).withTty(false).exec(stream.callback());
        return stream;
    }

    /**
     * Starts a command on a pseudo-terminal as the sandbox user, its stdin fed from {@code stdin}, what it displays
     * (one raw stream: a terminal has no separate stderr) into {@code output}.
     *
     * @return the exec's id, for {@link #resizeTty} and {@link #exitStatus}
     */
    String startTty(List<String> argv, Map<String, String> env, StdinPipe stdin, ExecStream output) {
        String execId = create(user, argv, env, true, true);
        try {
            docker.execStartCmd(execId).withDetach(false).withTty(true).withStdIn(stdin).exec(output.callback());
        } catch (RuntimeException e) {
            throw DockerEngine.failure("start a terminal in sandbox " + sandboxId, e);
        }
        return execId;
    }

    /** Sets the size of the pseudo-terminal of a running {@link #startTty} exec; the engine signals SIGWINCH. */
    void resizeTty(String execId, int columns, int rows) {
        try {
            docker.resizeExecCmd(execId).withSize(rows, columns).exec();
        } catch (NotFoundException e) {
            throw new SandboxNotFoundException("the terminal in sandbox " + sandboxId + " has ended (its exec is gone)", e);
        } catch (RuntimeException e) {
            throw DockerEngine.failure("resize a terminal in sandbox " + sandboxId, e);
        }
    }

    /** The exit status of an exec that has ended; empty while it runs, or when the engine does not know it (any more). */
    OptionalInt exitStatus(String execId) {
        try {
            var r = docker.inspectExecCmd(execId).exec();
            return Boolean.TRUE.equals(r.isRunning()) || r.getExitCodeLong() == null ? OptionalInt.empty()
                    : OptionalInt.of(r.getExitCodeLong().intValue());
        } catch (RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    private ProcessOutcome run(String asUser, List<String> argv, Duration timeout, long maxOutputBytes) {
        String execId = create(asUser, argv, Map.of(), false, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AtomicLong overflow = new AtomicLong();
        AtomicReference<Throwable> broken = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                byte[] p = frame.getPayload();
                synchronized (out) {
                    if (frame.getStreamType() == StreamType.STDERR) {
                        if (err.size() < 1024 * 1024) {
                            err.write(p, 0, p.length);
                        }
                    } else if (out.size() + p.length > maxOutputBytes) {
                        overflow.addAndGet(p.length);
                    } else {
                        out.write(p, 0, p.length);
                    }
                }
            }

            @Override
            public void onComplete() {
                super.onComplete();
                done.countDown();
            }

            @Override
            public void onError(Throwable throwable) {
                broken.set(throwable);
                super.onError(throwable);
                done.countDown();
            }
        };
        try (var ignored = docker.execStartCmd(execId).withDetach(false).withTty(false).exec(callback)) {
            if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new SandboxTimeoutException(argv.get(0) + " did not finish within " + timeout.toSeconds() + " s in sandbox " + sandboxId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while running " + argv.get(0) + " in sandbox " + sandboxId, e);
        } catch (IOException e) {
            throw new SandboxUnavailableException("lost the connection to the Docker engine: " + e.getMessage(), e);
        }
        if (overflow.get() > 0) {
            throw new SandboxTooLargeException(argv.get(0) + " printed more than " + maxOutputBytes + " bytes in sandbox " + sandboxId);
        }
        int exit = exitCode(execId);
        if (exit < 0 && broken.get() != null) {
            throw DockerEngine.failure("run " + argv.get(0) + " in sandbox " + sandboxId, broken.get());
        }
        synchronized (out) {
            return new ProcessOutcome(exit, out.toByteArray(), err.toByteArray());
        }
    }

    /** Makes the copies in {@link #ENGINE_DIR} in the container; without it, sessions run on the image's own bash (and say so in the log). */
    void installEngineShell() {
        ProcessOutcome o = runAsRoot(List.of("sh", "-c", INSTALL_ENGINE_SHELL, "sbx-install", ENGINE_DIR), INSTALL_TIMEOUT);
        if (!o.succeeded()) {
            log.warn("sandbox {}: could not install the engine shell ({}); its sessions run on the image's bash, whose descriptors "
                    + "the sandbox user's processes can open", sandboxId, o.stderrText().strip());
        }
    }

    /**
     * Starts {@link #installEngineShell} and returns at once: a new sandbox's first shell starts beside it (and waits for
     * the copies, see {@link #ENGINE_SHELL_START}) instead of after it. {@link #awaitInstall} waits for it.
     */
    void installEngineShellInBackground() {
        installing = CompletableFuture.runAsync(() -> {
            try {
                installEngineShell();
            } catch (RuntimeException e) {
                log.warn("sandbox {}: could not install the engine shell ({}); its sessions run on the image's bash, whose descriptors "
                        + "the sandbox user's processes can open", sandboxId, SandboxException.rootMessage(e));
            }
        }, INSTALLS);
    }

    /** Waits for this client's install to end, so that a client never exits (or lets go of the sandbox) in the middle of one. */
    void awaitInstall() {
        try {
            installing.get(INSTALL_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.debug("sandbox {}: the engine shell's install: {}", sandboxId, e.toString());
        }
    }

    /**
     * Starts the container when it is stopped and waits until it runs.
     *
     * @throws SandboxUnavailableException when it does not start, saying why
     */
    void ensureRunning() {
        if (Boolean.TRUE.equals(inspect().getState().getRunning())) {
            return;
        }
        try {
            docker.startContainerCmd(containerId).exec();
        } catch (NotFoundException e) {
            throw gone(e);
        } catch (RuntimeException e) {
            throw DockerEngine.failure("start sandbox " + sandboxId + " again (it is stopped)", e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Boolean.TRUE.equals(inspect().getState().getRunning())) {
            if (System.nanoTime() > deadline) {
                throw new SandboxTimeoutException("sandbox " + sandboxId + " did not start running within " + START_TIMEOUT.toSeconds() + " s");
            }
            InterruptibleSleep.sleepMillis(100, "sandbox " + sandboxId + " to start running");
        }
    }

    private String create(String asUser, List<String> argv, Map<String, String> env, boolean attachStdin, boolean tty) {
        try {
            try {
                return execCreate(asUser, argv, env, attachStdin, tty);
            } catch (ConflictException stopped) {
                log.info("sandbox {} is not running ({}); starting it again", sandboxId, SandboxException.rootMessage(stopped));
                ensureRunning();
                return execCreate(asUser, argv, env, attachStdin, tty);
            }
        } catch (NotFoundException e) {
            throw gone(e);
        } catch (ConflictException e) {
            throw new SandboxUnavailableException("sandbox " + sandboxId + " takes no commands although it was started again ("
                    + SandboxException.rootMessage(e) + "); look at it with `docker inspect sandbox-" + sandboxId + "`", e);
        } catch (SandboxException e) {
            throw e;
        } catch (RuntimeException e) {
            throw DockerEngine.failure("run a command in sandbox " + sandboxId, e);
        }
    }

    private String execCreate(String asUser, List<String> argv, Map<String, String> env, boolean attachStdin, boolean tty) {
        ExecCreateCmdResponse r = docker.execCreateCmd(containerId)
                .withCmd(argv.toArray(String[]::new))
                .withEnv(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                .withUser(asUser)
                .withAttachStdin(attachStdin)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .withTty(tty)
                .exec();
        return r.getId();
    }

    /**
     * Why a shell's exec ended, when the shell did not end by itself: the container stopped or was removed, or the
     * engine cannot be reached. A shell killed by a signal (or of unknown status) may be the first sign of its
     * container dying, which the engine records a moment later; so for those the container is watched a little.
     */
    private Optional<SandboxUnavailableException> lostWith(int shellExit) {
        long deadline = System.nanoTime() + CONTAINER_END_GRACE.toNanos();
        while (true) {
            InspectContainerResponse c;
            try {
                c = docker.inspectContainerCmd(containerId).exec();
            } catch (NotFoundException e) {
                return Optional.of(new SandboxUnavailableException("sandbox " + sandboxId + " was removed (its container is gone), and its "
                        + "sessions with it; create a new sandbox", e));
            } catch (RuntimeException e) {
                if (!DockerEngine.unreachable(e)) {
                    return Optional.empty();
                }
                return Optional.of(new SandboxUnavailableException("the connection to the Docker engine at " + DockerEngine.address()
                        + " broke (" + SandboxException.rootMessage(e) + "); is dockerd running? Once the engine answers again, the next command "
                        + "starts sandbox " + sandboxId + " again if it stopped and " + RESTORES, e));
            }
            InspectContainerResponse.ContainerState state = c.getState();
            if (!Boolean.TRUE.equals(state.getRunning())) {
                return Optional.of(new SandboxUnavailableException("sandbox " + sandboxId + " stopped: " + stopCause(c)
                        + "; the processes in it, background ones too, ended with it. The next command starts it again and " + RESTORES));
            }
            if ((shellExit >= 0 && shellExit < 128) || System.nanoTime() > deadline) {
                return Optional.empty();
            }
            try {
                InterruptibleSleep.sleepMillis(50, "the engine to record how sandbox " + sandboxId + " ended");
            } catch (SandboxUnavailableException interrupted) {
                return Optional.empty(); // asked to stop: the shell's own end is the answer
            }
        }
    }

    /** The container's end as the engine tells it: exit code, the signal it means, running out of memory. */
    private static String stopCause(InspectContainerResponse c) {
        InspectContainerResponse.ContainerState state = c.getState();
        Long exit = state.getExitCodeLong();
        StringBuilder sb = new StringBuilder("its container exited");
        if (exit != null) {
            sb.append(" with code ").append(exit);
            if (exit > 128 && exit < 160) {
                sb.append(" (killed by signal ").append(exit - 128).append(')');
            }
            if (exit == 128 + 9 && !Boolean.TRUE.equals(state.getOOMKilled())) {
                sb.append(": every process in it was killed (by docker kill, or a command's \"kill -9 -1\")");
            }
        }
        if (Boolean.TRUE.equals(state.getOOMKilled())) {
            Long limit = c.getHostConfig() == null ? null : c.getHostConfig().getMemory();
            sb.append(", out of memory: the engine killed it at its memory limit");
            if (limit != null && limit > 0) {
                sb.append(" of ").append(ByteSize.binary(limit));
            }
        }
        if (state.getError() != null && !state.getError().isEmpty()) {
            sb.append(", engine error: ").append(state.getError());
        }
        return sb.toString();
    }

    private InspectContainerResponse inspect() {
        try {
            return docker.inspectContainerCmd(containerId).exec();
        } catch (NotFoundException e) {
            throw gone(e);
        } catch (RuntimeException e) {
            throw DockerEngine.failure("look at sandbox " + sandboxId, e);
        }
    }

    private SandboxNotFoundException gone(NotFoundException e) {
        return new SandboxNotFoundException("sandbox " + sandboxId + " no longer exists (its container is gone)", e);
    }

    /** The exec's exit status; the engine may take a moment after the stream ends to record it. */
    private int exitCode(String execId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        try {
            while (true) {
                var r = docker.inspectExecCmd(execId).exec();
                if (!Boolean.TRUE.equals(r.isRunning()) && r.getExitCodeLong() != null) {
                    return r.getExitCodeLong().intValue();
                }
                if (System.nanoTime() > deadline) {
                    return -1;
                }
                InterruptibleSleep.sleepMillis(20, "the engine to record the exit status of exec " + execId);
            }
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
