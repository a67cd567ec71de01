package io.sandboxops.core.docker;

import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxTimeoutException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.api.Terminal;
import io.sandboxops.core.api.TerminalSize;
import io.sandboxops.core.env.ControlCharacters;
import io.sandboxops.core.shell.ShellScript;
import io.sandboxops.core.util.InterruptibleSleep;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A terminal on Docker: an exec with a pseudo-terminal ({@code Tty}) running an interactive bash as the sandbox
 * user. The exec starts {@code terminal.bash}, which first tells on the stream who the terminal is (its shell's pid and
 * start time, its device), sets the size, and starts the bash with the session's last good state (read, never written:
 * a terminal is not the session's engine). The exec is the leader of its own session (the engine makes it so for a TTY
 * exec); {@link #close} ends every process of that session through {@code close-terminal.bash}, run as the sandbox
 * user in an exec of its own.
 */
final class DockerTerminal implements Terminal {
    private static final Logger log = LoggerFactory.getLogger(DockerTerminal.class);
    /** The first line of every terminal's stream (terminal.bash): "sbx-terminal PID START TTY", and the line feed the terminal makes "\r\n". */
    private static final Pattern WHO = Pattern.compile("sbx-terminal ([1-9][0-9]{0,9}) ([0-9]{1,20}) (/dev/pts/[0-9]{1,9}|-)\r?");
    private static final int MAX_WHO = 128;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** How long the terminal's processes are given after SIGHUP before SIGKILL. */
    private static final Duration HANGUP_GRACE = Duration.ofSeconds(1);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(15);

    private final DockerShellHost host;
    private final String sandboxId;
    private final String sessionId;
    /** The close-terminal.bash arguments that name this terminal: its shell's pid, start time and device. */
    private final List<String> who;
    private final StdinPipe stdin = new StdinPipe();
    private final ExecStream output;
    private final String execId;
    private final Consumer<DockerTerminal> onClose;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile TerminalSize size;

    /**
     * Starts the terminal's shell.
     *
     * @param stateDir the session's state directory in the container
     * @param onClose  told once the terminal is closed
     */
    DockerTerminal(DockerShellHost host, String sandboxId, String sessionId, String stateDir, TerminalSize size,
            Consumer<DockerTerminal> onClose) {
        this.host = host;
        this.onClose = onClose;
        this.sandboxId = sandboxId;
        this.sessionId = sessionId;
        this.size = size;
        // No exit status through the stream: waitFor asks the engine, whether the output was read or not.
        this.output = new ExecStream("the terminal on session " + sessionId + " in sandbox " + sandboxId, ExecStream.NO_IDLE_TIMEOUT, () -> -1);
        List<String> argv = ShellScript.TERMINAL.argv(List.of(stateDir, Integer.toString(size.columns()), Integer.toString(size.rows()),
                ShellScript.TERMINAL_RC.text()));
        this.execId = host.startTty(argv, Map.of("TERM", "xterm-256color"), stdin, output);
        this.who = readWho();
    }

    /**
     * Reads the stream's first line, which terminal.bash prints before anything of the user's runs.
     *
     * @throws SandboxUnavailableException when the shell did not start, with what it printed instead
     */
    private List<String> readWho() {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            StringBuilder sb = new StringBuilder();
            try {
                for (int c; sb.length() < MAX_WHO && (c = output.stdout().read()) >= 0 && c != '\n'; ) {
                    sb.append((char) c);
                }
            } catch (IOException e) {
                sb.append(" (").append(e.getMessage()).append(')');
            }
            return sb.toString();
        });
        String first;
        try {
            first = line.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            abandon();
            throw new SandboxTimeoutException("the terminal on session " + sessionId + " in sandbox " + sandboxId + " did not start within "
                    + START_TIMEOUT.toSeconds() + " s; is the sandbox overloaded (its pids or memory limit)?");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon();
            throw new SandboxException("interrupted while opening a terminal in sandbox " + sandboxId, e);
        } catch (ExecutionException e) {
            abandon();
            throw new SandboxUnavailableException("could not open a terminal in sandbox " + sandboxId + ": " + e.getCause().getMessage(), e);
        }
        Matcher m = WHO.matcher(first);
        if (!m.matches()) {
            abandon();
            throw new SandboxUnavailableException("the terminal's shell did not start in sandbox " + sandboxId + "; it printed \""
                    + ControlCharacters.escape(first.strip()) + "\" (exit status " + host.exitStatus(execId).orElse(-1)
                    + "). Does the image have bash?");
        }
        return List.of(m.group(1), m.group(2), m.group(3));
    }

    /** Lets go of a terminal that did not start as it should: no process of it is known to end. */
    private void abandon() {
        closed.set(true);
        stdin.finish();
        output.close();
    }

    @Override
    public String sessionId() {
        return sessionId;
    }

    @Override
    public void write(byte[] bytes) {
        requireRunning();
        try {
            stdin.send(bytes);
        } catch (IOException e) {
            throw ended(e);
        }
    }

    @Override
    public InputStream output() {
        return output.stdout();
    }

    @Override
    public void resize(TerminalSize newSize) {
        requireRunning();
        try {
            host.resizeTty(execId, newSize.columns(), newSize.rows());
        } catch (SandboxException e) {
            // The shell may have exited since the check: then that is the answer, not the engine's refusal.
            if (host.exitStatus(execId).isPresent()) {
                throw ended(e);
            }
            throw e;
        }
        size = newSize;
    }

    @Override
    public TerminalSize size() {
        return size;
    }

    @Override
    public OptionalInt waitFor(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 10;
        while (true) {
            OptionalInt exit = host.exitStatus(execId);
            if (exit.isPresent() || System.nanoTime() >= deadline) {
                return exit;
            }
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            InterruptibleSleep.sleepMillis(Math.min(pause, left), "the terminal's shell to exit");
            pause = Math.min(pause * 2, 250);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            List<String> args = new ArrayList<>(who);
            args.add(Long.toString(HANGUP_GRACE.toMillis() / 100));
            var o = host.run(ShellScript.CLOSE_TERMINAL.argv(args), CLOSE_TIMEOUT, 64 * 1024);
            if (!o.succeeded()) {
                log.warn("sandbox {}: ending the terminal on session {} failed ({}); its processes may still run", sandboxId, sessionId,
                        o.stderrText().strip());
            }
        } catch (SandboxException e) {
            // The sandbox is gone or unreachable: so are the terminal's processes, or nothing can reach them now.
            log.debug("sandbox {}: could not end the terminal's processes: {}", sandboxId, e.getMessage());
        }
        stdin.finish();
        output.close();
        onClose.accept(this);
    }

    private void requireRunning() {
        if (closed.get() || output.ended()) {
            throw ended(null);
        }
    }

    private SandboxNotFoundException ended(Throwable cause) {
        return new SandboxNotFoundException("the terminal on session " + sessionId + " in sandbox " + sandboxId + " has ended ("
                + (closed.get() ? "it was closed" : "its shell exited") + "); open a new one", cause);
    }
}
