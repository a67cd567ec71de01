package io.sandboxops.core.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a {@link Terminal} displayed, read in the background, for tests: type into it, wait until the output holds a
 * text. A wait that runs out fails showing the end of the output, escape sequences made visible. Not a terminal
 * emulator: the output is searched as the bytes came, so tests look for texts their typed line does not contain
 * (typed {@code echo $((6*7))}, awaited {@code 42}), since the terminal echoes what is typed.
 */
public final class TerminalScreen implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(20);

    private final Terminal terminal;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Thread reader;
    private volatile boolean ended;
    private volatile IOException failed;

    public TerminalScreen(Terminal terminal) {
        this.terminal = terminal;
        this.reader = new Thread(this::read, "terminal-screen-" + terminal.sessionId());
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        byte[] buf = new byte[8192];
        InputStream in = terminal.output();
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                synchronized (bytes) {
                    bytes.write(buf, 0, n);
                    bytes.notifyAll();
                }
            }
        } catch (IOException e) {
            failed = e;
        } finally {
            synchronized (bytes) {
                ended = true;
                bytes.notifyAll();
            }
        }
    }

    public Terminal terminal() {
        return terminal;
    }

    /** Types {@code text} (UTF-8); {@code \r} is Enter. */
    public TerminalScreen type(String text) {
        terminal.write(text.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Everything displayed so far. */
    public String text() {
        synchronized (bytes) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    /** How much has been displayed so far: a place to search from with {@link #await(Pattern, int)}. */
    public int mark() {
        return text().length();
    }

    /** Waits until the output holds {@code text}; returns the output then. */
    public String await(String text) {
        return await(Pattern.compile(Pattern.quote(text)), 0).group();
    }

    /** Waits until the output after {@code from} (a {@link #mark()}) matches {@code pattern}. */
    public Matcher await(Pattern pattern, int from) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        synchronized (bytes) {
            while (true) {
                String all = bytes.toString(StandardCharsets.UTF_8);
                Matcher m = pattern.matcher(all);
                if (m.find(Math.min(from, all.length()))) {
                    return m;
                }
                long left = deadline - System.nanoTime();
                if (ended || left <= 0) {
                    throw new AssertionError("the terminal did not show /" + pattern + "/ within " + WAIT.toSeconds() + " s"
                            + (ended ? " (its output ended" + (failed == null ? "" : ": " + failed) + ")" : "") + "; it showed last:\n"
                            + visible(all.substring(Math.max(0, all.length() - 1500))));
                }
                try {
                    bytes.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for the terminal", e);
                }
            }
        }
    }

    /** Waits until the output has ended (the shell exited, the terminal was closed); false when it did not in time. */
    public boolean awaitEnd(Duration timeout) {
        try {
            reader.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ended;
    }

    /** The output with control characters shown as {@code \e}, {@code \r}, {@code \xNN}; line feeds kept. */
    public static String visible(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '\n' || c >= 0x20 && c != 0x7f) {
                sb.append(c);
            } else if (c == 0x1b) {
                sb.append("\\e");
            } else if (c == '\r') {
                sb.append("\\r");
            } else {
                sb.append(String.format("\\x%02x", (int) c));
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        terminal.close();
    }
}
