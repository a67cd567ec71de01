package io.sandboxops.core.shell;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Keeps the first {@code cap} bytes written to it and counts the rest. Thread-safe. */
final class CappedBuffer {
    private final long cap;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private long dropped;

    CappedBuffer(long cap) {
        this.cap = cap;
    }

    synchronized void append(byte[] bytes, int offset, int length) {
        long room = cap - kept.size();
        int take = (int) Math.max(0, Math.min(room, length));
        kept.write(bytes, offset, take);
        dropped += length - take;
    }

    synchronized long dropped() {
        return dropped;
    }

    /** The kept bytes as UTF-8 text, with a line saying how much was dropped when anything was. */
    synchronized String text(String streamName) {
        String s = kept.toString(StandardCharsets.UTF_8);
        if (dropped == 0) {
            return s;
        }
        return s + (s.endsWith("\n") ? "" : "\n") + "[sandbox: " + streamName + " capped at " + cap + " bytes; dropped " + dropped + " bytes]\n";
    }
}
