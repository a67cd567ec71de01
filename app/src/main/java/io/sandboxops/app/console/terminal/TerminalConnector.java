package io.sandboxops.app.console.terminal;

import com.techsenger.jeditermfx.core.TtyConnector;
import com.techsenger.jeditermfx.core.util.TermSize;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.Terminal;
import io.sandboxops.core.api.TerminalSize;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * The terminal widget's end of a sandbox {@link Terminal}: keys and pastes go in as UTF-8 bytes, the output comes out
 * as characters. The output arrives in chunks that may end inside a multibyte character (a {@code é} split over two
 * reads), so one decoder keeps the unfinished bytes for the next read instead of turning each half into a
 * replacement character. Resizes from the widget (the pane grew) become {@link Terminal#resize}.
 *
 * <p>The widget calls {@link #read} on its emulator thread and {@link #write}/{@link #resize} on its own single
 * thread, never on the JavaFX thread, so the calls into the sandbox block no window.
 */
final class TerminalConnector implements TtyConnector {
    private static final int CHUNK = 8192;

    private final Terminal terminal;
    private final InputStream output;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    // Both kept in read mode between calls: bytes not yet decoded (a split character), characters not yet handed out.
    private final ByteBuffer bytes = ByteBuffer.allocate(CHUNK).flip();
    private final CharBuffer chars = CharBuffer.allocate(CHUNK).flip();
    private volatile boolean ended;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    TerminalConnector(Terminal terminal) {
        this.terminal = terminal;
        this.output = terminal.output();
    }

    @Override
    public int read(char[] buf, int offset, int length) throws IOException {
        while (!chars.hasRemaining()) {
            if (ended) {
                return -1;
            }
            decodeMore();
        }
        int n = Math.min(length, chars.remaining());
        chars.get(buf, offset, n);
        return n;
    }

    /** Reads what the terminal has (blocking until something comes) and decodes every complete character of it. */
    private void decodeMore() throws IOException {
        bytes.compact();
        int n = output.read(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        if (n > 0) {
            bytes.position(bytes.position() + n);
        }
        bytes.flip();
        chars.compact();
        if (n < 0) {
            // The end: a character cut off for good shows as one replacement character.
            decoder.decode(bytes, chars, true);
            decoder.flush(chars);
            ended = true;
        } else {
            decoder.decode(bytes, chars, false);
        }
        chars.flip();
    }

    @Override
    public boolean ready() throws IOException {
        return chars.hasRemaining() || output.available() > 0;
    }

    @Override
    public void write(byte[] data) throws IOException {
        try {
            terminal.write(data);
        } catch (SandboxException e) {
            throw new IOException("the terminal has ended: " + e.getMessage(), e);
        }
    }

    @Override
    public void write(String text) throws IOException {
        write(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void resize(TermSize size) {
        TerminalSize wanted = new TerminalSize(clamp(size.getColumns()), clamp(size.getRows()));
        if (closed.get() || ended || wanted.equals(terminal.size())) {
            return;
        }
        try {
            terminal.resize(wanted);
        } catch (SandboxException e) {
            // It ended between the check and the call: the widget learns that from the output's end.
        }
    }

    private static int clamp(int cells) {
        return Math.max(1, Math.min(TerminalSize.MAX, cells));
    }

    @Override
    public boolean isConnected() {
        return !closed.get() && !ended;
    }

    @Override
    public int waitFor() throws InterruptedException {
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            OptionalInt status = terminal.waitFor(Duration.ofSeconds(1));
            if (status.isPresent()) {
                return status.getAsInt();
            }
        }
    }

    @Override
    public String getName() {
        return "sandbox-" + terminal.sessionId();
    }

    /**
     * Ends the terminal, once: the widget closes its connector when it goes and the view model when the person closes
     * the terminal, and two closes at once would tear down the same streams twice.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            terminal.close();
        }
    }

    /**
     * Leaves the terminal to its sandbox client, whose close ends it ({@link io.sandboxops.core.api.Sandbox#close}): the
     * session's tab is closing, and one closer is enough. The widget's close after this does nothing.
     */
    void leaveToClient() {
        closed.set(true);
    }

    /** The shell's exit status, when it has exited. */
    OptionalInt exitStatus() {
        return terminal.waitFor(Duration.ZERO);
    }
}
