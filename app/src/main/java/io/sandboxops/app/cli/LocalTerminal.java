package io.sandboxops.app.cli;

import io.sandboxops.core.api.TerminalSize;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.function.Consumer;
import org.jline.terminal.Attributes;
import org.jline.terminal.Attributes.ControlChar;
import org.jline.terminal.Attributes.ControlFlag;
import org.jline.terminal.Attributes.InputFlag;
import org.jline.terminal.Attributes.LocalFlag;
import org.jline.terminal.Attributes.OutputFlag;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.OSUtils;
import org.jline.utils.Signals;

/**
 * The user's own terminal, through JLine: its window size, SIGWINCH, and raw mode for as long as a sandbox's terminal
 * is attached to it. Closing it puts back the settings it found, whatever happened in between.
 */
final class LocalTerminal implements AutoCloseable {
    private static final String WINCH = "WINCH";

    private final Terminal jline;
    private final Attributes saved;
    private Object previousWinch;
    private boolean closed;

    private LocalTerminal(Terminal jline) {
        this.jline = jline;
        this.saved = jline.getAttributes();
    }

    /**
     * @return the terminal on this process's standard input, or empty when the input is not a terminal (a pipe, a file,
     *         /dev/null) or no terminal shows the output either
     */
    static Optional<LocalTerminal> open() {
        try {
            // No dumb terminal: a pipe is refused, not pretended to be a terminal. No native signal handlers from JLine:
            // they would set SIGINT and SIGTERM to the kernel's default, which kills the JVM before the shutdown hook that
            // restores the terminal can run; SIGWINCH is the one signal wanted, registered below. On POSIX the settings go
            // through stty: JLine's JNI provider writes back a termios without the line's speed (stty -g differed after);
            // Windows has no stty, and its console is JNI's.
            return Optional.of(new LocalTerminal(TerminalBuilder.builder().system(true).dumb(false)
                    .providers(OSUtils.IS_WINDOWS ? "jni" : "exec").nativeSignals(false).build()));
        } catch (IOException | IllegalStateException e) {
            return Optional.empty();
        }
    }

    /** @return the window's size; 80×24 when the terminal does not tell (a size of 0, as a fresh pseudo-terminal has) */
    TerminalSize size() {
        Size s = jline.getSize();
        int columns = s.getColumns();
        int rows = s.getRows();
        if (columns < 1 || rows < 1) {
            return TerminalSize.DEFAULT;
        }
        return new TerminalSize(Math.min(columns, TerminalSize.MAX), Math.min(rows, TerminalSize.MAX));
    }

    /**
     * Calls {@code resized} with the new size each time the window changes size, until closed: on SIGWINCH on POSIX, and
     * as JLine reports it from the Windows console, which has no signal.
     */
    void onResize(Consumer<TerminalSize> resized) {
        if (OSUtils.IS_WINDOWS) {
            jline.handle(Terminal.Signal.WINCH, signal -> resized.accept(size()));
        } else {
            previousWinch = Signals.register(WINCH, () -> resized.accept(size()));
        }
    }

    /**
     * Raw mode, as {@code ssh} and {@code docker exec -it} set it ({@code cfmakeraw}): every byte typed is read at once and
     * unchanged — Ctrl-C, Ctrl-Z and Ctrl-\ included, which the sandbox's terminal turns into its own signals — nothing
     * is echoed locally, and output is shown as it comes (the sandbox's terminal already ends lines with CR LF).
     */
    void enterRawMode() {
        Attributes raw = new Attributes(saved);
        raw.setInputFlags(EnumSet.of(InputFlag.IGNBRK, InputFlag.BRKINT, InputFlag.PARMRK, InputFlag.ISTRIP, InputFlag.INLCR,
                InputFlag.IGNCR, InputFlag.ICRNL, InputFlag.IXON, InputFlag.IXOFF), false);
        raw.setOutputFlag(OutputFlag.OPOST, false);
        raw.setLocalFlags(EnumSet.of(LocalFlag.ECHO, LocalFlag.ECHONL, LocalFlag.ICANON, LocalFlag.ISIG, LocalFlag.IEXTEN), false);
        raw.setControlFlags(EnumSet.of(ControlFlag.PARENB), false);
        raw.setControlFlag(ControlFlag.CS8, true);
        raw.setControlChar(ControlChar.VMIN, 1);
        raw.setControlChar(ControlChar.VTIME, 0);
        jline.setAttributes(raw);
    }

    /** Puts back the settings the terminal had when opened and stops following its size. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (previousWinch != null) {
                Signals.unregister(WINCH, previousWinch);
            }
            jline.setAttributes(saved);
            jline.flush();
        } finally {
            try {
                jline.close();
            } catch (IOException e) {
                // The settings are back already; a failure to release JLine's own resources changes nothing for the user.
            }
        }
    }
}
