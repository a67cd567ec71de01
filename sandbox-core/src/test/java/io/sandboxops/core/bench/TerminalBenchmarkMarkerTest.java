package io.sandboxops.core.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The terminal benchmark's end marker is found wherever the reads split the stream, and nowhere else. */
class TerminalBenchmarkMarkerTest {
    private static final String MARKER = "__bench_done__";

    /** Feeds {@code stream} in reads of {@code size} bytes; @return the offset just past the marker, or -1. */
    private static long find(String stream, int size) {
        byte[] all = stream.getBytes(StandardCharsets.US_ASCII);
        TerminalBenchmark.Marker m = new TerminalBenchmark.Marker(MARKER);
        long count = 0;
        for (int at = 0; at < all.length; at += size) {
            byte[] read = Arrays.copyOfRange(all, at, Math.min(all.length, at + size));
            int end = m.find(read, read.length);
            if (end >= 0) {
                return count + end;
            }
            count += read.length;
        }
        return -1;
    }

    @Test
    void theMarkerIsFoundAcrossEveryWayTheReadsSplitIt() {
        String before = "cat f; echo __bench_\"\"done__\r\n" + "QUJD_RA_==\r\n".repeat(50) + "__bench_dome__\r\n_";
        String stream = before + MARKER + "\r\nprompt$ ";
        for (int size = 1; size <= stream.length(); size++) {
            assertThat(find(stream, size)).as("reads of %d bytes", size).isEqualTo(before.length() + MARKER.length());
        }
    }

    @Test
    void theTypedLineAndNearMissesAreNotTheMarker() {
        String stream = "echo __bench_\"\"done__\r\n__bench_done_\r\n_bench_done__\r\n";
        for (int size = 1; size <= stream.length(); size++) {
            assertThat(find(stream, size)).as("reads of %d bytes", size).isEqualTo(-1);
        }
    }
}
