package io.sandboxops.core.cloudrun;

import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxTimeoutException;
import io.sandboxops.core.api.Terminal;
import io.sandboxops.core.api.TerminalSize;
import io.sandboxops.core.cloudrun.WorkerProtocol.Op;
import io.sandboxops.core.cloudrun.WorkerProtocol.Request;
import io.sandboxops.core.cloudrun.WorkerProtocol.Response;
import io.sandboxops.core.cloudrun.WorkerProtocol.TerminalRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Base64;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A terminal of a session worker (Cloud Run session mode), driven through the sandbox's signed mailbox
 * ({@link WorkerProtocol}, {@code terminal-*} operations). Two threads per terminal:
 * <ul>
 * <li>the reader keeps one {@link Op#TERMINAL_READ} waiting at the worker at all times (a long poll, answered as soon as
 * output exists), and hands what comes to {@link #output()} in order. Each read names the output bytes received so
 * far, which acknowledges them; one lost on the way is asked for again from the same point, so nothing is lost or
 * repeated. The output pipe holds at most {@link #PIPE} bytes: when nobody reads it, the reader stops asking, and the
 * worker's own bounded buffer, then the pseudo-terminal, then the writing program wait;</li>
 * <li>the sender sends what was typed: one {@link Op#TERMINAL_INPUT} at a time, in order, each carrying everything typed
 * while the previous one was on its way (at most {@link WorkerProtocol#TERMINAL_MAX_INPUT} bytes), so a burst of keys is
 * one object and not one per byte. Each names the input bytes sent before it: one sent again is not typed twice.</li>
 * </ul>
 * Every answer must carry the worker's MAC ({@link MailboxKey#tag}); any other found in the outbox is removed unread,
 * so nothing written there by the sandbox's own code changes the output, the end or the exit status.
 */
final class CloudRunTerminal implements Terminal {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CloudRunTerminal.class);
    /** How long one read waits at the worker for output. */
    static final Duration READ_WAIT = Duration.ofSeconds(15);
    /** How much longer than its wait the client waits for a read's answer before it asks again. */
    private static final Duration ANSWER_ALLOWANCE = Duration.ofSeconds(30);
    /** The longest pause between two looks at the outbox: the most a waiting answer can lie there unseen. */
    static final long POLL_MILLIS = 10;
    /** Output received and not yet read from {@link #output()}. */
    static final int PIPE = 1 << 20;
    /** Input written and not yet sent: a writer waits beyond it. */
    private static final int PENDING_MAX = 1 << 20;

    /** The way to the worker the terminal lives in: a call through the mailbox, to that execution only. */
    interface Channel {
        Response call(Request request, Duration timeout, java.util.function.Predicate<Response> genuine);
    }

    private final String sandboxId;
    private final String sessionId;
    private final String terminalId;
    private final Channel channel;
    private final MailboxKey key;
    private final OutputPipe output = new OutputPipe();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Object inputLock = new Object();
    private byte[] pending = new byte[0];
    private volatile TerminalSize size;
    private volatile boolean closed;

    /** A terminal the worker has yet to open; {@link #start} once it has. */
    CloudRunTerminal(String sandboxId, String sessionId, String terminalId, TerminalSize size, Channel channel, MailboxKey key) {
        this.sandboxId = sandboxId;
        this.sessionId = sessionId;
        this.terminalId = terminalId;
        this.size = size;
        this.channel = channel;
        this.key = key;
    }

    /** Starts reading the output and sending the input of the terminal the worker opened. */
    void start() {
        Thread reader = new Thread(this::readLoop, "terminal-read-" + terminalId.substring(0, 8));
        reader.setDaemon(true);
        reader.start();
        Thread sender = new Thread(this::sendLoop, "terminal-send-" + terminalId.substring(0, 8));
        sender.setDaemon(true);
        sender.start();
    }

    /** Whether {@code r} is the worker's own answer: signed with the sandbox's mailbox key, for this terminal. */
    boolean genuine(Response r) {
        WorkerProtocol.TerminalChunk c = r.terminal();
        return c != null && terminalId.equals(c.terminal()) && c.data() != null
                && key.verify(WorkerProtocol.TerminalChunk.signed(sandboxId, r), c.mac());
    }

    private Response call(Op op, TerminalRequest t, Duration wait, Duration timeout) {
        Request r = Request.terminal(op, sessionId, t);
        return channel.call(wait.isZero() ? r : r.withTimeout(wait), timeout, this::genuine).orThrow();
    }

    @Override
    public String sessionId() {
        return sessionId;
    }

    @Override
    public void write(byte[] bytes) {
        synchronized (inputLock) {
            while (pending.length >= PENDING_MAX && !exit.isDone() && !closed) {
                try {
                    inputLock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SandboxException("interrupted while the terminal's input was full");
                }
            }
            if (closed) {
                throw new SandboxNotFoundException("terminal " + terminalId + " of session " + sessionId + " was closed");
            }
            if (exit.isDone()) {
                throw new SandboxNotFoundException("terminal " + terminalId + " of session " + sessionId + " has ended");
            }
            byte[] more = java.util.Arrays.copyOf(pending, pending.length + bytes.length);
            System.arraycopy(bytes, 0, more, pending.length, bytes.length);
            pending = more;
            inputLock.notifyAll();
        }
    }

    private void sendLoop() {
        long sent = 0;
        byte[] batch = null;
        while (true) {
            if (batch == null) {
                synchronized (inputLock) {
                    while (pending.length == 0 && !closed && !exit.isDone()) {
                        try {
                            inputLock.wait();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    if (pending.length == 0) {
                        return;
                    }
                    int n = Math.min(pending.length, WorkerProtocol.TERMINAL_MAX_INPUT);
                    batch = java.util.Arrays.copyOf(pending, n);
                    pending = java.util.Arrays.copyOfRange(pending, n, pending.length);
                    inputLock.notifyAll();
                }
            }
            try {
                call(Op.TERMINAL_INPUT, new TerminalRequest(terminalId, sent, 0, 0, Base64.getEncoder().encodeToString(batch)),
                        Duration.ZERO, ANSWER_ALLOWANCE);
                sent += batch.length;
                batch = null;
            } catch (SandboxTimeoutException e) {
                // Sent again from the same offset: the worker types what it has not typed yet.
                LOG.debug("terminal {} input timed out, sending it again", terminalId);
            } catch (SandboxException e) {
                // The terminal ended (the reader sees how) or its worker is gone: what is still typed goes nowhere.
                LOG.debug("terminal {} input stopped: {}", terminalId, e.getMessage());
                return;
            }
        }
    }

    private void readLoop() {
        long offset = 0;
        try {
            while (!closed) {
                Response r;
                try {
                    r = call(Op.TERMINAL_READ, new TerminalRequest(terminalId, offset, 0, 0, null), READ_WAIT, READ_WAIT.plus(ANSWER_ALLOWANCE));
                } catch (SandboxTimeoutException e) {
                    continue;
                }
                WorkerProtocol.TerminalChunk c = r.terminal();
                if (c.offset() != offset) {
                    throw new SandboxException("terminal " + terminalId + " answered output from byte " + c.offset() + " to a read from byte " + offset);
                }
                byte[] data = Base64.getDecoder().decode(c.data());
                if (!output.put(data)) {
                    // Nobody reads the output any more: the terminal was closed.
                    return;
                }
                offset += data.length;
                if (c.ended()) {
                    exit.complete(c.exitCode() == null ? 255 : c.exitCode());
                    return;
                }
            }
        } catch (SandboxException e) {
            if (!closed) {
                exit.completeExceptionally(e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            output.end();
            synchronized (inputLock) {
                inputLock.notifyAll();
            }
        }
    }

    @Override
    public InputStream output() {
        return output;
    }

    @Override
    public void resize(TerminalSize s) {
        if (exit.isDone() || closed) {
            throw new SandboxNotFoundException("terminal " + terminalId + " of session " + sessionId + " has ended");
        }
        call(Op.TERMINAL_RESIZE, new TerminalRequest(terminalId, 0, s.columns(), s.rows(), null), Duration.ZERO, ANSWER_ALLOWANCE);
        size = s;
    }

    @Override
    public TerminalSize size() {
        return size;
    }

    @Override
    public OptionalInt waitFor(Duration timeout) {
        try {
            return OptionalInt.of(exit.get(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SandboxException se ? se
                    : new SandboxException("terminal " + terminalId + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            // Also once the shell has exited: the close ends what it left running.
            Response r = call(Op.TERMINAL_CLOSE, new TerminalRequest(terminalId, 0, 0, 0, null), Duration.ZERO, ANSWER_ALLOWANCE);
            exit.complete(r.terminal().exitCode() == null ? 255 : r.terminal().exitCode());
        } catch (SandboxException e) {
            // Closed by the worker already (its idle limit, the session's close) or the worker is gone: a status the
            // reader got stays.
            exit.completeExceptionally(e);
        } finally {
            output.end();
            synchronized (inputLock) {
                inputLock.notifyAll();
            }
        }
    }

    /** The output as a stream: a bounded ring the reader thread fills and the caller empties. */
    static final class OutputPipe extends InputStream {
        private final byte[] ring = new byte[PIPE];
        private int head;
        private int count;
        private boolean ended;
        private boolean readerGone;

        /** @return false when nobody reads any more */
        synchronized boolean put(byte[] b) throws InterruptedException {
            int i = 0;
            while (i < b.length) {
                while (count == PIPE && !readerGone && !ended) {
                    wait();
                }
                if (readerGone || ended) {
                    return false;
                }
                int tail = (head + count) % PIPE;
                int n = Math.min(b.length - i, Math.min(PIPE - count, PIPE - tail));
                System.arraycopy(b, i, ring, tail, n);
                count += n;
                i += n;
                notifyAll();
            }
            return true;
        }

        synchronized void end() {
            ended = true;
            notifyAll();
        }

        @Override
        public synchronized int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            try {
                while (count == 0 && !ended && !readerGone) {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading the terminal's output");
            }
            if (count == 0) {
                return -1;
            }
            int n = Math.min(len, Math.min(count, PIPE - head));
            System.arraycopy(ring, head, b, off, n);
            head = (head + n) % PIPE;
            count -= n;
            notifyAll();
            return n;
        }

        @Override
        public synchronized int available() {
            return count;
        }

        @Override
        public synchronized void close() {
            readerGone = true;
            notifyAll();
        }
    }
}
