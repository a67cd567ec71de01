package io.sandboxops.executor;

import com.google.cloud.storage.Blob;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.cloudrun.Mailbox;
import io.sandboxops.core.cloudrun.MailboxKey;
import io.sandboxops.core.cloudrun.WorkerProtocol;
import io.sandboxops.core.state.SessionStateStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * A worker's end of a mailbox: claims each request, runs only those signed with the sandbox's {@link MailboxKey} for
 * this sandbox, this mailbox and this execution, recently, and never twice; switches to the fresh storage token each
 * one carries. A refused request is removed and logged with the reason (never its content); its sender gets the
 * reason as an error unless it was a replay, whose id belongs to a request already answered. Used by one thread.
 */
final class SignedInbox {
    /**
     * The largest request read: a command of a few megabytes fits, and an object bigger than any client writes (anyone
     * with the sandbox's storage token can write one) is removed unread instead of filling the worker's memory.
     */
    static final long MAX_REQUEST_BYTES = 16L << 20;
    private final SessionStateStore store;
    private final Mailbox mailbox;
    private final ExecutorConfig config;
    private final WorkerCredentials credentials;
    private final JsonLog log;
    /** The names and generations already looked at and still in the inbox. */
    private final Set<String> seen = new HashSet<>();
    /** Ids of requests taken, with when they were issued: kept while a replay of them would still be fresh enough. */
    private final Map<String, Instant> taken = new HashMap<>();

    SignedInbox(SessionStateStore store, Mailbox mailbox, ExecutorConfig config, WorkerCredentials credentials, JsonLog log) {
        this.store = store;
        this.mailbox = mailbox;
        this.config = config;
        this.credentials = credentials;
        this.log = log;
    }

    /** Claims and dispatches the requests waiting in the inbox. @return whether any was run */
    boolean serve(Worker worker, ExecutorService pool) {
        long listed0 = System.nanoTime();
        List<Blob> waiting = store.listBlobs(mailbox.inbox());
        long listedAt = System.nanoTime();
        // Only what is still in the inbox can be seen again (a request written anew has a new generation): the set stays
        // as small as the inbox instead of growing by one entry per request for the worker's whole life.
        Set<String> listed = new HashSet<>();
        waiting.forEach(b -> listed.add(b.getName() + "#" + b.getGeneration()));
        seen.retainAll(listed);
        boolean any = false;
        for (Blob b : waiting) {
            if (!seen.add(b.getName() + "#" + b.getGeneration())) {
                continue;
            }
            if (b.getSize() != null && b.getSize() > MAX_REQUEST_BYTES) {
                if (store.deleteIfGeneration(b.getName(), b.getGeneration())) {
                    refuse(b.getName(), null, "it has " + b.getSize() + " bytes, more than the " + MAX_REQUEST_BYTES + " a request may have", false);
                }
                continue;
            }
            Optional<SessionStateStore.Versioned<MailboxKey.Envelope>> read;
            long read0 = System.nanoTime();
            String inline = b.getMetadata() == null ? null : b.getMetadata().get(Mailbox.REQUEST_METADATA);
            if (inline != null && inline.length() > Mailbox.MAX_INLINE_REQUEST) {
                inline = null; // no client writes one this long: the content, whose size is checked, is what counts
            }
            try {
                // A small request came with the listing (its metadata, of the generation listed); a larger one is read: the
                // generation the listing named, in one request. A request written anew is a new generation, seen next time.
                read = inline != null
                        ? Optional.of(new SessionStateStore.Versioned<>(parseEnvelope(inline.getBytes(java.nio.charset.StandardCharsets.UTF_8)), b.getGeneration()))
                        : store.readGeneration(b.getName(), b.getGeneration())
                                .map(bytes -> new SessionStateStore.Versioned<>(parseEnvelope(bytes), b.getGeneration()));
            } catch (RuntimeException e) {
                // Not even JSON: nobody's client wrote it.
                if (store.deleteIfGeneration(b.getName(), b.getGeneration())) {
                    refuse(b.getName(), null, "it is not a mailbox request", false);
                }
                continue;
            }
            if (read.isEmpty()) {
                continue; // taken by another worker since the listing
            }
            // Checked before it is claimed, acted on after: a request that will run a command has its files' pull started
            // beside the claim instead of after it.
            Instant now = Instant.now();
            MailboxKey.Signed signed = null;
            String refusal = null;
            try {
                signed = config.mailboxKey().open(read.get().value(), b.getName(), config.sandboxId(), mailbox.prefix(), config.executionId(), now);
            } catch (MailboxKey.Refused r) {
                refusal = r.getMessage();
            }
            java.util.concurrent.CompletableFuture<Void> pulled = signed != null && Worker.pullsFirst(signed.request().op()) ? worker.pullAhead() : null;
            // Claiming is deleting with the generation read: exactly one worker wins a request. (A pull started for one
            // another worker won only brought the files up to date.)
            long claim0 = System.nanoTime();
            if (!store.deleteIfGeneration(b.getName(), read.get().generation())) {
                continue;
            }
            long claimedAt = System.nanoTime();
            if (signed == null) {
                refuse(b.getName(), read.get().value().id(), refusal, false);
                continue;
            }
            Phases phases = new Phases(millis(listedAt - listed0), millis(claim0 - read0), millis(claimedAt - claim0), listedAt, claimedAt);
            any |= dispatch(signed, b.getName(), now, worker, pool, pulled, phases);
        }
        return any;
    }

    private MailboxKey.Envelope parseEnvelope(byte[] bytes) {
        try {
            return store.json().readValue(bytes, MailboxKey.Envelope.class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a mailbox request", e);
        }
    }

    /** The first request that came inside a warm-pool claim, checked: what {@link #dispatchCarried} runs. */
    record Carried(MailboxKey.Signed signed, String object, Instant checkedAt) {
        WorkerProtocol.Request request() {
            return signed.request();
        }
    }

    /**
     * Checks the first request that came inside a warm-pool claim exactly as one found in the inbox (signed with the
     * sandbox's key, for this sandbox, mailbox and execution, recently); one that fails is refused.
     */
    Optional<Carried> openCarried(MailboxKey.Envelope envelope) {
        String object = mailbox.inbox() + envelope.id() + ".json";
        Instant now = Instant.now();
        try {
            return Optional.of(new Carried(config.mailboxKey().open(envelope, object, config.sandboxId(), mailbox.prefix(), config.executionId(), now),
                    object, now));
        } catch (MailboxKey.Refused r) {
            refuse(object, envelope.id(), r.getMessage(), false);
            return Optional.empty();
        }
    }

    /**
     * Runs a carried request (once). It was sent before the claim: the files restored after it hold what its client did
     * before, or, restored from what the claim handed over, are being checked ({@code pulled}).
     *
     * @return whether it was run
     */
    boolean dispatchCarried(Carried carried, Worker worker, ExecutorService pool, java.util.concurrent.CompletableFuture<Void> pulled) {
        return dispatch(carried.signed(), carried.object(), carried.checkedAt(), worker, pool, pulled, null);
    }

    /**
     * How long a request found in the inbox took to reach the worker, for the log: the listing that found it, the read
     * of its content, its claim (whose end is where its command's critical path on the worker starts).
     */
    private record Phases(double listMillis, double readMillis, double claimMillis, long listedAtNanos, long claimedAtNanos) {
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }

    /**
     * @param pulled the request's pull, started already or done; null to pull when it runs
     * @param phases how it came from the inbox, logged with its answer's write; null for a carried request
     */
    private boolean dispatch(MailboxKey.Signed signed, String object, Instant now, Worker worker, ExecutorService pool,
                             java.util.concurrent.CompletableFuture<Void> pulled, Phases phases) {
        taken.values().removeIf(issued -> issued.isBefore(now.minus(MailboxKey.MAX_AGE).minus(MailboxKey.MAX_SKEW)));
        if (taken.putIfAbsent(signed.request().id(), signed.issuedAt()) != null) {
            refuse(object, signed.request().id(), "request " + signed.request().id() + " was already taken: a replay", true);
            return false;
        }
        if (signed.token() != null && credentials.offer(signed.token())) {
            log.info("token-renewed", "expires", String.valueOf(signed.token().expiresAt()));
        }
        WorkerProtocol.Request request = signed.request();
        pool.submit(() -> {
            long handled0 = System.nanoTime();
            WorkerProtocol.Response response = worker.handle(request, pulled);
            long answer0 = System.nanoTime();
            answer(response);
            if (phases != null && request.op() != WorkerProtocol.Op.TERMINAL_READ && request.op() != WorkerProtocol.Op.TERMINAL_INPUT) {
                long end = System.nanoTime();
                log.info("mailbox-phases", "op", request.op(), "list_ms", phases.listMillis(), "read_ms", phases.readMillis(),
                        "claim_ms", phases.claimMillis(), "dispatch_ms", millis(handled0 - phases.claimedAtNanos()),
                        "handle_ms", millis(answer0 - handled0), "answer_ms", millis(end - answer0), "listed_to_answered_ms", millis(end - phases.listedAtNanos()));
            }
        });
        return true;
    }

    /**
     * Writes an answer. Anyone holding the sandbox's storage token may have put an object under its name first (a
     * forged answer, which the client of a signed answer refuses): it is replaced, so the real one still arrives.
     */
    private void answer(WorkerProtocol.Response response) {
        String object = mailbox.outbox() + response.id() + ".json";
        for (int attempt = 1; ; attempt++) {
            try {
                store.write(object, response, 0);
                return;
            } catch (SessionStateStore.GenerationConflict e) {
                log.warn("answer-squatted", "object", object, "attempt", attempt);
                if (attempt == 3) {
                    return;
                }
                store.deleteIfGeneration(object, store.generation(object));
            }
        }
    }

    private void refuse(String object, String id, String reason, boolean replay) {
        log.warn("request-refused", "object", object, "reason", reason);
        if (replay || !MailboxKey.isRequestId(id) || !object.equals(mailbox.inbox() + id + ".json")) {
            return;
        }
        try {
            store.write(mailbox.outbox() + id + ".json", WorkerProtocol.Response.failed(id, new SandboxUnavailableException(
                    "the sandbox's worker refused request " + id + ": " + reason + ". Requests must come from the sandbox's own "
                            + "client (signed with its mailbox key, for the live worker); send the command again")), 0);
        } catch (SessionStateStore.GenerationConflict e) {
            // An answer is there already: leave it.
        }
    }
}
