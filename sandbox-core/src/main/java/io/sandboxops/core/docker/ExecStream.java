package io.sandboxops.core.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The stdout of a running exec as an {@link InputStream}, with back-pressure: the engine's frames wait in a small
 * queue, and the stream's thread waits while the queue is full, so a 500 MB file never sits in memory.
 */
final class ExecStream implements Closeable {
    /** For a stream that may rightly stay quiet for as long as it is open, such as a terminal's. */
    static final Duration NO_IDLE_TIMEOUT = Duration.ofMillis(Long.MAX_VALUE);
    private static final byte[] END = new byte[0];
    private static final int MAX_STDERR = 64 * 1024;

    private final String what;
    private final Duration idleTimeout;
    private final IntSupplier exitCode;
    private final BlockingQueue<byte[]> frames = new ArrayBlockingQueue<>(64);
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final Callback callback = new Callback();
    private final Stdout stdout = new Stdout();
    private volatile boolean closed;
    private volatile boolean ended;
    private volatile Throwable broken;

    /**
     * @param what        what runs, for messages, e.g. "tar in sandbox x"
     * @param idleTimeout how long a read waits for the next bytes before giving up (a FIFO or a hung command)
     * @param exitCode    the exec's exit status, asked once its stream has ended
     */
    ExecStream(String what, Duration idleTimeout, IntSupplier exitCode) {
        this.what = what;
        this.idleTimeout = idleTimeout;
        this.exitCode = exitCode;
    }

    ResultCallback.Adapter<Frame> callback() {
        return callback;
    }

    /** What the command prints on stdout; ends (-1) when the command's output ends. */
    InputStream stdout() {
        return stdout;
    }

    /** Whether the engine's stream has ended (the command's output is complete), read or not. */
    boolean ended() {
        return ended;
    }

    /** The exit status, once stdout has ended; -1 when the engine does not tell it. */
    int exitCode() throws IOException {
        if (!stdout.ended()) {
            throw new IllegalStateException("the exit status is known once stdout has been read to its end");
        }
        if (broken != null && !(broken instanceof IOException)) {
            throw new IOException(what + " lost its stream: " + broken.getMessage(), broken);
        }
        return exitCode.getAsInt();
    }

    /** What the command printed on stderr (its first 64 KiB), trimmed. */
    String stderrText() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8).strip();
        }
    }

    /** Ends the stream for both sides: what was not read is dropped, and the reader sees the end. */
    @Override
    public void close() {
        closed = true;
        ended = true;
        frames.clear();
        frames.offer(END);
        try {
            callback.close();
        } catch (IOException e) {
            // the stream is gone either way
        }
    }

    private final class Callback extends ResultCallback.Adapter<Frame> {
        @Override
        public void onNext(Frame frame) {
            byte[] p = frame.getPayload();
            if (frame.getStreamType() == StreamType.STDERR) {
                synchronized (stderr) {
                    if (stderr.size() < MAX_STDERR) {
                        stderr.write(p, 0, Math.min(p.length, MAX_STDERR - stderr.size()));
                    }
                }
            } else if (p.length > 0) {
                // A copy: the engine client may reuse the frame's buffer for the next one while this waits in the queue.
                offer(p.clone());
            }
        }

        /** The end goes in first: closing the callback interrupts this thread, which would lose it. */
        @Override
        public void onComplete() {
            ended = true;
            offer(END);
            super.onComplete();
        }

        /** After our own close the connection's error is the end we asked for, not one to log at ERROR level. */
        @Override
        public void onError(Throwable throwable) {
            ended = true;
            if (closed) {
                try {
                    close();
                } catch (IOException e) {
                    // closing a closed stream: nothing left to release
                }
                return;
            }
            broken = throwable;
            offer(END);
            super.onError(throwable);
        }

        /** Waits while the reader is behind; gives up only once the reader closed the stream. */
        private void offer(byte[] chunk) {
            boolean interrupted = false;
            while (!closed) {
                try {
                    if (frames.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final class Stdout extends ChunkInputStream {
        @Override
        protected byte[] nextChunk() throws IOException {
            byte[] chunk;
            try {
                chunk = frames.poll(idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading from " + what);
            }
            if (chunk == null) {
                throw new IOException(what + " printed nothing for " + idleTimeout.toSeconds() + " s; gave up");
            }
            return chunk == END ? null : chunk;
        }

        @Override
        public void close() {
            ExecStream.this.close();
        }
    }
}
