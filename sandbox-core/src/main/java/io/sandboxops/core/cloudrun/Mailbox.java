package io.sandboxops.core.cloudrun;

import io.sandboxops.core.api.SandboxTimeoutException;
import io.sandboxops.core.state.SessionStateStore;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The client end of a worker's mailbox in the bucket: a request is an object under {@code inbox/}, its answer an
 * object of the same name under {@code outbox/}. A request stays in the inbox until a worker claims it (deletes
 * it with a generation precondition), so a worker that idles out just before a request arrives leaves it for the
 * next worker: nothing is lost and nothing runs twice.
 */
public final class Mailbox {
    private final SessionStateStore store;
    private final String prefix;

    /** @param prefix the mailbox's folder, ending in {@code /} */
    public Mailbox(SessionStateStore store, String prefix) {
        this.store = store;
        this.prefix = prefix;
    }

    public String inbox() {
        return prefix + "inbox/";
    }

    public String outbox() {
        return prefix + "outbox/";
    }

    /**
     * Posts a request and waits for its answer.
     *
     * @param serverAlive checked now and then while waiting; when it says no, the request is withdrawn (if no
     *                    worker took it yet) and the wait ends
     * @throws SandboxTimeoutException when no answer came within {@code timeout}
     */
    public WorkerProtocol.Response call(WorkerProtocol.Request request, Duration timeout, BooleanSupplier serverAlive) {
        String in = inbox() + request.id() + ".json";
        store.write(in, request, 0);
        long deadline = System.nanoTime() + timeout.toNanos();
        long sleep = 2;
        long nextAliveCheck = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (true) {
            Optional<WorkerProtocol.Response> answer = take(request.id());
            if (answer.isPresent()) {
                return answer.get();
            }
            long now = System.nanoTime();
            if (now > nextAliveCheck) {
                nextAliveCheck = now + Duration.ofSeconds(2).toNanos();
                if (!serverAlive.getAsBoolean()) {
                    // Gone without answering: if the request was never claimed, withdraw it; a claimed one may
                    // still have been answered just before the worker ended.
                    answer = take(request.id());
                    if (answer.isPresent()) {
                        return answer.get();
                    }
                    store.delete(in);
                    throw new WorkerGoneException("the worker ended before answering " + request.op() + " " + request.id());
                }
            }
            if (now > deadline) {
                store.delete(in);
                throw new SandboxTimeoutException("no answer to " + request.op() + " from the sandbox's worker within " + timeout.toSeconds() + " s");
            }
            RetrySleep.sleep(Duration.ofMillis(sleep));
            sleep = Math.min(25, sleep + 2);
        }
    }

    /** The answer to {@code requestId}, removed from the outbox, if it came. */
    public Optional<WorkerProtocol.Response> take(String requestId) {
        String out = outbox() + requestId + ".json";
        Optional<SessionStateStore.Versioned<WorkerProtocol.Response>> r = store.read(out, WorkerProtocol.Response.class);
        r.ifPresent(v -> store.delete(out));
        return r.map(SessionStateStore.Versioned::value);
    }

    /** The worker went away without answering; the request was withdrawn when nobody had claimed it. */
    public static final class WorkerGoneException extends io.sandboxops.core.api.SandboxUnavailableException {
        private static final long serialVersionUID = 1L;

        public WorkerGoneException(String message) {
            super(message);
        }
    }

    static final class RetrySleep {
        private RetrySleep() {
        }

        static void sleep(Duration d) {
            try {
                Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new io.sandboxops.core.api.SandboxUnavailableException("interrupted while waiting for the worker", e);
            }
        }
    }
}
