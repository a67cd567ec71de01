package io.sandboxops.core.shell;

import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxTimeoutException;
import io.sandboxops.core.api.SandboxTooLargeException;
import io.sandboxops.core.api.SandboxUnavailableException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Shells as processes of this machine: the transport of the Cloud Run executor (inside its container) and of
 * the engine's own tests. Each shell runs under {@code setsid}, so it leads its own process group and an
 * interrupt of its command never reaches this JVM.
 */
public final class LocalShellHost implements ShellHost {
    /** Where the executor's image keeps its engine shell (see {@link #onThisMachine}). */
    public static final Path ENGINE_DIR = Path.of("/usr/lib/sandboxops/engine");

    private final Path workdir;
    private final Optional<Path> engineDir;

    /**
     * @param workdir   where new shells start
     * @param engineDir a directory holding copies of {@code bash} and {@code setsid} that this process's user may execute
     *                  but not read (root's, mode 0111): a shell started from them is not dumpable, so the commands it
     *                  runs, as the same user, cannot open its descriptors through /proc (the pipe that carries each
     *                  command's one-time token) nor trace it. Empty: the machine's own, which they can.
     */
    public LocalShellHost(Path workdir, Optional<Path> engineDir) {
        this.workdir = workdir;
        this.engineDir = engineDir;
    }

    /** Shells of this machine, from {@code SANDBOX_ENGINE_DIR} or {@link #ENGINE_DIR} when it holds both copies. */
    public static LocalShellHost onThisMachine(Path workdir, Map<String, String> env) {
        String configured = env.getOrDefault("SANDBOX_ENGINE_DIR", "");
        Path dir = configured.isBlank() ? ENGINE_DIR : Path.of(configured);
        boolean usable = Files.isExecutable(dir.resolve("bash")) && Files.isExecutable(dir.resolve("setsid"));
        return new LocalShellHost(workdir, usable ? Optional.of(dir) : Optional.empty());
    }

    /** Whether shells run from the unreadable engine copies. */
    public boolean contained() {
        return engineDir.isPresent();
    }

    @Override
    public ShellTransport openShell(Map<String, String> env, ShellOutput output) {
        String setsid = engineDir.map(d -> d.resolve("setsid").toString()).orElse("setsid");
        String bash = engineDir.map(d -> d.resolve("bash").toString()).orElse("bash");
        ProcessBuilder pb = new ProcessBuilder(setsid, "-w", bash, "--noprofile", "--norc").directory(workdir.toFile());
        withoutHostCredentials(pb);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new SandboxUnavailableException("cannot start bash on this machine: " + e.getMessage(), e);
        }
        return new LocalTransport(p, output);
    }

    /**
     * A shell or command started here does not inherit this process's own {@code SANDBOXOPS_*} variables (in the
     * executor: the session's storage token and mailbox key, the emulator's endpoints). They are the executor's, not the
     * session's: inherited, they would be exported into the saved state, listed by {@code session info} and restored
     * into later shells. This is hygiene, not a boundary: commands run as the executor's user in its container, and the
     * token opens only this session's own objects.
     */
    private static ProcessBuilder withoutHostCredentials(ProcessBuilder pb) {
        pb.environment().keySet().removeIf(name -> name.startsWith("SANDBOXOPS_"));
        return pb;
    }

    @Override
    public ProcessOutcome run(List<String> argv, Duration timeout, long maxOutputBytes) {
        Process p;
        try {
            p = withoutHostCredentials(new ProcessBuilder(argv).directory(workdir.toFile())).start();
        } catch (IOException e) {
            throw new SandboxUnavailableException("cannot run " + argv.get(0) + " on this machine: " + e.getMessage(), e);
        }
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream(), maxOutputBytes));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream(), 1024 * 1024));
        try {
            p.getOutputStream().close();
        } catch (IOException e) {
            // It has no input either way.
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new SandboxTimeoutException(argv.get(0) + " did not finish within " + timeout.toSeconds() + " s");
            }
            return new ProcessOutcome(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while waiting for " + argv.get(0), e);
        } catch (java.util.concurrent.CompletionException e) {
            p.destroyForcibly();
            if (e.getCause() instanceof SandboxException se) {
                throw se;
            }
            throw new SandboxException("could not read the output of " + argv.get(0) + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static byte[] drain(InputStream in, long max) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[64 * 1024];
        try (in) {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                if (buf.size() + n > max) {
                    throw new SandboxTooLargeException("output larger than " + max + " bytes");
                }
                buf.write(chunk, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }

    private static final class LocalTransport implements ShellTransport {
        private final Process process;
        private final OutputStream stdin;

        LocalTransport(Process process, ShellOutput output) {
            this.process = process;
            this.stdin = process.getOutputStream();
            Thread out = pump(process.getInputStream(), output, true);
            Thread err = pump(process.getErrorStream(), output, false);
            Thread watcher = new Thread(() -> {
                try {
                    out.join();
                    err.join();
                    output.closed(process.waitFor());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "shell-exit-" + process.pid());
            watcher.setDaemon(true);
            watcher.start();
        }

        private static Thread pump(InputStream in, ShellOutput output, boolean isStdout) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[64 * 1024];
                try (in) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        if (isStdout) {
                            output.stdout(buf, 0, n);
                        } else {
                            output.stderr(buf, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // The process went away; the watcher reports its exit.
                }
            }, isStdout ? "shell-stdout" : "shell-stderr");
            t.setDaemon(true);
            t.start();
            return t;
        }

        @Override
        public synchronized void write(byte[] bytes) throws IOException {
            stdin.write(bytes);
            stdin.flush();
        }

        @Override
        public void close() {
            try {
                stdin.close();
            } catch (IOException e) {
                // already closed
            }
            if (process.isAlive()) {
                try {
                    if (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
                        process.destroy();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    process.destroy();
                }
            }
        }
    }
}
