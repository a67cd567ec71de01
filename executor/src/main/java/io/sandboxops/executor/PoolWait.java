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
import io.sandboxops.core.util.OverlappingLooks;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.cloudrun.WorkerProtocol;
import io.sandboxops.core.shell.LocalShellHost;
import io.sandboxops.core.shell.ShellSession;
import io.sandboxops.core.shell.ShellStateFiles;
import io.sandboxops.core.state.FileManifest;
import io.sandboxops.core.state.ShellState;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An idle warm-pool worker ({@link PoolProtocol}): started for no sandbox, with a token for its own {@code pool/{id}/}
 * only, it writes its record and looks for a claim every {@link PoolProtocol#CLAIM_POLL} until its idle timeout. A claim
 * sealed with its key turns it into the claimed sandbox's session worker, with that sandbox's token and mailbox key and
 * nothing of the pool: the Storage client it waited with goes on with the sandbox's token in place of the pool's (its
 * connections stay made), and the key is overwritten, before the sandbox's files are restored.
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
    /**
     * A claim taken: the environment to start as the sandbox's session worker, the first request it carried (or null),
     * and the Storage client the worker waited with, its credential switched to the sandbox's token (its connections
     * are ready; no pool token is left in it). The session worker closes it.
     */
    record Claimed(Map<String, String> env, MailboxKey.Envelope first, Storage storage, WorkerCredentials credentials,
                   PoolProtocol.Known known) {
    }

    static Optional<Claimed> await(Map<String, String> env) {
        String worker = env.get(PoolProtocol.ENV_WORKER).strip();
        String execution = ExecutorConfig.first(env, "EXECUTION_ID", "CLOUD_RUN_EXECUTION");
        String bucket = env.get("SANDBOX_STATE_BUCKET");
        String project = ExecutorConfig.first(env, "GCP_PROJECT_ID", "GOOGLE_CLOUD_PROJECT");
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
        WorkerCredentials credentials = new WorkerCredentials(token);
        StorageOptions.Builder b = StorageOptions.newBuilder().setProjectId(project).setCredentials(credentials);
        if (env.get("STORAGE_EMULATOR_HOST") != null) {
            b.setHost(env.get("STORAGE_EMULATOR_HOST"));
        }
        Storage storage = b.build().getService();
        boolean handedOver = false;
        try {
            SessionStateStore store = new SessionStateStore(storage, bucket, RetryPolicy.defaults());
            warmUp(env, execution, store, log);
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
            // The same client goes on as the session worker's: its connections are made, and from here on it speaks with
            // the sandbox's token only (the pool's is dropped, as the key is below).
            credentials.replace(c.token());
            log.info("pool-claimed", "sandbox", c.sandbox(), "since_start_ms", Main.sinceProcessStart());
            handedOver = true;
            // What the claiming client knows of the sandbox it just created, for this sandbox only.
            PoolProtocol.Known known = c.known() != null && c.known().sandbox() != null && c.known().manifest() != null
                    && c.sandbox().equals(c.known().sandbox().sandboxId()) ? c.known() : null;
            return Optional.of(new Claimed(session, c.first(), storage, credentials, known));
        } finally {
            key.destroy();
            if (!handedOver) {
                closeQuietly(storage);
            }
        }
    }

    /**
     * Runs, once, what a claimed worker's first command runs (before it is claimable, on nothing of any sandbox): the JSON
     * of requests, answers and states, a request signed and checked, a throwaway shell engine in the executor's scratch
     * directory running a command. A claimed worker then finds its code loaded and compiled instead of paying for it
     * on the session's first command. The throwaway shell is closed and its files removed before the worker is idle.
     */
    private static void warmUp(Map<String, String> env, String execution, SessionStateStore store, JsonLog log) {
        long t = System.nanoTime();
        Path dir = Path.of(env.getOrDefault("SANDBOX_SCRATCH_DIR", "/var/tmp/sandboxops")).resolve(execution + "-warmup");
        try {
            com.fasterxml.jackson.databind.ObjectMapper json = store.json();
            MailboxKey key = MailboxKey.generate();
            WorkerProtocol.Request request = WorkerProtocol.Request.of(WorkerProtocol.Op.EXEC, "main").withCommand("true", Duration.ofSeconds(5));
            String mailbox = "sessions/warmup/";
            MailboxKey.Envelope envelope = key.seal(new MailboxKey.Signed("warmup", mailbox, execution, Instant.now(), request,
                    new StorageToken("warmup", Instant.now().plusSeconds(60))));
            envelope = json.readValue(json.writeValueAsBytes(envelope), MailboxKey.Envelope.class);
            key.open(envelope, mailbox + "inbox/" + request.id() + ".json", "warmup", mailbox, execution, Instant.now());
            Map<String, String> shellEnv = Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG", "C.UTF-8");
            java.nio.file.Files.createDirectories(dir.resolve("shells"));
            ShellStateFiles.seed(dir.resolve("shells").resolve("main"), shellEnv, dir.toString());
            LocalShellHost host = LocalShellHost.onThisMachine(dir, shellEnv);
            ShellSession shell = new ShellSession(host, dir.resolve("shells").toString(), "main", ShellSession.Options.defaults());
            try {
                for (int i = 0; i < 3; i++) {
                    ExecResult r = shell.run("true", Duration.ofSeconds(10));
                    WorkerProtocol.Response answer = WorkerProtocol.Response.ok(request.id()).withExec(WorkerProtocol.Exec.of(r));
                    json.readValue(json.writeValueAsBytes(answer), WorkerProtocol.Response.class);
                }
            } finally {
                shell.close();
            }
            ShellState state = new ShellState(ShellState.SCHEMA_VERSION, "main", "/", shellEnv, List.of(), null, Instant.now(), Instant.now());
            json.readValue(json.writeValueAsBytes(state), ShellState.class);
            json.readValue(json.writeValueAsBytes(FileManifest.empty(List.of("/workspace"), System.currentTimeMillis())), FileManifest.class);
            log.info("pool-warmed", "duration_ms", (System.nanoTime() - t) / 1_000_000);
        } catch (Exception | LinkageError e) {
            // Only speed is lost: the claimed worker pays for what was not warmed.
            log.warn("pool-warm-up-failed", "error", String.valueOf(e.getMessage()));
        } finally {
            deleteTree(dir);
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
        // One request per look (the content alone): the claim is usually not there, and the look that finds it is on the
        // claim's path. Looks overlap, one starting every CLAIM_POLL, so a claim is seen within that of its arrival.
        OverlappingLooks<byte[]> looks = new OverlappingLooks<>(() -> store.readContent(claimObject), 4, "a claim");
        byte[] refusedLast = null;
        while (true) {
            Optional<byte[]> found = looks.next(PoolProtocol.CLAIM_POLL.toMillis());
            if (found.isPresent()) {
                PoolProtocol.Sealed sealed;
                try {
                    sealed = store.json().readValue(found.get(), PoolProtocol.Sealed.class);
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
                    // The record stays: the claim object already tells every client the worker is taken, and one
                    // Storage call less stands between the claim and the session's first command.
                    return Optional.of(key.open(sealed, worker, CloudRunJobManager.shortName(execution), Instant.now()));
                } catch (PoolProtocol.Refused r) {
                    // Written by someone without this worker's key: never served. Removed, so a real claim can come.
                    // (Looks in flight when it was removed may bring it back once more: logged once.)
                    if (!java.util.Arrays.equals(found.get(), refusedLast)) {
                        log.warn("claim-refused", "reason", r.getMessage());
                    }
                    refusedLast = found.get();
                    // Removed only as read: a genuine claim written since stays.
                    store.readBytes(claimObject).filter(v -> java.util.Arrays.equals(v.value(), found.get()))
                            .ifPresent(v -> store.deleteIfGeneration(claimObject, v.generation()));
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
        }
    }

    /** Removes the warm-up's directory; links are removed, never followed (Files.walk does not follow them). */
    private static void deleteTree(Path dir) {
        if (!java.nio.file.Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (java.util.stream.Stream<Path> all = java.nio.file.Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    java.nio.file.Files.deleteIfExists(p);
                } catch (java.io.IOException e) {
                    // a leftover in the executor's own scratch directory, gone with the container
                }
            });
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            // as above
        }
    }

    private static void closeQuietly(Storage storage) {
        try {
            storage.close();
        } catch (Exception e) {
            // leaving anyway
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

}
