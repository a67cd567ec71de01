package io.sandboxops.executor;

import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.api.TerminalSize;
import io.sandboxops.core.shell.ShellScript;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One terminal of a session worker: a bash on a pseudo-terminal, held by a small Python program
 * ({@code pty-holder.py}) that the worker talks to through pipes. Why Python and not a Java PTY library (pty4j): such a
 * library loads native code that it first unpacks into a temporary directory; the worker runs as the sandbox's user,
 * so code in the sandbox could swap that file and run inside the worker, which holds the sandbox's mailbox key and
 * storage token. The holder holds no secret (its environment is the terminal's), sets the size with TIOCSWINSZ (so a
 * resize is real, SIGWINCH included) and exits with the shell's own status from {@code waitpid}.
 *
 * <p>Output flows through a bounded buffer ({@link #BUFFER} bytes): when the client reads slower than the programs
 * write, the pump stops reading, the holder stops reading the pseudo-terminal, and the writer ({@code cat} of a big
 * file) blocks in the kernel. Nothing is dropped and no buffer grows. Thread-safe.
 */
final class PtyTerminal {
    /** Output held for the client, not yet acknowledged. */
    static final int BUFFER = 1 << 20;
    /** How long output that has just started keeps gathering before a read answers: an echo and its prompt go as one. */
    private static final long LINGER_NANOS = Duration.ofMillis(3).toNanos();
    /** The holder's own grace (2 s from SIGHUP to SIGKILL) and a margin. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(4);
    private static final String HOLDER = loadHolder();

    private final String id;
    private final String session;
    private final Process holder;
    private final OutputStream toHolder;
    private final List<Path> startFiles;
    private final Thread pump;
    private volatile long lastContact = System.nanoTime();
    /** Reads waiting here now: while one waits, its client is there. */
    private final java.util.concurrent.atomic.AtomicInteger reading = new java.util.concurrent.atomic.AtomicInteger();
    private long inputOffset;
    /** Input requests taken, and reads answered with output: what batching saves, for the close's log line. */
    private final java.util.concurrent.atomic.AtomicLong inputs = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong outputs = new java.util.concurrent.atomic.AtomicLong();
    private TerminalSize size;

    // The output buffer: bytes [base, base + length) of the terminal's output, guarded by this.
    private final byte[] buffer = new byte[BUFFER];
    private int length;
    private long base;
    private boolean ended;
    private Integer exitCode;

    private PtyTerminal(String id, String session, Process holder, List<Path> startFiles, TerminalSize size) {
        this.id = id;
        this.session = session;
        this.holder = holder;
        this.toHolder = holder.getOutputStream();
        this.startFiles = startFiles;
        this.size = size;
        this.pump = new Thread(this::pump, "terminal-" + id.substring(0, 8));
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts a terminal.
     *
     * @param state   the session's saved state (bash, as its last good slot holds it, read whole now); the terminal
     *                restores it and never writes the session's slots
     * @param fresh   the environment of a session that never ran a command (its {@code state} is empty); a restored state
     *                replaces it
     * @param cwd     where the shell starts, on this machine
     * @param scratch the executor's scratch directory, for the terminal's start-up file
     */
    static PtyTerminal start(String id, String session, TerminalSize size, String state, Map<String, String> fresh, Path cwd, Path scratch) {
        String python = python().orElseThrow(() -> new SandboxUnavailableException("terminals need python3 (/usr/bin/python3) in the "
                + "executor image, which this one lacks; build the executor image from the sandbox image (executor/build-image.sh)"));
        Path rc;
        Path saved;
        try {
            Path dir = Files.createDirectories(scratch.resolve("terminals"));
            rc = dir.resolve(id + ".rc");
            saved = dir.resolve(id + ".state");
            // The same start file as Docker's terminals: it restores the state handed on descriptor 4 the way the engine
            // does and makes the shell an interactive one with TERM=xterm-256color.
            Files.writeString(rc, ShellScript.TERMINAL_RC.text(), StandardCharsets.UTF_8);
            Files.writeString(saved, state, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the start-up files of terminal " + id + " in " + scratch, e);
        }
        ProcessBuilder pb = new ProcessBuilder(python, "-I", "-S", "-c", HOLDER, Integer.toString(size.columns()),
                Integer.toString(size.rows()), cwd.toString(), rc.toString(), saved.toString());
        // Nothing of the executor's environment (its storage token, its mailbox key) reaches the terminal: the shell's
        // variables are the session's saved state, or a fresh session's.
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(fresh);
        env.put("TERM", "xterm-256color");
        if (Files.isDirectory(cwd)) {
            pb.directory(cwd.toFile());
        }
        try {
            return new PtyTerminal(id, session, pb.start(), List.of(rc, saved), size);
        } catch (IOException e) {
            throw new SandboxException("cannot start terminal " + id + " (" + python + "): " + e.getMessage(), e);
        }
    }

    private static Optional<String> python() {
        return List.of("/usr/bin/python3", "/usr/local/bin/python3").stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst();
    }

    String id() {
        return id;
    }

    String session() {
        return session;
    }

    /** Nanos since a client last asked anything of it, for the idle limit; 0 while a read waits. */
    long idleNanos() {
        return reading.get() > 0 ? 0 : System.nanoTime() - lastContact;
    }

    void touch() {
        lastContact = System.nanoTime();
    }

    /** For the log: input requests and bytes typed, output answers and bytes sent. */
    synchronized Map<String, Long> traffic() {
        synchronized (toHolder) {
            return Map.of("input_requests", inputs.get(), "input_bytes", inputOffset, "output_answers", outputs.get(), "output_bytes", base + length);
        }
    }

    /** Whether the shell has ended and all its output was read. */
    synchronized boolean finished() {
        return ended && length == 0;
    }

    /**
     * Types {@code bytes}, which follow the first {@code offset} bytes the client sent. A batch already typed is not
     * typed again; one that would leave a gap is refused.
     */
    void input(long offset, byte[] bytes) {
        touch();
        synchronized (toHolder) {
            if (offset > inputOffset) {
                throw new SandboxInvalidInputException("terminal input out of order: it starts at byte " + offset
                        + " but the terminal has had " + inputOffset + " bytes; send the bytes in between first");
            }
            int skip = (int) Math.min(bytes.length, inputOffset - offset);
            if (skip == bytes.length) {
                return;
            }
            frame('i', bytes, skip, bytes.length - skip);
            inputOffset += bytes.length - skip;
            inputs.incrementAndGet();
        }
    }

    void resize(TerminalSize s) {
        touch();
        byte[] p = {(byte) (s.columns() >> 8), (byte) s.columns(), (byte) (s.rows() >> 8), (byte) s.rows()};
        synchronized (toHolder) {
            frame('r', p, 0, 4);
            size = s;
        }
    }

    private void frame(char kind, byte[] b, int from, int n) {
        try {
            toHolder.write(new byte[] {(byte) kind, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
            toHolder.write(b, from, n);
            toHolder.flush();
        } catch (IOException e) {
            throw new io.sandboxops.core.api.SandboxNotFoundException("terminal " + id + " has ended");
        }
    }

    /**
     * Output from {@code offset} on, waiting up to {@code wait} for some. Everything before {@code offset} is
     * acknowledged and dropped.
     */
    Chunk read(long offset, int max, Duration wait) throws InterruptedException {
        touch();
        reading.incrementAndGet();
        try {
            synchronized (this) {
                if (offset < base || offset > base + length) {
                    throw new SandboxInvalidInputException("terminal " + id + " holds output from byte " + base + " to " + (base + length)
                            + "; a read from byte " + offset + " is outside it");
                }
                int drop = (int) (offset - base);
                if (drop > 0) {
                    System.arraycopy(buffer, drop, buffer, 0, length - drop);
                    length -= drop;
                    base = offset;
                    notifyAll();
                }
                long deadline = System.nanoTime() + wait.toNanos();
                while (length == 0 && !ended) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return new Chunk(base, new byte[0], false, null);
                    }
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
                }
                long linger = System.nanoTime() + LINGER_NANOS;
                while (!ended && length < max && System.nanoTime() < linger) {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, linger - System.nanoTime()));
                }
                int n = Math.min(length, max);
                byte[] out = java.util.Arrays.copyOf(buffer, n);
                if (n > 0) {
                    outputs.incrementAndGet();
                }
                return new Chunk(base, out, ended && n == length, ended && n == length ? exitCode : null);
            }
        } finally {
            reading.decrementAndGet();
            touch();
        }
    }

    /** A piece of output: bytes from {@code offset}; {@code ended} when they are the last, with the shell's status. */
    record Chunk(long offset, byte[] data, boolean ended, Integer exitCode) {
    }

    /** Reads the holder's output into the buffer, waiting while it is full. */
    private void pump() {
        byte[] chunk = new byte[64 * 1024];
        try (InputStream in = holder.getInputStream()) {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                int done = 0;
                synchronized (this) {
                    while (done < n) {
                        while (length == BUFFER) {
                            wait();
                        }
                        int k = Math.min(n - done, BUFFER - length);
                        System.arraycopy(chunk, done, buffer, length, k);
                        length += k;
                        done += k;
                        notifyAll();
                    }
                }
            }
            // The output has ended: the shell's status follows on the holder's stderr (the holder stays until the close).
            StringBuilder line = new StringBuilder();
            InputStream err = holder.getErrorStream();
            for (int b = err.read(); b >= 0 && b != '\n' && line.length() < 8; b = err.read()) {
                line.append((char) b);
            }
            end(line.toString().matches("[0-9]{1,3}") ? Integer.parseInt(line.toString()) : holder.waitFor());
        } catch (IOException e) {
            end(holder.isAlive() ? 129 : holder.exitValue());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end(129);
        } finally {
            closeQuietly(holder.getErrorStream());
            for (Path f : startFiles) {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    // The scratch directory goes with the execution.
                }
            }
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // nothing held
        }
    }

    private synchronized void end(int status) {
        if (!ended) {
            exitCode = status;
            ended = true;
            notifyAll();
        }
    }

    /**
     * Ends the terminal, whether its shell still runs or has exited: the holder hangs up the shell's session and what
     * holds the terminal (SIGHUP, SIGKILL after its grace); should the holder not be gone by {@link #CLOSE_GRACE}, it and
     * its descendants are killed from here.
     *
     * @return the shell's exit status
     */
    int close() {
        try {
            synchronized (toHolder) {
                frame('h', new byte[0], 0, 0);
                toHolder.close();
            }
        } catch (RuntimeException | IOException e) {
            // Already gone.
        }
        try {
            if (!holder.waitFor(CLOSE_GRACE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                holder.descendants().forEach(ProcessHandle::destroyForcibly);
                holder.destroyForcibly();
                holder.waitFor(CLOSE_GRACE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            pump.join(CLOSE_GRACE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (!ended) {
                exitCode = holder.isAlive() ? 129 : holder.exitValue();
                ended = true;
            }
            // Nobody will read what is left: let the pump go.
            length = 0;
            notifyAll();
            return exitCode;
        }
    }

    private static String loadHolder() {
        try (InputStream in = PtyTerminal.class.getResourceAsStream("pty-holder.py")) {
            if (in == null) {
                throw new IllegalStateException("pty-holder.py is missing from the executor's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
