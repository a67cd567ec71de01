package io.sandboxops.app.console.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import com.techsenger.jeditermfx.core.util.TermSize;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.Terminal;
import io.sandboxops.core.api.TerminalSize;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalInt;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** The widget's end of a sandbox terminal: characters whole however the bytes are cut, keys as UTF-8, sizes passed on. */
class TerminalConnectorTest {

    /** A terminal whose output arrives in the chunks given, as a network stream cuts it. */
    private static final class ChunkedTerminal implements Terminal {
        final Deque<byte[]> chunks = new ArrayDeque<>();
        final List<byte[]> written = new ArrayList<>();
        final List<TerminalSize> resizes = new ArrayList<>();
        TerminalSize size = TerminalSize.DEFAULT;
        boolean closed;
        Integer exit;

        ChunkedTerminal(byte[]... chunks) {
            this.chunks.addAll(List.of(chunks));
        }

        @Override
        public String sessionId() {
            return "sbx-1";
        }

        @Override
        public void write(byte[] bytes) {
            if (closed) {
                throw new SandboxNotFoundException("the terminal has ended");
            }
            written.add(bytes);
        }

        @Override
        public InputStream output() {
            return new InputStream() {
                @Override
                public int read() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    byte[] next = chunks.poll();
                    if (next == null) {
                        return -1;
                    }
                    System.arraycopy(next, 0, b, off, next.length);
                    return next.length;
                }
            };
        }

        @Override
        public void resize(TerminalSize to) {
            resizes.add(to);
            size = to;
        }

        @Override
        public TerminalSize size() {
            return size;
        }

        @Override
        public OptionalInt waitFor(Duration timeout) {
            return exit == null ? OptionalInt.empty() : OptionalInt.of(exit);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static String readAll(TerminalConnector c, int bufferSize) throws IOException {
        StringBuilder text = new StringBuilder();
        char[] buf = new char[bufferSize];
        int n;
        while ((n = c.read(buf, 0, buf.length)) > 0) {
            text.append(buf, 0, n);
        }
        assertThat(n).isEqualTo(-1);
        return text.toString();
    }

    @Test
    void aCharacterCutBetweenTwoReadsArrivesWhole() throws IOException {
        // "aé€😀z": é (C3 A9), € (E2 82 AC) and 😀 (F0 9F 98 80) each cut between chunks.
        ChunkedTerminal t = new ChunkedTerminal(bytes('a', 0xC3), bytes(0xA9, 0xE2), bytes(0x82), bytes(0xAC, 0xF0, 0x9F),
                bytes(0x98), bytes(0x80, 'z'));
        assertThat(readAll(new TerminalConnector(t), 1024)).isEqualTo("aé€😀z");
    }

    @Test
    void aReaderTakingOneCharacterAtATimeGetsBothHalvesOfAnEmoji() throws IOException {
        ChunkedTerminal t = new ChunkedTerminal("😀!".getBytes(StandardCharsets.UTF_8));
        assertThat(readAll(new TerminalConnector(t), 1)).isEqualTo("😀!");
    }

    @Test
    void bytesCutOffForGoodAtTheEndShowAsOneReplacementCharacter() throws IOException {
        ChunkedTerminal t = new ChunkedTerminal(bytes('o', 'k', 0xE2, 0x82));
        TerminalConnector c = new TerminalConnector(t);
        assertThat(readAll(c, 64)).isEqualTo("ok\uFFFD");
        assertThat(c.isConnected()).isFalse();
    }

    @Test
    void keysAndPastesGoOutAsUtf8() throws IOException {
        ChunkedTerminal t = new ChunkedTerminal();
        TerminalConnector c = new TerminalConnector(t);
        c.write("é\u0003");
        c.write(new byte[] {9});
        assertThat(t.written).containsExactly(bytes(0xC3, 0xA9, 0x03), bytes(9));
    }

    @Test
    void writingToAnEndedTerminalIsAnIoErrorTheWidgetLogs() {
        ChunkedTerminal t = new ChunkedTerminal();
        TerminalConnector c = new TerminalConnector(t);
        c.close();
        assertThat(t.closed).isTrue();
        assertThat(c.isConnected()).isFalse();
        Assertions.assertThatThrownBy(() -> c.write("ls\r")).isInstanceOf(IOException.class).hasMessageContaining("ended");
    }

    @Test
    void theTerminalIsClosedOnceAndNotAtAllWhenLeftToItsClient() {
        ChunkedTerminal t = new ChunkedTerminal();
        TerminalConnector left = new TerminalConnector(t);
        left.leaveToClient();
        left.close();
        assertThat(t.closed).as("the client's close ends it").isFalse();
        assertThat(left.isConnected()).isFalse();
    }

    @Test
    void theWidgetsResizesReachTheTerminalWithinItsLimits() {
        ChunkedTerminal t = new ChunkedTerminal();
        TerminalConnector c = new TerminalConnector(t);
        c.resize(new TermSize(132, 40));
        c.resize(new TermSize(132, 40));
        c.resize(new TermSize(5000, 0));
        assertThat(t.resizes).containsExactly(new TerminalSize(132, 40), new TerminalSize(TerminalSize.MAX, 1));
    }

    @Test
    void waitForGivesTheShellsExitStatus() throws InterruptedException {
        ChunkedTerminal t = new ChunkedTerminal();
        t.exit = 3;
        assertThat(new TerminalConnector(t).waitFor()).isEqualTo(3);
    }
}
