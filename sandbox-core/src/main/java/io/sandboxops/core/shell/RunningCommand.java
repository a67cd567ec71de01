package io.sandboxops.core.shell;

import io.sandboxops.core.api.SandboxException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One command sent to a {@link ShellSession}: its output as it arrives (stdout and stderr apart, and both
 * interleaved for the interactive view) and, once its end markers came, how it ended.
 */
public final class RunningCommand {

    /**
     * How a command ended. {@code shellExited} means the engine shell itself ended (it was killed, or its machine went
     * away); {@code stateSaved} that the state the command left (cwd, variables, functions) was saved.
     */
    public record Completion(int exitCode, OptionalLong backgroundPid, String cwd, boolean shellExited, boolean stateSaved) {
    }

    /** The most bytes of "exit:pid:saved:cwd" after the stdout marker: a cwd is at most PATH_MAX (4096) bytes. */
    private static final int MAX_TRAILER = 8192;

    private final String command;
    private final Instant startedAt = Instant.now();
    private final long startNanos = System.nanoTime();
    private final CappedBuffer stdout;
    private final CappedBuffer stderr;
    private final CappedBuffer combined;
    private final MarkerScanner stdoutScanner;
    private final MarkerScanner stderrScanner;
    private final ByteArrayOutputStream trailer = new ByteArrayOutputStream();
    private final CompletableFuture<Completion> completion = new CompletableFuture<>();
    private volatile long endNanos;
    private volatile boolean timedOut;
    private volatile SandboxException lost;
    private boolean stdoutDone;
    private boolean stderrDone;

    RunningCommand(String command, String token, long maxOutputBytes) {
        this.command = command;
        this.stdout = new CappedBuffer(maxOutputBytes);
        this.stderr = new CappedBuffer(maxOutputBytes);
        this.combined = new CappedBuffer(maxOutputBytes);
        this.stdoutScanner = new MarkerScanner(("\036SBX-END-" + token + ":").getBytes(StandardCharsets.US_ASCII), (b, o, l) -> {
            stdout.append(b, o, l);
            combined.append(b, o, l);
        });
        this.stderrScanner = new MarkerScanner(("\036SBX-END-" + token + "\036").getBytes(StandardCharsets.US_ASCII), (b, o, l) -> {
            stderr.append(b, o, l);
            combined.append(b, o, l);
        });
    }

    public String command() {
        return command;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public boolean isDone() {
        return completion.isDone();
    }

    public boolean timedOut() {
        return timedOut;
    }

    void markTimedOut() {
        timedOut = true;
    }

    private volatile boolean engineStopped;

    /** The engine shell was found stopped while this command ran, and was ended. */
    void noteEngineStopped() {
        engineStopped = true;
    }

    boolean engineStopped() {
        return engineStopped;
    }

    /** Waits for the end markers. @return how it ended, or empty when {@code timeout} passed first */
    public Optional<Completion> await(Duration timeout) {
        try {
            return Optional.of(completion.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** @return how it ended; empty while it runs */
    public Optional<Completion> completion() {
        return Optional.ofNullable(completion.getNow(null));
    }

    public String stdoutText() {
        return stdout.text("stdout");
    }

    public String stderrText() {
        return stderr.text("stderr");
    }

    /** stdout and stderr in the order they arrived. */
    public String combinedText() {
        return combined.text("output");
    }

    public long stdoutDropped() {
        return stdout.dropped();
    }

    public long stderrDropped() {
        return stderr.dropped();
    }

    /** Wall-clock time from start to the end marker, or until now while it runs. */
    public Duration duration() {
        long end = endNanos == 0 ? System.nanoTime() : endNanos;
        return Duration.ofNanos(end - startNanos);
    }

    synchronized void onStdout(byte[] bytes, int offset, int length) {
        if (stdoutDone) {
            return;
        }
        int from;
        if (stdoutScanner.found()) {
            from = offset;
        } else {
            from = stdoutScanner.scan(bytes, offset, length);
            if (from < 0) {
                return;
            }
        }
        // After the marker come "exit:bgpid:saved:cwd" and a NUL; more than a trailer can hold is not one.
        int end = offset + length;
        for (int i = from; i < end; i++) {
            if (bytes[i] == 0) {
                trailer.write(bytes, from, Math.min(i - from, MAX_TRAILER + 1 - trailer.size()));
                stdoutDone = true;
                finishIfBoth();
                return;
            }
        }
        trailer.write(bytes, from, Math.max(0, Math.min(end - from, MAX_TRAILER + 1 - trailer.size())));
    }

    synchronized void onStderr(byte[] bytes, int offset, int length) {
        if (stderrDone) {
            return;
        }
        if (stderrScanner.scan(bytes, offset, length) >= 0) {
            stderrDone = true;
            finishIfBoth();
        }
    }

    /** Why the command did not finish when the machine under its shell went away; empty otherwise. */
    public Optional<SandboxException> lost() {
        return Optional.ofNullable(lost);
    }

    /** The machine under the shell went away before the markers came: the command fails with {@code reason}. */
    synchronized void onShellLost(SandboxException reason, String cwdAfter) {
        if (completion.isDone()) {
            return;
        }
        lost = reason;
        onShellClosed(-1, cwdAfter);
    }

    /** The shell ended before the markers came: the command ends with the shell's exit status. */
    synchronized void onShellClosed(int exitCode, String cwdAfter) {
        if (completion.isDone()) {
            return;
        }
        endNanos = System.nanoTime();
        completion.complete(new Completion(exitCode, OptionalLong.empty(), cwdAfter, true, false));
    }

    private void finishIfBoth() {
        if (!(stdoutDone && stderrDone) || completion.isDone()) {
            return;
        }
        endNanos = System.nanoTime();
        try {
            completion.complete(parseTrailer(trailer.toString(StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            lost = new SandboxException(e.getMessage() + "; the next command starts a new shell with the session's saved state");
            completion.complete(new Completion(-1, OptionalLong.empty(), "", true, false));
        }
    }

    /**
     * Parses "exit:bgpid:saved:cwd". Only the engine shell can print the marker before it (the token never reaches a
     * command), so a trailer that does not parse means the engine itself is broken: it is reported, never guessed at.
     */
    static Completion parseTrailer(String t) {
        String[] f = t.split(":", 4);
        if (t.length() > MAX_TRAILER || f.length != 4 || !f[0].matches("[0-9]{1,3}") || !f[1].matches("[0-9]{0,10}")
                || !f[2].matches("[01]") || f[3].isEmpty()) {
            throw new IllegalArgumentException("the session's shell ended a command with a malformed status ("
                    + Math.min(t.length(), MAX_TRAILER) + " bytes)");
        }
        return new Completion(Integer.parseInt(f[0]), f[1].isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(f[1])), f[3],
                false, f[2].equals("1"));
    }
}
