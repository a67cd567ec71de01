package io.sandboxops.core.shell;

/**
 * Finds a marker in a byte stream that arrives in chunks of any size, passing on every byte before it.
 * Bytes that might be the start of the marker are held back until the next chunk tells; 50 MB of output
 * are scanned without being kept (Knuth–Morris–Pratt, so no byte is looked at twice).
 */
final class MarkerScanner {

    interface Sink {
        void accept(byte[] bytes, int offset, int length);
    }

    private final byte[] marker;
    private final int[] failure;
    private final Sink sink;
    private int matched;
    private boolean found;

    MarkerScanner(byte[] marker, Sink sink) {
        this.marker = marker.clone();
        this.failure = failureTable(this.marker);
        this.sink = sink;
    }

    /**
     * Scans a chunk.
     *
     * @return the index in {@code bytes} just after the marker when this chunk completed it, else -1
     */
    int scan(byte[] bytes, int offset, int length) {
        if (found) {
            return -1;
        }
        int heldBefore = matched;
        int emitFrom = offset;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            byte b = bytes[i];
            while (matched > 0 && b != marker[matched]) {
                matched = failure[matched - 1];
            }
            if (b == marker[matched]) {
                matched++;
            }
            if (matched == marker.length) {
                found = true;
                int markerStartInChunk = i + 1 - marker.length;
                emit(heldBefore, bytes, emitFrom, markerStartInChunk);
                return i + 1;
            }
        }
        // Everything but the last `matched` bytes is settled.
        emit(heldBefore, bytes, emitFrom, end - matched);
        return -1;
    }

    boolean found() {
        return found;
    }

    /**
     * Emits the held-back marker prefix that turned out not to be the marker, then chunk bytes up to
     * {@code chunkEnd}. A negative {@code chunkEnd - emitFrom} means part of the held prefix is still held.
     */
    private void emit(int heldBefore, byte[] bytes, int emitFrom, int chunkEnd) {
        if (heldBefore > 0) {
            // The held bytes are marker[0, heldBefore); of them, those before the still-held tail are settled.
            int stillHeldFromOld = Math.max(0, emitFrom - chunkEnd);
            int release = heldBefore - stillHeldFromOld;
            if (release > 0) {
                sink.accept(marker, 0, release);
            }
            if (stillHeldFromOld > 0) {
                // The new held tail starts inside the old held prefix, so marker[release, heldBefore) stays held;
                // it equals the start of the new partial match by construction of the failure table.
                return;
            }
        }
        if (chunkEnd > emitFrom) {
            sink.accept(bytes, emitFrom, chunkEnd - emitFrom);
        }
    }

    private static int[] failureTable(byte[] pattern) {
        int[] table = new int[pattern.length];
        int k = 0;
        for (int i = 1; i < pattern.length; i++) {
            while (k > 0 && pattern[i] != pattern[k]) {
                k = table[k - 1];
            }
            if (pattern[i] == pattern[k]) {
                k++;
            }
            table[i] = k;
        }
        return table;
    }
}
