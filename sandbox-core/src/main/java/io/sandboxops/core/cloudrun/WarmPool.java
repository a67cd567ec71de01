package io.sandboxops.core.cloudrun;

import com.google.cloud.run.v2.Execution;
import com.google.cloud.storage.Blob;
import io.sandboxops.core.api.PoolStatus;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SessionIds;
import io.sandboxops.core.observe.PriceTable;
import io.sandboxops.core.state.SessionStateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The client end of the Cloud Run warm pool ({@link PoolProtocol}): keeps {@code SANDBOX_POOL_CLOUDRUN} idle workers
 * running, hands one to a new session's first command, and sweeps what dead clients left. The pool is shared by every
 * client of the bucket: a client counts every idle worker it finds, and starts only what is missing. Refilling runs in
 * the background, after each claim and every beat, backing off after failures; a client beats at
 * {@link PoolProtocol#ownerObject} so that the sweep can tell its idle workers from a crashed client's. Thread-safe.
 */
final class WarmPool implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WarmPool.class);
    private static final Duration STALE_RECORD = PoolProtocol.HEARTBEAT.multipliedBy(3);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private final CloudRunJobsSandboxBackend backend;
    private final SessionStateStore store;
    private final int target;
    private final Duration idleTimeout;
    private final String owner = SessionIds.generate("client");
    /** How often this client beats and looks at the pool: often enough for a short idle timeout to be noticed. */
    private final Duration beat;
    /** Workers this client started that nobody claimed yet. */
    private final Map<String, Started> started = new ConcurrentHashMap<>();
    private ScheduledExecutorService refiller;
    private volatile boolean closed;
    private volatile boolean claims = true;
    /** The last listing of the pool (a refill's, a status's, a claim's). */
    private volatile Listed lastListing;
    private int failures;
    private long nextAttempt;

    /** A worker this client started: what it needs to claim it without reading the control record. */
    private record Started(String worker, String execution, PoolProtocol.Key key, Instant since) {
    }

    WarmPool(CloudRunJobsSandboxBackend backend, SessionStateStore store) {
        this.backend = backend;
        this.store = store;
        this.target = backend.settings().poolSize();
        this.idleTimeout = backend.settings().poolIdleTimeout();
        // Several beats fit in one idle timeout, so a crashed client's workers are swept well before they would idle out.
        Duration eighth = idleTimeout.dividedBy(8);
        this.beat = eighth.compareTo(PoolProtocol.HEARTBEAT) < 0 ? (eighth.toMillis() < 500 ? Duration.ofMillis(500) : eighth) : PoolProtocol.HEARTBEAT;
    }

    int target() {
        return target;
    }

    /** Starts keeping the pool full in the background; does nothing without a pool or when already started. */
    synchronized void start() {
        if (target == 0 || refiller != null || closed) {
            return;
        }
        refiller = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cloudrun-pool");
            t.setDaemon(true);
            return t;
        });
        refiller.scheduleWithFixedDelay(this::refillQuietly, 0, beat.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void refillSoon() {
        if (refiller != null && !closed) {
            refiller.execute(this::refillQuietly);
        }
    }

    /**
     * Claims an idle worker for {@code sandbox}, from this client's pool or another's: its credentials go in the claim,
     * sealed for that worker.
     *
     * @param first the session's first request signed for a worker's execution (full name), or null for none
     *
     * @return the worker's execution (full name), or empty when no idle worker could be claimed
     */
    /** From now on {@link #claim} finds nothing: every session starts its own worker. */
    void neverClaim() {
        claims = false;
    }

    /** @param known the sandbox as its creating client wrote it, handed to the worker (null when not known so) */
    Optional<String> claim(String sandbox, java.util.function.Function<String, MailboxKey.Envelope> first, PoolProtocol.Known known) {
        if (closed || !claims) {
            return Optional.empty();
        }
        // A client with no pool of its own (a one-shot CLI verb) still claims from a pool another client keeps: one
        // listing, and it makes nothing that its exit would have to cancel.
        start();
        // A listing of the last beat that shows an idle worker saves a listing on the session's first command: a
        // worker taken or gone since only makes the claim's write fail, and the next is tried, then a fresh listing.
        Listed recent = lastListing;
        Optional<String> claimed = Optional.empty();
        if (recent != null && System.nanoTime() - recent.atNanos() < beat.toNanos()) {
            claimed = claimFrom(recent.view(), sandbox, first, known);
        }
        if (claimed.isEmpty()) {
            claimed = claimFrom(view(), sandbox, first, known);
        }
        refillSoon();
        return claimed;
    }

    private Optional<String> claimFrom(View view, String sandbox, java.util.function.Function<String, MailboxKey.Envelope> first,
                                       PoolProtocol.Known known) {
        List<String> idle = new ArrayList<>(view.idle(Instant.now()));
        // Our own first: no control record to read.
        idle.sort(Comparator.comparing((String w) -> !started.containsKey(w)));
        for (String worker : idle) {
            Started mine = started.get(worker);
            String execution;
            PoolProtocol.Key key;
            Instant createdAt;
            if (mine != null) {
                execution = mine.execution();
                key = mine.key();
                createdAt = mine.since();
            } else {
                Optional<SessionStateStore.Versioned<PoolProtocol.Control>> control = store.read(PoolProtocol.controlObject(worker), PoolProtocol.Control.class);
                if (control.isEmpty() || control.get().value().key() == null) {
                    continue; // claimed already, or its client is still writing the record
                }
                execution = control.get().value().execution();
                key = PoolProtocol.Key.fromBase64(control.get().value().key());
                createdAt = control.get().value().createdAt();
            }
            SessionCredentials credentials = backend.credentials();
            PoolProtocol.Claim claim = new PoolProtocol.Claim(worker, CloudRunJobManager.shortName(execution), sandbox, Instant.now(),
                    credentials.token(sandbox), credentials.mailboxKey(sandbox).toBase64(), backend.settings().idleTimeout().toMillis(),
                    first.apply(execution), known);
            try {
                store.write(PoolProtocol.claimObject(worker), key.seal(claim), 0);
            } catch (SessionStateStore.GenerationConflict lost) {
                started.remove(worker);
                continue; // another client took it, or it left: try the next
            }
            started.remove(worker);
            String owner = mine != null ? this.owner : null;
            // The key is of no more use to anyone: the control record now names the sandbox instead, so the sweep
            // knows what the worker serves and nobody can seal a second claim for it.
            background(() -> store.update(PoolProtocol.controlObject(worker), PoolProtocol.Control.class,
                    c -> new PoolProtocol.Control(worker, execution, c.map(PoolProtocol.Control::owner).orElse(owner), null, sandbox, createdAt)));
            return Optional.of(execution);
        }
        return Optional.empty();
    }

    private void background(Runnable work) {
        Runnable quiet = () -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.warn("warm pool: {}", e.getMessage());
            }
        };
        synchronized (this) {
            if (refiller != null && !closed) {
                refiller.execute(quiet);
                return;
            }
        }
        quiet.run();
    }

    // ---- refill -------------------------------------------------------------------------------------------

    private void refillQuietly() {
        if (closed || System.nanoTime() < nextAttempt) {
            return;
        }
        try {
            refill();
            failures = 0;
        } catch (RuntimeException e) {
            failures++;
            long backoff = Math.min(MAX_BACKOFF.toMillis(), beat.toMillis() << Math.min(failures, 12));
            nextAttempt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
            LOG.warn("warm pool: refilling failed ({} in a row), next try in {} s: {}", failures, backoff / 1000, e.getMessage());
        }
    }

    private void refill() {
        Instant now = Instant.now();
        store.update(PoolProtocol.ownerObject(owner), PoolProtocol.Owner.class,
                o -> new PoolProtocol.Owner(owner, now, beat.multipliedBy(3).toMillis()));
        View view = view();
        // Forget ours that were claimed by another client or died before they became idle.
        started.values().removeIf(s -> view.claimed.contains(s.worker())
                || (!view.records.containsKey(s.worker()) && s.since().isBefore(now.minus(CloudRunJobsSandbox.START_ALLOWANCE)))
                || (view.records.containsKey(s.worker()) && !view.fresh(s.worker(), now)));
        int have = view.idle(now).size() + starting(view).size();
        for (int i = have; i < target && !closed; i++) {
            startOne();
        }
    }

    private List<Started> starting(View view) {
        return started.values().stream().filter(s -> !view.records.containsKey(s.worker())).toList();
    }

    private void startOne() {
        String worker = SessionIds.generate("pool");
        PoolProtocol.Key key = PoolProtocol.Key.generate();
        StorageToken token = backend.credentials().poolToken(worker);
        Map<String, String> env = new HashMap<>();
        env.put(PoolProtocol.ENV_WORKER, worker);
        env.put(PoolProtocol.ENV_KEY, key.toBase64());
        env.put(PoolProtocol.ENV_IDLE, idleTimeout.toMillis() + "ms");
        env.put(PoolProtocol.ENV_OWNER, owner);
        env.put(StorageToken.ENV_TOKEN, token.value());
        if (token.expiresAt() != null) {
            env.put(StorageToken.ENV_EXPIRES, token.expiresAt().toString());
        }
        env.put("SANDBOX_MODE", "session");
        // Repeatable: a second execution with the same id finds the first one's record and exits.
        String execution = backend.jobs().runRepeatable(backend.job(), List.of(), env);
        Instant now = Instant.now();
        started.put(worker, new Started(worker, execution, key, now));
        store.write(PoolProtocol.controlObject(worker), new PoolProtocol.Control(worker, execution, owner, key.toBase64(), null, now), 0);
        LOG.info("warm pool: started idle worker {} ({})", worker, CloudRunJobManager.shortName(execution));
    }

    // ---- what the bucket says -------------------------------------------------------------------------------

    /** The pool's objects, in one listing; kept as {@link #lastListing}. */
    private View view() {
        long at = System.nanoTime();
        Map<String, Blob> records = new HashMap<>();
        Set<String> claimed = new HashSet<>();
        for (Blob b : store.listBlobs("pool/")) {
            String[] parts = b.getName().split("/");
            if (parts.length != 3) {
                continue;
            }
            if (b.getName().equals(PoolProtocol.recordObject(parts[1]))) {
                records.put(parts[1], b);
            } else if (b.getName().equals(PoolProtocol.claimObject(parts[1]))) {
                claimed.add(parts[1]);
            }
        }
        View view = new View(records, claimed);
        lastListing = new Listed(view, at);
        return view;
    }

    /** A listing of the pool, and when it was asked for. */
    private record Listed(View view, long atNanos) {
    }

    private record View(Map<String, Blob> records, Set<String> claimed) {
        boolean fresh(String worker, Instant now) {
            Blob b = records.get(worker);
            return b != null && b.getUpdateTimeOffsetDateTime() != null
                    && b.getUpdateTimeOffsetDateTime().toInstant().isAfter(now.minus(STALE_RECORD));
        }

        /** Workers that wait for a claim now, oldest first. */
        List<String> idle(Instant now) {
            return records.keySet().stream().filter(w -> !claimed.contains(w) && fresh(w, now))
                    .sorted(Comparator.comparing(w -> records.get(w).getCreateTimeOffsetDateTime())).toList();
        }
    }

    PoolStatus status() {
        if (target == 0) {
            return PoolStatus.none(CloudRunJobsSandboxBackend.NAME);
        }
        Instant now = Instant.now();
        View view = view();
        List<PoolStatus.Member> members = new ArrayList<>();
        for (String w : view.idle(now)) {
            members.add(new PoolStatus.Member(w, "idle", view.records.get(w).getCreateTimeOffsetDateTime().toInstant()));
        }
        List<Started> starting = starting(view);
        starting.stream().sorted(Comparator.comparing(Started::since))
                .forEach(s -> members.add(new PoolStatus.Member(s.worker(), "starting", s.since())));
        int idle = view.idle(now).size();
        PriceTable price = PriceTable.forJobSize(cpus(backend.settings().jobCpu()), gib(backend.settings().jobMemory()));
        double perHour = (idle + starting.size()) * price.cost(3600);
        return new PoolStatus(CloudRunJobsSandboxBackend.NAME, target, idle, starting.size(), perHour, price.source(), members);
    }

    static double cpus(String cpu) {
        return cpu.endsWith("m") ? Double.parseDouble(cpu.substring(0, cpu.length() - 1)) / 1000 : Double.parseDouble(cpu);
    }

    static double gib(String memory) {
        double n = Double.parseDouble(memory.substring(0, memory.length() - 2));
        return memory.endsWith("Mi") ? n / 1024 : n;
    }

    // ---- sweep and close ------------------------------------------------------------------------------------

    /**
     * Cancels pool workers nobody will claim or that serve a sandbox that is gone: idle ones whose client stopped beating
     * (crashed) or whose own record went stale, claimed ones whose sandbox was destroyed; then removes the pool objects
     * and control records of workers that no longer run.
     */
    void sweep(List<Execution> running, Consumer<String> removed, java.util.function.BiConsumer<String, String> failed) {
        Instant now = Instant.now();
        View view = view();
        Set<String> alive = new HashSet<>();
        for (Execution e : running) {
            Map<String, String> env = env(e);
            String worker = env.get(PoolProtocol.ENV_WORKER);
            if (worker == null) {
                continue;
            }
            alive.add(worker);
            try {
                Optional<PoolProtocol.Control> control = store.read(PoolProtocol.controlObject(worker), PoolProtocol.Control.class)
                        .map(SessionStateStore.Versioned::value);
                boolean orphan;
                if (control.isPresent() && control.get().sandbox() != null) {
                    orphan = store.readSandbox(control.get().sandbox()).isEmpty();
                } else if (view.claimed.contains(worker)) {
                    // Claimed a moment ago (its control record not yet updated), or leaving by itself: the next sweep decides.
                    orphan = false;
                } else {
                    String owner = env.get(PoolProtocol.ENV_OWNER);
                    boolean ownerGone = owner == null || (!owner.equals(this.owner) && store.read(PoolProtocol.ownerObject(owner), PoolProtocol.Owner.class)
                            .map(o -> o.value().stale(now)).orElse(true));
                    boolean started = e.hasCreateTime() && Instant.ofEpochSecond(e.getCreateTime().getSeconds())
                            .isBefore(now.minus(CloudRunJobsSandbox.START_ALLOWANCE));
                    orphan = ownerGone || (started && !view.fresh(worker, now));
                    if (orphan && !retire(worker)) {
                        continue; // claimed just now: it serves a sandbox
                    }
                }
                if (orphan) {
                    backend.jobs().cancel(e.getName());
                    removed.accept(CloudRunJobManager.shortName(e.getName()));
                    alive.remove(worker);
                }
            } catch (SandboxException ex) {
                failed.accept(CloudRunJobManager.shortName(e.getName()), ex.getMessage());
            }
        }
        Set<String> known = new HashSet<>(view.records.keySet());
        known.addAll(view.claimed);
        for (String w : known) {
            if (!alive.contains(w) && !started.containsKey(w)) {
                forget(w);
            }
        }
    }

    /** Marks an idle worker as leaving, so nobody claims it; false when a client claimed it first. */
    private boolean retire(String worker) {
        try {
            store.write(PoolProtocol.claimObject(worker), PoolProtocol.Sealed.retiring(worker), 0);
            return true;
        } catch (SessionStateStore.GenerationConflict e) {
            return false;
        }
    }

    private void forget(String worker) {
        store.delete(PoolProtocol.recordObject(worker));
        store.delete(PoolProtocol.claimObject(worker));
        store.delete(PoolProtocol.controlObject(worker));
    }

    private static Map<String, String> env(Execution e) {
        Map<String, String> env = new HashMap<>();
        e.getTemplate().getContainersList().forEach(c -> c.getEnvList().forEach(v -> env.put(v.getName(), v.getValue())));
        return env;
    }

    /**
     * Cancels the idle workers this client started: each is a running execution, billed until it idles out, and a client
     * that closes cleanly should not leave a bill behind. Workers of other clients stay for them.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (refiller != null) {
                refiller.shutdownNow();
            }
        }
        for (Started s : List.copyOf(started.values())) {
            try {
                if (retire(s.worker())) {
                    backend.jobs().cancel(s.execution());
                    forget(s.worker());
                }
            } catch (RuntimeException e) {
                LOG.warn("warm pool: could not cancel idle worker {} ({}); it exits after its idle timeout: {}", s.worker(),
                        CloudRunJobManager.shortName(s.execution()), e.getMessage());
            }
        }
        started.clear();
        if (target > 0) {
            try {
                store.delete(PoolProtocol.ownerObject(owner));
            } catch (RuntimeException e) {
                LOG.debug("could not remove the pool heartbeat {}: {}", owner, e.toString());
            }
        }
    }
}
