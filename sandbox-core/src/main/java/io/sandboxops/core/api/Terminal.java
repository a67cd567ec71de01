package io.sandboxops.core.api;

import java.io.InputStream;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * An interactive terminal in a sandbox: a bash on a pseudo-terminal ({@code TERM=xterm-256color}), opened with
 * {@link Sandbox#openTerminal}. What is written goes to the terminal as typed; what the programs in it display comes
 * out of {@link #output()} unchanged, escape sequences included. The bytes are the sandbox's: a viewer renders them
 * (a terminal widget, the user's own terminal), it never interprets them as anything but terminal output.
 *
 * <p>Thread-safe: one thread may read the output while others write and resize.
 */
public interface Terminal extends AutoCloseable {

    /** @return the session the terminal was opened on */
    String sessionId();

    /**
     * Sends bytes to the terminal as typed: keys, pasted text, control characters ({@code 0x03} is Ctrl-C, which the
     * terminal turns into SIGINT for the program in the foreground).
     *
     * @throws SandboxNotFoundException when the terminal has ended
     */
    void write(byte[] bytes);

    /**
     * @return everything the terminal displays, as the programs wrote it; it ends (-1) once the shell has exited and
     *         its last output was read, or the terminal was closed. One reader; the same stream on every call.
     */
    InputStream output();

    /**
     * Changes the terminal's size: the programs in it see the new size (and SIGWINCH), as when a window is resized.
     *
     * @throws SandboxNotFoundException when the terminal has ended
     */
    void resize(TerminalSize size);

    /** @return the size last set */
    TerminalSize size();

    /**
     * Waits until the terminal's shell has exited, or the time is up.
     *
     * @return the shell's exit status; empty when it still runs
     */
    OptionalInt waitFor(Duration timeout);

    /**
     * Ends the terminal: its shell and the programs it started get SIGHUP (then SIGKILL), the output ends. Idempotent.
     * The session and its other terminals are not touched.
     *
     * <p>"The programs it started" are every process of the terminal's session — background jobs, {@code nohup}ed or
     * {@code disown}ed ones, ones ignoring SIGHUP — also after its shell exited, and those that left the session with
     * {@code setsid} but still hold the terminal open. A program that left both (a daemon: its own session, no
     * descriptor on the terminal) has detached, as on any machine, and stays a process of the sandbox.
     */
    @Override
    void close();
}
