package io.sandboxops.core.docker;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The stdin docker-java copies into an attached exec: writes from any thread, read by the transport's copier.
 * (java.io.Piped* streams break when the writing thread ends, which a thread pool's threads do.)
 */
final class StdinPipe extends InputStream {
    private static final byte[] EOF = new byte[0];
    private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private byte[] current;
    private int pos;
    private volatile boolean closed;

    void send(byte[] bytes) throws IOException {
        if (closed) {
            throw new IOException("the shell's stdin is closed");
        }
        if (bytes.length > 0) {
            chunks.add(bytes.clone());
        }
    }

    /** No more input: the reader sees end-of-file once it has read what was sent. */
    void finish() {
        if (!closed) {
            closed = true;
            chunks.add(EOF);
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (current == null || pos == current.length) {
            try {
                current = chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            pos = 0;
            if (current == EOF) {
                chunks.add(EOF);
                return -1;
            }
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return current == null || current == EOF ? 0 : current.length - pos;
    }

    @Override
    public void close() {
        finish();
    }
}
