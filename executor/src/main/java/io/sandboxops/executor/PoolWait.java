package io.sandboxops.executor;

import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import io.sandboxops.core.api.SessionIds;
import io.sandboxops.core.cloudrun.CloudRunJobManager;
import io.sandboxops.core.cloudrun.CloudRunSettings;
import io.sandboxops.core.cloudrun.MailboxKey;
import io.sandboxops.core.cloudrun.PoolProtocol;
import io.sandboxops.core.cloudrun.StorageToken;
import io.sandboxops.core.state.RetryPolicy;
import io.sandboxops.core.state.SessionStateStore;
import io.sandboxops.core.util.InterruptibleSleep;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An idle warm-pool worker ({@link PoolProtocol}): started for no sandbox, with a token for its own {@code pool/{id}/}
 * only, it writes its record and looks for a claim every {@link PoolProtocol#CLAIM_POLL} until its idle timeout. A claim
 * sealed with its key turns it into the claimed sandbox's session worker, with that sandbox's token and mailbox key and
 * nothing of the pool: the pool token's client is closed and the key overwritten before the sandbox's files are restored.
 * Anything else at its claim object is removed and logged, and the wait goes on.
 */
final class PoolWait {
    private PoolWait() {
    }

    /**
     * Waits for a claim.
     *
     * @return the environment of the sandbox's session worker, as if it had been started for it; empty when it idled out
     *         or was retired
     * @throws ExecutorConfig.ConfigException when a pool variable is missing or malformed
     */
    static Optional<Map<String, String>> await(Map<String, String> env) {
        String worker = env.get(PoolProtocol.ENV_WORKER).strip();
        String execution = first(env, "EXECUTION_ID", "CLOUD_RUN_EXECUTION");
        String bucket = env.get("SANDBOX_STATE_BUCKET");
        String project = first(env, "GCP_PROJECT_ID", "GOOGLE_CLOUD_PROJECT");
        String tokenValue = env.get(StorageToken.ENV_TOKEN);
        if (execution == null || bucket == null || project == null || tokenValue == null || env.get(PoolProtocol.ENV_KEY) == null) {
            throw ExecutorConfig.ConfigException.missing("a pool worker needs EXECUTION_ID, SANDBOX_STATE_BUCKET, GCP_PROJECT_ID, "
                    + StorageToken.ENV_TOKEN + " and " + PoolProtocol.ENV_KEY);
        }
        PoolProtocol.Key key;
        Duration idle;
        try {
            SessionIds.requireValid(worker);
            key = PoolProtocol.Key.fromBase64(env.get(PoolProtocol.ENV_KEY));
            idle = CloudRunSettings.duration(PoolProtocol.ENV_IDLE, env.getOrDefault(PoolProtocol.ENV_IDLE, "600"));
        } catch (RuntimeException e) {
            throw ExecutorConfig.ConfigException.invalid(PoolProtocol.ENV_WORKER + ", " + PoolProtocol.ENV_KEY + " or "
                    + PoolProtocol.ENV_IDLE + " is malformed: " + e.getMessage());
        }
        JsonLog log = new JsonLog(System.out, execution, worker);
        StorageToken token = new StorageToken(tokenValue, instant(env.get(StorageToken.ENV_EXPIRES)));
        StorageOptions.Builder b = StorageOptions.newBuilder().setProjectId(project).setCredentials(new WorkerCredentials(token));
        if (env.get("STORAGE_EMULATOR_HOST") != null) {
            b.setHost(env.get("STORAGE_EMULATOR_HOST"));
        }
        try (Storage storage = b.build().getService()) {
            SessionStateStore store = new SessionStateStore(storage, bucket, RetryPolicy.defaults());
            Optional<PoolProtocol.Claim> claim = waitForClaim(store, worker, execution, key, idle, log);
            if (claim.isEmpty()) {
                return Optional.empty();
            }
            PoolProtocol.Claim c = claim.get();
            Map<String, String> session = new HashMap<>(env);
            session.keySet().removeIf(k -> k.startsWith("SANDBOXOPS_POOL_"));
            session.put("SESSION_ID", c.sandbox());
            session.put("SANDBOX_MODE", "session");
            session.put("SANDBOX_IDLE_TIMEOUT", c.idleTimeoutMillis() + "ms");
            session.put(StorageToken.ENV_TOKEN, c.token().value());
            session.remove(StorageToken.ENV_EXPIRES);
            if (c.token().expiresAt() != null) {
                session.put(StorageToken.ENV_EXPIRES, c.token().expiresAt().toString());
            }
            session.put(MailboxKey.ENV, c.mailboxKey());
            log.info("pool-claimed", "sandbox", c.sandbox(), "since_start_ms", Main.sinceProcessStart());
            return Optional.of(session);
        } catch (Exception e) {
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e);
        } finally {
            key.destroy();
        }
    }

    private static Optional<PoolProtocol.Claim> waitForClaim(SessionStateStore store, String worker, String execution, PoolProtocol.Key key,
                                                             Duration idle, JsonLog log) {
        String record = PoolProtocol.recordObject(worker);
        String claimObject = PoolProtocol.claimObject(worker);
        Instant startedAt = Instant.now();
        long generation;
        try {
            generation = store.write(record, new PoolProtocol.Idle(worker, execution, startedAt, startedAt), 0);
        } catch (SessionStateStore.GenerationConflict e) {
            // A RunJob that was repeated started this worker twice: the other one is it.
            log.info("pool-duplicate", "worker", worker);
            return Optional.empty();
        }
        log.info("pool-idle", "since_start_ms", Main.sinceProcessStart());
        long started = System.nanoTime();
        long lastBeat = started;
        while (true) {
            Optional<SessionStateStore.Versioned<byte[]>> found = store.readBytes(claimObject);
            if (found.isPresent()) {
                PoolProtocol.Sealed sealed;
                try {
                    sealed = store.json().readValue(found.get().value(), PoolProtocol.Sealed.class);
                } catch (java.io.IOException | RuntimeException notJson) {
                    sealed = new PoolProtocol.Sealed(worker, "", "");
                }
                if (sealed.retired()) {
                    // The control plane (the sweep, its client closing) retired it: leave without serving anyone.
                    store.delete(record);
                    log.info("pool-retired");
                    return Optional.empty();
                }
                try {
                    PoolProtocol.Claim claim = key.open(sealed, worker, CloudRunJobManager.shortName(execution), Instant.now());
                    store.delete(record);
                    return Optional.of(claim);
                } catch (PoolProtocol.Refused r) {
                    // Written by someone without this worker's key: never served. Removed, so a real claim can come.
                    log.warn("claim-refused", "reason", r.getMessage());
                    store.deleteIfGeneration(claimObject, found.get().generation());
                    continue;
                }
            }
            long now = System.nanoTime();
            if (now - started > idle.toNanos()) {
                try {
                    store.write(claimObject, PoolProtocol.Sealed.retiring(worker), 0);
                } catch (SessionStateStore.GenerationConflict claimedJustNow) {
                    continue;
                }
                store.delete(record);
                log.info("pool-idle-exit", "idle_ms", (now - started) / 1_000_000);
                return Optional.empty();
            }
            if (now - lastBeat > PoolProtocol.HEARTBEAT.toNanos()) {
                try {
                    generation = store.write(record, new PoolProtocol.Idle(worker, execution, startedAt, Instant.now()), generation);
                } catch (SessionStateStore.GenerationConflict e) {
                    generation = store.write(record, new PoolProtocol.Idle(worker, execution, startedAt, Instant.now()), store.generation(record));
                }
                lastBeat = now;
            }
            InterruptibleSleep.sleep(PoolProtocol.CLAIM_POLL, "a claim");
        }
    }

    private static Instant instant(String v) {
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(v.strip());
        } catch (RuntimeException e) {
            throw ExecutorConfig.ConfigException.invalid(StorageToken.ENV_EXPIRES + " must be an ISO-8601 instant, not \"" + v + "\"");
        }
    }

    private static String first(Map<String, String> env, String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }
}
