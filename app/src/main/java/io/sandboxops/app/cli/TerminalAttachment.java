package io.sandboxops.app.cli;

import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.Terminal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalInt;

/**
 * A sandbox's {@link Terminal} joined to local streams: what is read from {@code input} is typed into it, what it
 * displays is copied to {@code output} byte for byte, until its shell exits or the user detaches. The bytes are not
 * looked at, except for the detach key in what is typed.
 */
final class TerminalAttachment {
    /** Ctrl-] (GS), the key telnet and {@code docker attach}'s users know for leaving a session. */
    static final int DETACH_KEY = 0x1d;
    /** Ctrl-D: typed when piped input ends, so the shell sees end of input as at a keyboard. */
    private static final byte[] END_OF_INPUT = {0x04};
    /** How long a shell whose output ended may take to report its exit status. */
    private static final Duration EXIT_STATUS_WAIT = Duration.ofSeconds(10);

    /** How an attachment ended: the shell exited with {@code status}, or the user detached (and the terminal was closed). */
    record Outcome(boolean detached, int status) {
        static Outcome exited(int status) {
            return new Outcome(false, status);
        }

        static final Outcome DETACHED = new Outcome(true, -1);
    }

    private final Terminal terminal;
    private final boolean detachKey;
    private volatile boolean detached;

    /**
     * @param detachKey whether {@link #DETACH_KEY} in the input detaches (from a keyboard), or is typed as any byte (from a
     *                  pipe, where the input is data and its end is the end)
     */
    TerminalAttachment(Terminal terminal, boolean detachKey) {
        this.terminal = terminal;
        this.detachKey = detachKey;
    }

    /**
     * Copies until the terminal's output ends. Typing runs in a daemon thread of its own: a read of the user's terminal
     * cannot be interrupted, and the process ends soon after anyway.
     *
     * @throws SandboxException when the output cannot be read or written; the terminal is closed then
     */
    Outcome run(InputStream input, OutputStream output) {
        Thread typing = new Thread(() -> type(input), "sandboxctl-attach-input");
        typing.setDaemon(true);
        typing.start();
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream displayed = terminal.output();
            int n;
            while ((n = displayed.read(buffer)) >= 0) {
                output.write(buffer, 0, n);
                output.flush();
            }
        } catch (IOException | RuntimeException e) {
            if (detached) {
                return Outcome.DETACHED;
            }
            terminal.close();
            throw new SandboxException("the terminal of session " + terminal.sessionId() + " broke off: " + e.getMessage(), e);
        }
        if (detached) {
            return Outcome.DETACHED;
        }
        OptionalInt status = terminal.waitFor(EXIT_STATUS_WAIT);
        if (status.isEmpty()) {
            terminal.close();
            throw new SandboxException("the terminal of session " + terminal.sessionId() + " stopped sending output, but its shell did not"
                    + " report an exit status within " + EXIT_STATUS_WAIT.toSeconds() + " s; it was closed");
        }
        return Outcome.exited(status.getAsInt());
    }

    private void type(InputStream input) {
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = input.read(buffer)) >= 0) {
                int key = detachKey ? indexOf(buffer, n, (byte) DETACH_KEY) : -1;
                if (key >= 0) {
                    if (key > 0) {
                        terminal.write(Arrays.copyOf(buffer, key));
                    }
                    detach();
                    return;
                }
                if (n > 0) {
                    terminal.write(Arrays.copyOf(buffer, n));
                }
            }
            if (detachKey) {
                // The user's terminal itself went away (hung up): nobody is left to type, so the terminal is closed.
                detach();
            } else {
                terminal.write(END_OF_INPUT);
            }
        } catch (IOException | RuntimeException e) {
            // The terminal ended (its shell exited) while input was being typed, or the input broke: the output side
            // sees the end and reports the outcome; typing simply stops.
        }
    }

    private void detach() {
        detached = true;
        terminal.close();
    }

    private static int indexOf(byte[] bytes, int length, byte b) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
