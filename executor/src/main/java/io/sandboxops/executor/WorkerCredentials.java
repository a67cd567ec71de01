package io.sandboxops.executor;

import com.google.auth.Credentials;
import io.sandboxops.core.cloudrun.StorageToken;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The executor's only credential: the newest downscoped Cloud Storage token the control plane gave it, first in the
 * RunJob overrides, then one with each mailbox request. It never asks anyone for a token (no Application Default
 * Credentials, no metadata server); when the newest one nears its end with no fresh one in sight, the session worker
 * leaves ({@link Main}) so that the next command starts a new execution with a new token. Thread-safe.
 */
final class WorkerCredentials extends Credentials {
    private static final long serialVersionUID = 1L;
    private final transient AtomicReference<StorageToken> current;

    WorkerCredentials(StorageToken first) {
        this.current = new AtomicReference<>(first);
    }

    StorageToken current() {
        return current.get();
    }

    /** Switches to {@code t} when it lasts longer than the one in use. @return whether it did */
    boolean offer(StorageToken t) {
        StorageToken before = current.get();
        while (t.outlives(before)) {
            if (current.compareAndSet(before, t)) {
                return true;
            }
            before = current.get();
        }
        return false;
    }

    /**
     * Switches to {@code t} whatever it lasts: a warm-pool worker claimed for a sandbox drops its pool token for the
     * sandbox's, and keeps nothing of the first.
     */
    void replace(StorageToken t) {
        current.set(t);
    }

    /** Whether the token in use stops working within {@code margin}. */
    boolean expiresWithin(Duration margin) {
        return current.get().expiresWithin(margin, Instant.now());
    }

    @Override
    public String getAuthenticationType() {
        return "OAuth2";
    }

    @Override
    public Map<String, List<String>> getRequestMetadata(URI uri) {
        return Map.of("Authorization", List.of("Bearer " + current.get().value()));
    }

    @Override
    public boolean hasRequestMetadata() {
        return true;
    }

    @Override
    public boolean hasRequestMetadataOnly() {
        return true;
    }

    /** Nothing to do: tokens only come from the control plane. */
    @Override
    public void refresh() {
    }

    @Override
    public String toString() {
        return "WorkerCredentials[" + current.get() + "]";
    }
}
