package io.sandboxops.core.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class MarkerScannerTest {

    private static final byte[] MARKER = "\036END-abab:".getBytes(StandardCharsets.US_ASCII);

    @Test
    void passesOnEverythingBeforeTheMarkerAndReportsWhereItEnds() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MarkerScanner s = new MarkerScanner(MARKER, out::write);
        byte[] input = "hello\036END-abab:0::/tmp".getBytes(StandardCharsets.US_ASCII);
        int after = s.scan(input, 0, input.length);
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(new String(input, after, input.length - after, StandardCharsets.US_ASCII)).isEqualTo("0::/tmp");
    }

    @RepeatedTest(50)
    void findsTheMarkerWhateverTheChunkBoundaries() {
        Random random = new Random();
        // Text full of near-misses of the marker, which must come through untouched.
        String text = "a\036END-aba\036END-abab\036E\036\036END-ababx" + "y".repeat(random.nextInt(100)) + "\036END-";
        byte[] input = (text + "\036END-abab:tail").getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MarkerScanner s = new MarkerScanner(MARKER, out::write);
        int pos = 0;
        String tail = null;
        while (pos < input.length) {
            int len = 1 + random.nextInt(7);
            len = Math.min(len, input.length - pos);
            int after = s.scan(input, pos, len);
            if (after >= 0) {
                tail = new String(input, after, input.length - after, StandardCharsets.US_ASCII);
                break;
            }
            pos += len;
        }
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo(text);
        assertThat(tail).isEqualTo("tail");
    }
}
