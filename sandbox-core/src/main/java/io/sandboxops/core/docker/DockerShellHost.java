package io.sandboxops.core.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Shells and one-shot commands as Docker execs in one container, as the sandbox user. */
final class DockerShellHost implements ShellHost {
    private final DockerClient docker;
    private final String containerId;
    private final String sandboxId;
    private final String user;

    DockerShellHost(DockerClient docker, String containerId, String sandboxId, String user) {
        this.docker = docker;
        this.containerId = containerId;
        this.sandboxId = sandboxId;
        this.user = user;
    }

    @Override
    public ShellTransport openShell(Map<String, String> env, ShellOutput output) {
        String execId = create(List.of("setsid", "-w", "bash", "--noprofile", "--norc"), env, true);
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
                super.onError(throwable);
                reportExit();
            }

            /** Off the stream's thread: it is interrupted as the stream ends, which would cancel the inspect call. */
            private void reportExit() {
                CompletableFuture.runAsync(() -> output.closed(exitCode(execId)));
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
        String execId = create(argv, Map.of(), false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AtomicLong overflow = new AtomicLong();
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
        synchronized (out) {
            return new ProcessOutcome(exitCode(execId), out.toByteArray(), err.toByteArray());
        }
    }

    private String create(List<String> argv, Map<String, String> env, boolean attachStdin) {
        try {
            ExecCreateCmdResponse r = docker.execCreateCmd(containerId)
                    .withCmd(argv.toArray(String[]::new))
                    .withEnv(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                    .withUser(user)
                    .withAttachStdin(attachStdin)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .withTty(false)
                    .exec();
            return r.getId();
        } catch (NotFoundException e) {
            throw new SandboxNotFoundException("sandbox " + sandboxId + " no longer exists (its container is gone)", e);
        } catch (com.github.dockerjava.api.exception.ConflictException e) {
            throw new SandboxUnavailableException("sandbox " + sandboxId + " is not running; start it again with `sandboxctl session info "
                    + sandboxId + "` or create a new one", e);
        } catch (RuntimeException e) {
            throw new SandboxUnavailableException("the Docker engine refused to run a command in sandbox " + sandboxId + ": "
                    + DockerEngine.rootMessage(e), e);
        }
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
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
