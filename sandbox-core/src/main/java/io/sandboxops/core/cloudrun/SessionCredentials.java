package io.sandboxops.core.cloudrun;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.CredentialAccessBoundary;
import com.google.auth.oauth2.OAuth2Credentials;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.state.SessionStateStore;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the control plane hands each sandbox's worker (DESIGN §5, isolation between sessions): a Cloud Storage token
 * downscoped by a Credential Access Boundary to the sandbox's {@code sessions/{id}/} objects, and the sandbox's
 * mailbox key. The job's service account has no bucket role, so these are the only way an execution reaches the
 * bucket, and each reaches one sandbox.
 *
 * <p>Tokens: one {@link OAuth2Credentials} per sandbox ({@link GoogleClients#downscoped}), which the library renews
 * before it expires; every RunJob and every mailbox request carries its current token, so a worker that keeps getting
 * requests always holds a live one. Keys: made once per sandbox, kept in {@code control/sessions/{id}/} (outside every
 * sandbox's prefix) so any later control-plane process finds them. Thread-safe.
 */
public final class SessionCredentials {
    /** What a worker may do with its own objects: read, write, delete and list them; nothing on the bucket itself. */
    static final String ROLE = "inRole:roles/storage.objectAdmin";

    private final GoogleClients clients;
    private final SessionStateStore store;
    private final Map<String, OAuth2Credentials> tokens = new ConcurrentHashMap<>();
    private final Map<String, MailboxKey> keys = new ConcurrentHashMap<>();

    public SessionCredentials(GoogleClients clients, SessionStateStore store) {
        this.clients = clients;
        this.store = store;
    }

    /**
     * The boundary of a sandbox's token: objects whose name starts with {@code sessions/{id}/}, and listings whose prefix
     * does. Google's own form of the condition, which the emulator enforces as Google does.
     */
    public static CredentialAccessBoundary boundary(String bucket, String sandboxId) {
        return prefixBoundary(bucket, SessionStateStore.sandboxPrefix(sandboxId), "sandbox " + sandboxId);
    }

    /** The boundary of a token for the objects under {@code prefix} (and listings within it), and nothing else. */
    static CredentialAccessBoundary prefixBoundary(String bucket, String prefix, String title) {
        String expression = "resource.name.startsWith('projects/_/buckets/" + bucket + "/objects/" + prefix + "')"
                + " || api.getAttribute('storage.googleapis.com/objectListPrefix', '').startsWith('" + prefix + "')";
        return CredentialAccessBoundary.newBuilder().addRule(CredentialAccessBoundary.AccessBoundaryRule.newBuilder()
                .setAvailableResource("//storage.googleapis.com/projects/_/buckets/" + bucket)
                .addAvailablePermission(ROLE)
                .setAvailabilityCondition(CredentialAccessBoundary.AccessBoundaryRule.AvailabilityCondition.newBuilder()
                        .setTitle(title).setExpression(expression).build())
                .build()).build();
    }

    /**
     * A token for one warm-pool worker: its own {@code pool/{worker}/} objects only, so an idle worker reaches no sandbox,
     * and once claimed it holds nothing that opens another worker's claim. Made once per worker, not kept.
     */
    StorageToken poolToken(String worker) {
        return fresh(clients.downscoped(prefixBoundary(store.bucket(), PoolProtocol.prefix(worker), "pool worker " + worker)), "pool worker " + worker);
    }

    /** The sandbox's current downscoped token, renewed first when it is about to expire. */
    public StorageToken token(String sandboxId) {
        return fresh(tokens.computeIfAbsent(sandboxId, id -> clients.downscoped(boundary(store.bucket(), id))), "sandbox " + sandboxId);
    }

    private static StorageToken fresh(OAuth2Credentials c, String forWhom) {
        try {
            c.refreshIfExpired();
        } catch (IOException e) {
            throw new SandboxUnavailableException("could not get a Cloud Storage token for " + forWhom
                    + " (a downscoped token from the Security Token Service): " + e.getMessage()
                    + "; check that the control plane's credentials work and may use the state bucket", e);
        }
        AccessToken t = c.getAccessToken();
        return new StorageToken(t.getTokenValue(), t.getExpirationTime() == null ? null : t.getExpirationTime().toInstant());
    }

    /** The sandbox's mailbox key, made and stored the first time any client asks. */
    public MailboxKey mailboxKey(String sandboxId) {
        return keys.computeIfAbsent(sandboxId, id -> {
            String object = SessionStateStore.mailboxKeyObject(id);
            Optional<SessionStateStore.Versioned<MailboxKey.Stored>> stored = store.read(object, MailboxKey.Stored.class);
            if (stored.isPresent()) {
                return MailboxKey.fromBase64(stored.get().value().key());
            }
            return makeKey(id);
        });
    }

    /**
     * Gets a sandbox just created ready for its first command: its token, and its mailbox key made without looking for one
     * first (a new sandbox has none), so that the first command does not wait for them.
     */
    void prepareNew(String sandboxId) {
        token(sandboxId);
        keys.computeIfAbsent(sandboxId, this::makeKey);
    }

    private MailboxKey makeKey(String id) {
        String object = SessionStateStore.mailboxKeyObject(id);
        MailboxKey fresh = MailboxKey.generate();
        try {
            store.write(object, new MailboxKey.Stored(fresh.toBase64()), 0);
            return fresh;
        } catch (SessionStateStore.GenerationConflict e) {
            // Another client made it first: use theirs.
            return MailboxKey.fromBase64(store.read(object, MailboxKey.Stored.class).orElseThrow().value().key());
        }
    }

    /**
     * The variables an execution of {@code sandboxId} starts with besides the job's: its token and mailbox key. They go
     * in the RunJob overrides, which only callers with Cloud Run rights on the project (the control plane) can read.
     */
    public Map<String, String> executionEnv(String sandboxId) {
        StorageToken t = token(sandboxId);
        Map<String, String> env = new java.util.HashMap<>();
        env.put(StorageToken.ENV_TOKEN, t.value());
        if (t.expiresAt() != null) {
            env.put(StorageToken.ENV_EXPIRES, t.expiresAt().toString());
        }
        env.put(MailboxKey.ENV, mailboxKey(sandboxId).toBase64());
        return env;
    }

    /** A request for {@code execution}'s mailbox at {@code mailboxPrefix}, signed, with a fresh token inside. */
    public MailboxKey.Envelope seal(String sandboxId, String mailboxPrefix, String execution, WorkerProtocol.Request request) {
        return mailboxKey(sandboxId).seal(new MailboxKey.Signed(sandboxId, mailboxPrefix, CloudRunJobManager.shortName(execution),
                java.time.Instant.now(), request, token(sandboxId)));
    }

    /** Forgets a destroyed sandbox's credentials (its key object goes with {@link SessionStateStore#deleteSandbox}). */
    public void forget(String sandboxId) {
        tokens.remove(sandboxId);
        keys.remove(sandboxId);
    }
}
