package io.sandboxops.core.docker;

import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The stdin docker-java copies into an attached exec: writes from any thread, read by the transport's copier.
 */
final class StdinPipe extends ChunkInputStream {
    private static final byte[] EOF = new byte[0];
    private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
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
    protected byte[] nextChunk() throws IOException {
        byte[] chunk;
        try {
            chunk = chunks.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return chunk == EOF ? null : chunk;
    }

    @Override
    public int available() {
        return buffered();
    }

    @Override
    public void close() {
        finish();
    }
}
