package io.sandboxops.core.shell;

import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.SandboxConflictException;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxTimeoutException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.env.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session: a persistent bash driven over its stdin (DESIGN §3). Each command is sent wrapped so that the
 * shell answers with an end marker on stdout (exit status, background pid, cwd) and one on stderr; after each
 * command the shell saves its cwd and exported environment to the session's state directory, and a new
 * {@code ShellSession} on the same directory (another client, or this one after the shell died) restores them.
 *
 * <p>One command runs at a time. Thread-safe.
 */
public final class ShellSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShellSession.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Exit status reported when a timed-out command could only be ended by restarting its shell. */
    public static final int EXIT_SHELL_RESTARTED = 124;

    /**
     * @param maxOutputBytes   the most bytes kept of each of stdout and stderr
     * @param startTimeout     how long a new shell may take to answer
     * @param interruptGrace   how long each step of an interrupt (SIGINT, SIGKILL, ending the shell) is given
     * @param probeInterval    how often a running command's engine shell is checked for being stopped
     */
    public record Options(long maxOutputBytes, Duration startTimeout, Duration interruptGrace, Duration probeInterval) {
        public static Options defaults() {
            return new Options(1024 * 1024, Duration.ofSeconds(30), Duration.ofMillis(1500), Duration.ofSeconds(2));
        }

        public Options withMaxOutputBytes(long bytes) {
            return new Options(bytes, startTimeout, interruptGrace, probeInterval);
        }
    }

    /** How a command's stdin and lifetime are arranged. */
    public enum Mode {
        /** stdin at end-of-file; a trailing {@code &} makes it a background process. */
        STATEFUL,
        /** stdin fed by {@link #writeInput}; for the legacy interactive {@code exec}. */
        INTERACTIVE
    }

    private final ShellHost host;
    private final String sessionId;
    private final String stateDir;
    private final Options options;
    private final Object lock = new Object();

    private ShellTransport transport;
    private volatile long shellPid;
    private volatile boolean shellAlive;
    private volatile RunningCommand current;
    private volatile RunningCommand lastInteractive;
    private volatile String cwd = "";
    /** Which transport is current; output and exit of an older one are ignored. */
    private volatile int generation;

    /**
     * @param stateRoot the directory (on the host) holding every session's state directory
     */
    public ShellSession(ShellHost host, String stateRoot, String sessionId, Options options) {
        this.host = host;
        this.sessionId = sessionId;
        this.stateDir = stateRoot + "/" + sessionId;
        this.options = options;
    }

    public String sessionId() {
        return sessionId;
    }

    /** The cwd after the last command that ended. */
    public String cwd() {
        synchronized (lock) {
            return cwd;
        }
    }

    /**
     * Runs a command and waits for it, interrupting it at {@code timeout}.
     *
     * @throws SandboxConflictException when a command is already running in this session
     */
    public ExecResult run(String command, Duration timeout) {
        RunningCommand c = start(command, Mode.STATEFUL, Optional.empty());
        if (!await(c, timeout)) {
            c.markTimedOut();
            interrupt(c);
        }
        return result(c);
    }

    /**
     * Waits for a command until {@code timeout}, checking every {@link Options#probeInterval} that the engine shell still
     * answers: a command may stop it ({@code kill -STOP}), and then no end marker would ever come. A stopped shell is
     * ended at once and the command completes as one that ended the shell.
     *
     * @return false when the timeout passed first
     */
    public boolean await(RunningCommand c, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return c.isDone();
            }
            if (c.await(Duration.ofNanos(Math.min(left, options.probeInterval().toNanos()))).isPresent()) {
                return true;
            }
            if (!c.isDone() && engineStopped()) {
                log.info("session {}: the engine shell was stopped by \"{}\"; ending it", sessionId, abbreviate(c.command()));
                c.noteEngineStopped();
                signalForeground("KILL", shellPid, true);
                synchronized (lock) {
                    if (transport != null) {
                        transport.close();
                    }
                }
                if (c.await(options.interruptGrace()).isEmpty()) {
                    c.onShellClosed(128 + 9, cwd());
                    shellAlive = false;
                }
                return true;
            }
        }
    }

    /** Whether the engine shell is stopped (SIGSTOP, traced) or gone while its transport is still open. */
    private boolean engineStopped() {
        long pid = shellPid;
        if (pid <= 0) {
            return false;
        }
        try {
            ProcessOutcome o = host.runScript(ShellScript.PROBE, List.of(Long.toString(pid)), Duration.ofSeconds(10));
            String state = o.stdoutText().strip();
            return o.succeeded() && (state.equals("T") || state.equals("t") || state.equals("gone"));
        } catch (SandboxException e) {
            // A probe that cannot run says nothing about the shell; the command's own timeout still holds.
            log.debug("session {}: could not probe the engine shell: {}", sessionId, e.getMessage());
            return false;
        }
    }

    /**
     * Sends a command and returns at once.
     *
     * @param dir a directory to change to first (legacy {@code exec_dir}); empty for the cwd
     */
    public RunningCommand start(String command, Mode mode, Optional<String> dir) {
        if (command.indexOf('\0') >= 0) {
            throw new SandboxInvalidInputException("a command cannot contain a NUL character");
        }
        if (dir.filter(d -> d.indexOf('\0') >= 0).isPresent()) {
            // A NUL ends each field of the command record (see wrap): one in the directory would start a forged command.
            throw new SandboxInvalidInputException("a directory cannot contain a NUL character");
        }
        synchronized (lock) {
            RunningCommand running = current;
            if (running != null && !running.isDone()) {
                throw new SandboxConflictException("session " + sessionId + " is still running \"" + abbreviate(running.command())
                        + "\"; wait for it or kill it first");
            }
            ensureShell();
            String token = newToken();
            RunningCommand c = new RunningCommand(command, token, options.maxOutputBytes());
            String wrapped = wrap(command, mode, dir, token);
            current = c;
            if (mode == Mode.INTERACTIVE) {
                lastInteractive = c;
            }
            try {
                transport.write(wrapped.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The shell died since the last command; nothing of this one reached it, so start over once.
                log.debug("session {}: shell gone before command was sent ({}); restarting", sessionId, e.toString());
                shellAlive = false;
                ensureShell();
                current = c;
                try {
                    transport.write(wrapped.getBytes(StandardCharsets.UTF_8));
                } catch (IOException again) {
                    current = null;
                    throw new SandboxUnavailableException("cannot send the command to session " + sessionId + ": " + again.getMessage(), again);
                }
            }
            return c;
        }
    }

    /** Starts the shell now, when none runs, so that the first command finds it answering (a warm pool's sandboxes). */
    public void open() {
        synchronized (lock) {
            ensureShell();
        }
    }

    /** The command started last with {@link Mode#INTERACTIVE}, if any. */
    public Optional<RunningCommand> lastInteractive() {
        return Optional.ofNullable(lastInteractive);
    }

    /** The command running now, if any. */
    public Optional<RunningCommand> running() {
        RunningCommand c = current;
        return c == null || c.isDone() ? Optional.empty() : Optional.of(c);
    }

    /**
     * Writes to the stdin of the running interactive command.
     *
     * @throws SandboxNotFoundException when no interactive command is running
     */
    public void writeInput(String input) {
        if (input.indexOf('\0') >= 0) {
            throw new SandboxInvalidInputException("input cannot contain a NUL character");
        }
        RunningCommand c = current;
        if (c == null || c.isDone() || c != lastInteractive) {
            throw new SandboxNotFoundException("session " + sessionId + " has no interactive command running to write to");
        }
        // The input travels as an argument (data, never part of a command line) to a fixed one-liner.
        ProcessOutcome o = host.run(List.of("bash", "--noprofile", "--norc", "-c", "printf '%s' \"$2\" >> \"$1\"", "sbx-input",
                stateDir + "/stdin", input), Duration.ofSeconds(30), 1024);
        if (!o.succeeded()) {
            throw new SandboxException("could not write to the command's input in session " + sessionId + ": " + o.stderrText());
        }
    }

    /**
     * Ends a running command: SIGINT to its processes, then SIGKILL, and when the shell itself is what keeps it
     * running (a loop of builtins), the shell is ended and a new one restores the state. Returns once it ended.
     */
    public void interrupt(RunningCommand c) {
        Duration grace = options.interruptGrace();
        long pid = shellPid;
        signalForeground("INT", pid, true);
        if (c.await(grace).isPresent()) {
            return;
        }
        signalForeground("KILL", pid, false);
        if (c.await(grace).isPresent()) {
            return;
        }
        log.info("session {}: command \"{}\" did not end on SIGKILL of its processes; restarting the shell", sessionId, abbreviate(c.command()));
        signalForeground("KILL", pid, true);
        synchronized (lock) {
            if (transport != null) {
                transport.close();
            }
        }
        if (c.await(grace).isEmpty()) {
            c.onShellClosed(EXIT_SHELL_RESTARTED, cwd());
            shellAlive = false;
        }
    }

    /** Ends the shell. The saved state stays, so a new session on the same directory picks it up. */
    @Override
    public void close() {
        RunningCommand c = current;
        boolean busy = c != null && !c.isDone();
        if (busy && shellAlive) {
            // A foreground command would keep the shell from reading its end of input; background ones live on.
            signalForeground("KILL", shellPid, true);
        }
        synchronized (lock) {
            if (transport != null && shellAlive && !busy) {
                // The subshell waiting for the next command ends the engine shell: a closed stdin alone may not reach it.
                try {
                    transport.write("x\0\0\0".getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // already gone
                }
            }
            shellAlive = false;
            if (transport != null) {
                transport.close();
                transport = null;
            }
        }
    }

    /** Builds the API result of a finished command; restarts the shell first when the command ended it. */
    public ExecResult result(RunningCommand c) {
        RunningCommand.Completion done = c.completion()
                .orElseThrow(() -> new SandboxTimeoutException("command is still running in session " + sessionId));
        Optional<SandboxException> lost = c.lost();
        if (lost.isPresent()) {
            // Nothing is restarted here: the machine may still be gone. The next command starts a shell as after any
            // shell that ended, and the host brings the machine back first if it can.
            throw new SandboxUnavailableException("\"" + abbreviate(c.command()) + "\" in session " + sessionId + " did not finish: "
                    + lost.get().getMessage(), lost.get());
        }
        String cwdAfter = done.cwd();
        int exit = done.exitCode();
        String note = "";
        if (done.shellExited()) {
            synchronized (lock) {
                ensureShell();
                cwdAfter = cwd;
            }
            if (exit < 0) {
                exit = EXIT_SHELL_RESTARTED;
            }
            if (c.engineStopped()) {
                exit = 128 + 9;
            }
            if (!c.timedOut()) {
                note = c.engineStopped() ? "the command stopped the session's shell (SIGSTOP); it was ended and a new one started with the "
                        + "session's state from before the command" : "the command killed the session's shell" + signal(exit)
                        + " (as \"kill -9 -1\" kills every process of the sandbox's user); a new one started with the session's state "
                        + "from before the command";
            }
        } else {
            synchronized (lock) {
                cwd = cwdAfter;
            }
            if (!done.stateSaved() && exit < 128 && !c.timedOut()) {
                note = "the shell state this command left (cwd, variables, functions) was not saved: it replaced the shell (exec), "
                        + "its EXIT trap, or a builtin the engine saves with; the session keeps its state from before the command";
            }
        }
        String stderr = c.stderrText();
        if (done.shellExited()) {
            // What setsid -w says of the engine shell it waited for; the note below says it for a person.
            stderr = SETSID_CHILD.matcher(stderr).replaceAll("");
        }
        if (!note.isEmpty()) {
            stderr = stderr + (stderr.isEmpty() || stderr.endsWith("\n") ? "" : "\n") + NOTE_PREFIX + note + "\n";
        }
        return new ExecResult(exit, c.stdoutText(), stderr, cwdAfter, sessionId, done.backgroundPid(), c.timedOut(),
                c.duration(), c.stdoutDropped(), c.stderrDropped());
    }

    private static final Pattern SETSID_CHILD = Pattern.compile("(?m)^setsid: child [0-9]+ did not exit normally[^\n]*\n?");

    /** How the engine's own notes about a command start, on the last line of its stderr. */
    public static final String NOTE_PREFIX = "sandbox-ops: ";

    private static String signal(int exit) {
        return exit > 128 && exit < 160 ? " (signal " + (exit - 128) + ")" : " (exit " + exit + ")";
    }

    private void ensureShell() {
        if (shellAlive && transport != null) {
            return;
        }
        if (transport != null) {
            transport.close();
        }
        String token = newToken();
        RunningCommand handshake = new RunningCommand("(start)", token, 64 * 1024);
        current = handshake;
        try {
            ShellOutput output = new Router(++generation);
            transport = host.openShell(Map.of("SBX_STATE_DIR", stateDir, "SBX_SESSION_ID", sessionId), output);
            shellAlive = true;
            try {
                // The hello: its token follows the script; the start marker's "background pid" is the shell's own.
                // Right after the script's last line: the script's last command reads the next line as the hello's token.
                // The engine's names start with a prefix drawn at random for each shell (see init.bash).
                String script = ShellScript.INIT.text().replace(PLACEHOLDER, newPrefix());
                String init = script + (script.endsWith("\n") ? "" : "\n") + token + "\n";
                transport.write(init.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new SandboxUnavailableException("the shell of session " + sessionId + " did not start: " + e.getMessage(), e);
            }
            RunningCommand.Completion started = handshake.await(options.startTimeout())
                    .orElseThrow(() -> new SandboxTimeoutException("the shell of session " + sessionId + " did not answer within "
                            + options.startTimeout().toSeconds() + " s"));
            if (started.shellExited()) {
                Optional<SandboxException> lost = handshake.lost();
                if (lost.isPresent()) {
                    throw new SandboxUnavailableException("the shell of session " + sessionId + " did not start: " + lost.get().getMessage(),
                            lost.get());
                }
                throw new SandboxUnavailableException("the shell of session " + sessionId + " ended while starting (exit "
                        + started.exitCode() + "): " + handshake.stderrText().strip());
            }
            String noise = handshake.stderrText().strip();
            if (!noise.isEmpty()) {
                log.debug("session {}: shell start-up said: {}", sessionId, noise);
            }
            shellPid = started.backgroundPid().orElse(0);
            cwd = started.cwd();
            current = null;
        } catch (RuntimeException e) {
            // A shell that did not start leaves nothing running in the session: the next command starts another.
            shellAlive = false;
            current = null;
            throw e;
        }
    }

    private void signalForeground(String signal, long pid, boolean withShell) {
        if (pid <= 0) {
            return;
        }
        try {
            host.runScript(ShellScript.SIGNAL_FOREGROUND, withShell ? List.of(signal, Long.toString(pid), "with-shell")
                    : List.of(signal, Long.toString(pid)), Duration.ofSeconds(10));
        } catch (SandboxException e) {
            log.warn("session {}: could not send SIG{} to the running command: {}", sessionId, signal, e.getMessage());
        }
    }

    /**
     * The bytes sent to the engine shell for one command (see init.bash): its mode, the directory to run it in (empty
     * for the cwd) and its text, each ending in a NUL, read by the subshell waiting for it; then the command's one-time
     * token on a line of its own, which the engine shell reads only after that subshell ended. Nothing here is ever
     * parsed as shell code by the engine shell.
     */
    static String wrap(String command, Mode mode, Optional<String> dir, String token) {
        Optional<String> background = mode == Mode.STATEFUL ? backgroundPart(command) : Optional.empty();
        String kind = background.isPresent() ? "b" : mode == Mode.INTERACTIVE ? "i" : "s";
        String text = background.orElse(command);
        return kind + '\0' + (background.isPresent() ? "" : dir.orElse("")) + '\0' + text + '\0' + token + '\n';
    }

    /** The command without its trailing {@code &} when it asks to run in the background. */
    public static Optional<String> backgroundPart(String command) {
        String s = command.stripTrailing();
        if (!s.endsWith("&") || s.length() < 2) {
            return Optional.empty();
        }
        char before = s.charAt(s.length() - 2);
        if (before == '&' || before == '\\' || before == '|' || before == '>' || before == '<') {
            return Optional.empty();
        }
        String body = s.substring(0, s.length() - 1).strip();
        return body.isEmpty() ? Optional.empty() : Optional.of(body);
    }

    /** Bash single quoting: everything literal; a quote closes, adds an escaped quote, reopens. */
    static String singleQuoted(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** How init.bash names the per-shell prefix of the engine's names. */
    private static final String PLACEHOLDER = "__sbxP";

    private static String newPrefix() {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return "__sbx" + HexFormat.of().formatHex(b);
    }

    private static String newToken() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** A command as it may appear in a message or a log: one line, short, secrets masked. */
    static String abbreviate(String command) {
        return Secrets.abbreviateCommand(command);
    }

    /** Routes the shell's output to the command running now; output between commands is dropped. */
    private final class Router implements ShellOutput {
        private final int routerGeneration;

        Router(int generation) {
            this.routerGeneration = generation;
        }

        private RunningCommand target() {
            return routerGeneration == generation ? current : null;
        }

        @Override
        public void stdout(byte[] bytes, int offset, int length) {
            RunningCommand c = target();
            if (c != null) {
                c.onStdout(bytes, offset, length);
            }
        }

        @Override
        public void stderr(byte[] bytes, int offset, int length) {
            RunningCommand c = target();
            if (c != null) {
                c.onStderr(bytes, offset, length);
            }
        }

        @Override
        public void closed(int exitCode) {
            if (routerGeneration != generation) {
                return;
            }
            shellAlive = false;
            RunningCommand c = current;
            if (c != null) {
                c.onShellClosed(exitCode, cwd);
            }
        }

        @Override
        public void lost(SandboxException reason) {
            if (routerGeneration != generation) {
                return;
            }
            shellAlive = false;
            log.debug("session {}: shell lost: {}", sessionId, reason.getMessage());
            RunningCommand c = current;
            if (c != null) {
                c.onShellLost(reason, cwd);
            }
        }
    }
}
