package io.sandboxops.core.cloudrun;

import io.sandboxops.core.api.SandboxTimeoutException;
import io.sandboxops.core.state.SessionStateStore;
import io.sandboxops.core.util.OverlappingLooks;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The client end of a worker's mailbox in the bucket: a request is an object under {@code inbox/}, its answer an
 * object of the same name under {@code outbox/}. A request stays in the inbox until a worker claims it (deletes
 * it with a generation precondition), so a worker that idles out just before a request arrives leaves it for the
 * next worker: nothing is lost and nothing runs twice. Every request is signed with the sandbox's
 * {@link MailboxKey} for one worker execution: a worker runs nothing else.
 */
public final class Mailbox {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Mailbox.class);
    /** One daemon thread for every mailbox of the process: removing answers is never urgent. */
    private static final java.util.concurrent.ExecutorService CLEANUP = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mailbox-cleanup");
        t.setDaemon(true);
        return t;
    });
    /**
     * While an answer is likely soon (a quick command's), a look at the outbox starts every
     * {@link #OVERLAP_GAP_MILLIS}, overlapping ({@link OverlappingLooks}); after {@link #OVERLAP_FOR}, one at a time, a
     * pause of pollMillis apart, so a long command costs no more reads than with one look at a time.
     */
    static final long OVERLAP_GAP_MILLIS = 20;
    static final Duration OVERLAP_FOR = Duration.ofSeconds(1);
    static final int MAX_LOOKS_IN_FLIGHT = 4;
    /** A look's round trip as counted once looks no longer overlap (a same-region read). */
    private static final long LOOK_MILLIS = 50;
    /**
     * The custom metadata key that holds a request's envelope (as its content does) when it is at most
     * {@link #MAX_INLINE_REQUEST} bytes: Cloud Storage keeps up to 8 KiB of custom metadata per object, and returns it in
     * listings, so the worker that lists the inbox has the request without reading it. Signed as the content is: the
     * worker checks it the same way.
     */
    public static final String REQUEST_METADATA = "sandboxops-request";
    public static final int MAX_INLINE_REQUEST = 6 * 1024;
    private final SessionStateStore store;
    private final String prefix;

    /** @param prefix the mailbox's folder, ending in {@code /} */
    public Mailbox(SessionStateStore store, String prefix) {
        this.store = store;
        this.prefix = prefix;
    }

    /** The mailbox's folder, ending in {@code /}: what a signed request names as its mailbox. */
    public String prefix() {
        return prefix;
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
     * @param seal        signs the request for the worker it goes to (and adds a fresh storage token)
     * @param serverAlive checked now and then while waiting; when it says no, the request is withdrawn (if no
     *                    worker took it yet) and the wait ends
     * @throws SandboxTimeoutException when no answer came within {@code timeout}
     */
    public WorkerProtocol.Response call(WorkerProtocol.Request request, Duration timeout, BooleanSupplier serverAlive,
                                        java.util.function.Function<WorkerProtocol.Request, MailboxKey.Envelope> seal) {
        return call(request, timeout, serverAlive, seal, r -> true, 25);
    }

    /**
     * Posts a request and waits for an answer that {@code genuine} accepts; any other found under its name (written by
     * someone else who reaches the outbox, or not an answer at all) is removed and the wait goes on.
     *
     * @param pollMillis the longest pause between two looks at the outbox
     */
    public WorkerProtocol.Response call(WorkerProtocol.Request request, Duration timeout, BooleanSupplier serverAlive,
                                        java.util.function.Function<WorkerProtocol.Request, MailboxKey.Envelope> seal,
                                        java.util.function.Predicate<WorkerProtocol.Response> genuine, long pollMillis) {
        byte[] envelope;
        try {
            envelope = store.json().writeValueAsBytes(seal.apply(request));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write a mailbox request: " + e.getMessage(), e);
        }
        // A small request also goes in the object's metadata, which the worker's listing returns: it reads no content.
        java.util.Map<String, String> inline = envelope.length <= MAX_INLINE_REQUEST
                ? java.util.Map.of(REQUEST_METADATA, new String(envelope, java.nio.charset.StandardCharsets.UTF_8)) : java.util.Map.of();
        long written = store.writeBytes(inbox() + request.id() + ".json", envelope, 0, "application/json", inline);
        return await(request, written, timeout, serverAlive, genuine, pollMillis);
    }

    /**
     * Waits for the answer to a request already delivered: posted in the inbox as generation {@code written}, or (0)
     * handed over another way (in a warm-pool claim), in which case it cannot be withdrawn and a worker that goes away
     * without answering is reported as having taken it.
     */
    public WorkerProtocol.Response await(WorkerProtocol.Request request, long written, Duration timeout, BooleanSupplier serverAlive,
                                         java.util.function.Predicate<WorkerProtocol.Response> genuine, long pollMillis) {
        String in = inbox() + request.id() + ".json";
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long nextAliveCheck = start + Duration.ofSeconds(2).toNanos();
        OverlappingLooks<WorkerProtocol.Response> looks = new OverlappingLooks<>(() -> find(request.id(), genuine), MAX_LOOKS_IN_FLIGHT, "the worker");
        while (true) {
            long now = System.nanoTime();
            Optional<WorkerProtocol.Response> answer = looks.next(now - start < OVERLAP_FOR.toNanos() ? OVERLAP_GAP_MILLIS : LOOK_MILLIS + pollMillis);
            if (answer.isPresent()) {
                return removed(answer.get());
            }
            now = System.nanoTime();
            if (now > nextAliveCheck) {
                nextAliveCheck = now + Duration.ofSeconds(2).toNanos();
                if (!serverAlive.getAsBoolean()) {
                    // Gone without answering: a claimed request may still have been answered just before the worker
                    // ended; one never claimed is withdrawn and may go to another worker. One claimed and never
                    // answered was lost with the worker, part-way perhaps: it is not sent again.
                    answer = find(request.id(), genuine);
                    if (answer.isPresent()) {
                        return removed(answer.get());
                    }
                    boolean withdrawn = written != 0 && store.deleteIfGeneration(in, written);
                    throw new WorkerGoneException(request, !withdrawn);
                }
            }
            if (now > deadline) {
                if (written != 0) {
                    store.delete(in);
                }
                throw new SandboxTimeoutException("no answer to " + request.op() + " from the sandbox's worker within " + timeout.toSeconds() + " s");
            }
        }
    }

    /**
     * The answer to {@code requestId}, if it came. It is removed from the outbox behind the caller's back: the
     * answer is already in hand, and a delete that fails only leaves an object that destroying the sandbox removes.
     */
    public Optional<WorkerProtocol.Response> take(String requestId) {
        return find(requestId, r -> true).map(this::removed);
    }

    /** {@code answer}, its object removed from the outbox in the background. */
    private WorkerProtocol.Response removed(WorkerProtocol.Response answer) {
        String out = outbox() + answer.id() + ".json";
        CLEANUP.execute(() -> deleteQuietly(out));
        return answer;
    }

    /** The answer to {@code requestId} that {@code genuine} accepts, if it came; another under its name is removed. */
    private Optional<WorkerProtocol.Response> find(String requestId, java.util.function.Predicate<WorkerProtocol.Response> genuine) {
        String out = outbox() + requestId + ".json";
        // One request per look (the content alone): the answer is usually not there yet, and each look is on the
        // command's critical path.
        Optional<byte[]> raw = store.readContent(out);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        WorkerProtocol.Response r;
        try {
            r = store.json().readValue(raw.get(), WorkerProtocol.Response.class);
        } catch (java.io.IOException | RuntimeException e) {
            r = null;
        }
        if (r == null || !requestId.equals(r.id()) || !genuine.test(r)) {
            LOG.warn("removed an answer to {} that its worker did not write (it is not signed with the sandbox's mailbox key)", requestId);
            // Removed only as read: the worker's own answer, written since, stays.
            store.readBytes(out).filter(v -> java.util.Arrays.equals(v.value(), raw.get()))
                    .ifPresent(v -> store.deleteIfGeneration(out, v.generation()));
            return Optional.empty();
        }
        return Optional.of(r);
    }

    private void deleteQuietly(String object) {
        try {
            store.delete(object);
        } catch (RuntimeException e) {
            LOG.debug("could not remove the answered {}: {}", object, e.toString());
        }
    }

    /** The worker went away without answering; the request was withdrawn when nobody had claimed it. */
    public static final class WorkerGoneException extends io.sandboxops.core.api.SandboxUnavailableException {
        private static final long serialVersionUID = 1L;
        private final boolean claimed;

        WorkerGoneException(WorkerProtocol.Request request, boolean claimed) {
            super(claimed
                    ? "the sandbox's worker stopped while handling " + request.op() + " " + request.id() + " (it crashed or was "
                            + "stopped); what it did may be partly done and was not repeated. The session keeps its state and "
                            + "files as of its last completed command; see the worker's logs in Cloud Logging"
                    : "the sandbox's worker ended before taking " + request.op() + " " + request.id() + "; the request was withdrawn");
            this.claimed = claimed;
        }

        /** Whether a worker took the request before it went: then it must not be sent again. */
        public boolean claimed() {
            return claimed;
        }
    }
}
