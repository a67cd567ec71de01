package io.sandboxops.core.docker;

import java.io.IOException;
import java.io.InputStream;

/**
 * An {@link InputStream} over byte chunks another thread hands over (java.io.Piped* streams break when the writing
 * thread ends, which thread pools' and the engine client's threads do). A subclass says how the next chunk is taken.
 */
abstract class ChunkInputStream extends InputStream {
    private byte[] current;
    private int pos;
    private volatile boolean ended;

    /** The next chunk, waiting for it as the subclass decides; {@code null} at the end of the stream. */
    protected abstract byte[] nextChunk() throws IOException;

    /** Whether the stream has been read to its end. */
    final boolean ended() {
        return ended;
    }

    /** Bytes of the current chunk not read yet. */
    final int buffered() {
        return current == null ? 0 : current.length - pos;
    }

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public final int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (ended) {
            return -1;
        }
        if (current == null || pos == current.length) {
            current = nextChunk();
            pos = 0;
            if (current == null) {
                ended = true;
                return -1;
            }
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }
}
