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
        List<Blob> waiting = store.listBlobs(mailbox.inbox());
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
            try {
                // The generation the listing named, in one request: a request written anew is a new generation, seen next time.
                read = store.readGeneration(b.getName(), b.getGeneration())
                        .map(bytes -> new SessionStateStore.Versioned<>(parseEnvelope(bytes), b.getGeneration()));
            } catch (RuntimeException e) {
                // Not even JSON: nobody's client wrote it.
                if (store.deleteIfGeneration(b.getName(), b.getGeneration())) {
                    refuse(b.getName(), null, "it is not a mailbox request", false);
                }
                continue;
            }
            // Claiming is deleting with the generation read: exactly one worker wins a request.
            if (read.isEmpty() || !store.deleteIfGeneration(b.getName(), read.get().generation())) {
                continue;
            }
            MailboxKey.Signed signed;
            Instant now = Instant.now();
            try {
                signed = config.mailboxKey().open(read.get().value(), b.getName(), config.sandboxId(), mailbox.prefix(), config.executionId(), now);
            } catch (MailboxKey.Refused r) {
                refuse(b.getName(), read.get().value().id(), r.getMessage(), false);
                continue;
            }
            any |= dispatch(signed, b.getName(), now, worker, pool);
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

    /**
     * Runs the first request that came inside a warm-pool claim, checked exactly as one found in the inbox (signed with
     * the sandbox's key, for this sandbox, mailbox and execution, recently, once).
     *
     * @return whether it was run
     */
    boolean acceptCarried(MailboxKey.Envelope envelope, Worker worker, ExecutorService pool) {
        String object = mailbox.inbox() + envelope.id() + ".json";
        Instant now = Instant.now();
        MailboxKey.Signed signed;
        try {
            signed = config.mailboxKey().open(envelope, object, config.sandboxId(), mailbox.prefix(), config.executionId(), now);
        } catch (MailboxKey.Refused r) {
            refuse(object, envelope.id(), r.getMessage(), false);
            return false;
        }
        return dispatch(signed, object, now, worker, pool);
    }

    private boolean dispatch(MailboxKey.Signed signed, String object, Instant now, Worker worker, ExecutorService pool) {
        taken.values().removeIf(issued -> issued.isBefore(now.minus(MailboxKey.MAX_AGE).minus(MailboxKey.MAX_SKEW)));
        if (taken.putIfAbsent(signed.request().id(), signed.issuedAt()) != null) {
            refuse(object, signed.request().id(), "request " + signed.request().id() + " was already taken: a replay", true);
            return false;
        }
        if (signed.token() != null && credentials.offer(signed.token())) {
            log.info("token-renewed", "expires", String.valueOf(signed.token().expiresAt()));
        }
        WorkerProtocol.Request request = signed.request();
        pool.submit(() -> answer(worker.handle(request)));
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
