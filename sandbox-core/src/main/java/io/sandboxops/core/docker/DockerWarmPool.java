package io.sandboxops.core.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import io.sandboxops.core.api.PoolStatus;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SessionIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Docker backend's warm pool: containers made ahead with the backend's default spec (limited and contained like any
 * sandbox), the engine shell installed and, for the pool's own client, the first session's shell already answering.
 *
 * <p>A member's name says its state, and the engine makes every change of name atomic: {@code sandboxwarming-ID} while
 * it is made, {@code sandboxpool-ID} when it can be claimed, {@code sandbox-ID} once claimed (the name every sandbox has,
 * so {@code get}, {@code list} and a caller's chosen id see it as any other), {@code sandboxgone-ID} while it is
 * removed. A claim, a removal on close and a sweep each rename a member from {@code sandboxpool-ID} to a name fixed
 * by its id: the engine lets exactly one of any number of clients, in any processes, do so; the others get an error
 * and move on. ID is drawn when the member is made and is the claimed sandbox's id; its labels carry it.
 *
 * <p>Members are labelled with their owner (client id, host, pid and process start time): a member whose owner
 * process is gone is removed by the next pool to start on the engine and by {@code sweepOrphans}.
 */
final class DockerWarmPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DockerWarmPool.class);

    static final String LABEL_CLIENT = "pool-owner-client";
    static final String LABEL_HOST = "pool-owner-host";
    static final String LABEL_PID = "pool-owner-pid";
    static final String LABEL_STARTED = "pool-owner-started";
    /** Which spec the member was made with (a digest): a client claims only members made as its own would be. */
    static final String LABEL_SPEC = "pool-spec";
    static final Set<String> LABELS = Set.of(LABEL_CLIENT, LABEL_HOST, LABEL_PID, LABEL_STARTED, LABEL_SPEC);

    static final String WARMING = "sandboxwarming-";
    static final String IDLE = "sandboxpool-";
    static final String GONE = "sandboxgone-";
    static final String CLAIMED = "sandbox-";

    /** The largest pool a backend keeps: each member holds a container and, in its owner, a shell's connection. */
    static final int MAX_SIZE = 64;
    /**
     * An idle member older than this is replaced: a claimed sandbox's creation time (its labels and the engine's, both
     * fixed when the container was made) is then at most this much before the claim.
     */
    static final Duration MAX_IDLE = Duration.ofMinutes(10);
    /** How often the pool looks at the engine for members claimed by other clients, and at idle ages. */
    private static final Duration TICK = Duration.ofSeconds(5);
    /** At a pool's start, another host's members are left alone unless this old: their owner cannot be asked. */
    private static final Duration OTHER_HOSTS_AGE = Duration.ofDays(1);
    /** How long a refill waits after a claim, so that making a container does not slow the claimed one's first command. */
    private static final Duration REFILL_DELAY = Duration.ofMillis(300);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    /** Who made a member: its labels, and whether that process still lives. */
    record Owner(String clientId, String host, long pid, String started) {
        static Owner current() {
            ProcessHandle self = ProcessHandle.current();
            return new Owner(SessionIds.generate("client"), hostName(), self.pid(), startedOf(self));
        }

        Map<String, String> labels() {
            return Map.of(LABEL_CLIENT, clientId, LABEL_HOST, host, LABEL_PID, Long.toString(pid), LABEL_STARTED, started);
        }

        /** Whether the labels name a process of this host that is gone: its pid is free, or now another process's. */
        static boolean deadOnThisHost(Map<String, String> labels) {
            if (!hostName().equals(labels.get(LABEL_HOST))) {
                return false;
            }
            long pid;
            try {
                pid = Long.parseLong(labels.getOrDefault(LABEL_PID, ""));
            } catch (NumberFormatException e) {
                return true;
            }
            return ProcessHandle.of(pid).map(h -> !startedOf(h).equals(labels.get(LABEL_STARTED))).orElse(true);
        }

        static boolean onThisHost(Map<String, String> labels) {
            return hostName().equals(labels.get(LABEL_HOST));
        }

        static String startedOf(ProcessHandle h) {
            return h.info().startInstant().map(i -> Long.toString(i.toEpochMilli())).orElse("unknown");
        }

        private static String hostName() {
            try {
                return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            } catch (IOException | RuntimeException e) {
                String env = System.getenv("HOSTNAME");
                return env == null || env.isBlank() ? "unknown" : env;
            }
        }
    }

    /** An idle member of this client's pool, its first session's shell open. */
    private record Member(String id, String containerId, DockerSandbox sandbox, Instant since) {
    }

    /** Makes a container of the pool's spec, started and with the engine shell installed; see the backend. */
    interface Maker {
        DockerSandbox make(String id, String name, Map<String, String> labels);
    }

    private final DockerClient docker;
    private final Maker maker;
    private final Owner owner;
    private final String specDigest;
    private final java.util.function.BiFunction<String, String, DockerSandbox> open;
    private final ConcurrentLinkedDeque<Member> idle = new ConcurrentLinkedDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile int target;
    private volatile boolean closed;
    private volatile long lastClaim = System.nanoTime() - REFILL_DELAY.toNanos();
    private Thread filler;

    /**
     * @param open opens a sandbox (id, container id) as the pool's spec makes it, without starting anything in it
     */
    DockerWarmPool(DockerClient docker, Owner owner, String specDigest, Maker maker,
                   java.util.function.BiFunction<String, String, DockerSandbox> open) {
        this.docker = docker;
        this.owner = owner;
        this.specDigest = specDigest;
        this.maker = maker;
        this.open = open;
    }

    String clientId() {
        return owner.clientId();
    }

    int target() {
        return target;
    }

    /** Sets how many idle members to keep; the filler starts (once) when it is first above 0. */
    void setTarget(int size) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the pool is closed");
            }
            target = size;
            if (size > 0 && filler == null) {
                filler = new Thread(this::fill, "docker-pool-" + owner.clientId());
                filler.setDaemon(true);
                filler.start();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes an idle member: this client's own first (its shell answers already), else another client's of the same
     * spec (its shell starts with the first command).
     */
    Optional<DockerSandbox> claim() {
        for (Member m = idle.pollFirst(); m != null; m = idle.pollFirst()) {
            if (rename(IDLE + m.id(), CLAIMED + m.id())) {
                lastClaim = System.nanoTime();
                wake();
                return Optional.of(m.sandbox());
            }
            lost(m);
        }
        wake();
        for (Container c : members(IDLE)) {
            if (owner.clientId().equals(labels(c).get(LABEL_CLIENT)) || !specDigest.equals(labels(c).get(LABEL_SPEC))) {
                continue;
            }
            String id = idOf(c, IDLE);
            if (rename(IDLE + id, CLAIMED + id)) {
                return Optional.of(open.apply(id, c.getId()));
            }
        }
        return Optional.empty();
    }

    /** Waits until this client's pool holds its target of idle members. */
    boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (idle.size() < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The engine's pool as it stands: every client's members (a pool is shared by whoever uses the engine). */
    PoolStatus status() {
        List<PoolStatus.Member> out = new ArrayList<>();
        int idleCount = 0;
        int starting = 0;
        for (Container c : members(null)) {
            String name = name(c);
            String state = name.startsWith(IDLE) ? "idle" : name.startsWith(WARMING) ? "starting" : null;
            if (state == null) {
                continue;
            }
            if (state.equals("idle")) {
                idleCount++;
            } else {
                starting++;
            }
            out.add(new PoolStatus.Member(idOf(c, state.equals("idle") ? IDLE : WARMING), state, created(c)));
        }
        out.sort(Comparator.comparing(PoolStatus.Member::since));
        return new PoolStatus(DockerSandboxBackend.NAME, target, idleCount, starting, 0,
                "your own Docker engine: no charge per hour", out);
    }

    /**
     * Removes members whose owner process is gone (same host), members of other hosts older than {@code olderThan}
     * (their owner cannot be asked), and members left half-removed.
     *
     * @return the ids removed, each as {@code pool:ID}
     */
    List<String> sweep(Duration olderThan, List<String> failed) {
        Instant cutoff = Instant.now().minus(olderThan);
        List<String> removed = new ArrayList<>();
        for (Container c : members(null)) {
            String name = name(c);
            Map<String, String> labels = labels(c);
            boolean orphan = Owner.onThisHost(labels) ? Owner.deadOnThisHost(labels) : !created(c).isAfter(cutoff);
            String prefix = name.startsWith(IDLE) ? IDLE : name.startsWith(WARMING) ? WARMING : GONE;
            String id = idOf(c, prefix);
            if (prefix.equals(GONE) || orphan && !owner.clientId().equals(labels.get(LABEL_CLIENT))) {
                // Renamed first: a client claiming it at this moment gets it whole, or not at all.
                if (!prefix.equals(GONE) && !rename(prefix + id, GONE + id)) {
                    continue;
                }
                if (remove(c.getId(), failed, "pool:" + id)) {
                    removed.add("pool:" + id);
                }
            }
        }
        return removed;
    }

    /** Stops refilling and removes this client's idle members (never one another client claimed meanwhile). */
    @Override
    public void close() {
        Thread t;
        lock.lock();
        try {
            closed = true;
            t = filler;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (t != null) {
            // Not interrupted: an engine call it cancelled could leave the container it was making behind. It sees
            // "closed" after its current step and gives back what it made.
            try {
                t.join(TimeUnit.SECONDS.toMillis(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Member m = idle.pollFirst(); m != null; m = idle.pollFirst()) {
            m.sandbox().close();
            if (rename(IDLE + m.id(), GONE + m.id())) {
                remove(m.containerId(), new ArrayList<>(), m.id());
            }
        }
    }

    // ---- the filler ----------------------------------------------------------------------------------------

    private void fill() {
        List<String> failed = new ArrayList<>();
        try {
            List<String> swept = sweep(OTHER_HOSTS_AGE, failed);
            if (!swept.isEmpty()) {
                log.info("removed {} pooled container(s) of clients that are gone: {}", swept.size(), swept);
            }
        } catch (RuntimeException e) {
            log.warn("could not sweep the pooled containers of clients that are gone: {}", SandboxException.rootMessage(e));
        }
        Duration backoff = FIRST_BACKOFF;
        long nextLook = 0;
        while (!closed) {
            try {
                if (System.nanoTime() >= nextLook) {
                    look();
                    nextLook = System.nanoTime() + TICK.toNanos();
                }
                if (idle.size() < target && !closed) {
                    // A claimed sandbox's first command usually follows its claim at once: it goes first.
                    long sinceClaim = System.nanoTime() - lastClaim;
                    if (sinceClaim < REFILL_DELAY.toNanos()) {
                        pause(Duration.ofNanos(REFILL_DELAY.toNanos() - sinceClaim));
                        continue;
                    }
                    makeOne();
                    backoff = FIRST_BACKOFF;
                    continue;
                }
                lock.lock();
                try {
                    if (idle.size() >= target && !closed) {
                        changed.await(TICK.toMillis(), TimeUnit.MILLISECONDS);
                    }
                } finally {
                    lock.unlock();
                }
            } catch (InterruptedException e) {
                // Nobody interrupts the filler but to stop it (close waits for it instead).
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                log.warn("the Docker warm pool could not make a container ({}); trying again in {} s", SandboxException.rootMessage(e),
                        backoff.toSeconds());
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** Waits {@code d}, or less when the pool closes. */
    private void pause(Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        lock.lock();
        try {
            while (!closed && System.nanoTime() < deadline) {
                changed.awaitNanos(deadline - System.nanoTime());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** One member: made under its warming name, its shell opened, then offered under its idle name. */
    private void makeOne() {
        String id = SessionIds.generate("sbx");
        Map<String, String> labels = new LinkedHashMap<>(owner.labels());
        labels.put(LABEL_SPEC, specDigest);
        String containerId = null;
        try {
            DockerSandbox sandbox = maker.make(id, WARMING + id, labels);
            containerId = sandbox.containerId();
            sandbox.openShell(id);
            if (!rename(WARMING + id, IDLE + id)) {
                throw new SandboxException("pooled container " + WARMING + id + " could not be renamed to " + IDLE + id);
            }
            Member m = new Member(id, containerId, sandbox, Instant.now());
            lock.lock();
            try {
                if (closed || idle.size() >= target) {
                    // Closed or shrunk while it was made: never more than asked for.
                    sandbox.close();
                    if (rename(IDLE + id, GONE + id)) {
                        remove(containerId, new ArrayList<>(), id);
                    }
                    return;
                }
                idle.addLast(m);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        } catch (RuntimeException e) {
            if (containerId != null) {
                remove(containerId, new ArrayList<>(), id);
            }
            throw e;
        }
    }

    /**
     * Drops members another client claimed (or removed) meanwhile, replaces members idle longer than {@link #MAX_IDLE},
     * and gives back members above the target.
     */
    private void look() {
        Set<String> stillIdle = members(IDLE).stream().filter(c -> owner.clientId().equals(labels(c).get(LABEL_CLIENT)))
                .map(c -> idOf(c, IDLE)).collect(Collectors.toSet());
        Instant stale = Instant.now().minus(MAX_IDLE);
        for (Member m : List.copyOf(idle)) {
            boolean gone = !stillIdle.contains(m.id());
            boolean surplus = idle.size() > target;
            if ((gone || surplus || m.since().isBefore(stale)) && idle.remove(m)) {
                m.sandbox().close();
                if (!gone && rename(IDLE + m.id(), GONE + m.id())) {
                    remove(m.containerId(), new ArrayList<>(), m.id());
                }
            }
        }
    }

    private void lost(Member m) {
        // Claimed by another client, removed by a sweep, or its sandbox name taken by a caller's chosen id.
        m.sandbox().close();
        try {
            String holder = docker.inspectContainerCmd(CLAIMED + m.id()).exec().getId();
            if (!holder.equals(m.containerId()) && rename(IDLE + m.id(), GONE + m.id())) {
                remove(m.containerId(), new ArrayList<>(), m.id());
            }
        } catch (NotFoundException e) {
            // gone: nothing to give back
        } catch (RuntimeException e) {
            log.debug("pooled sandbox {}: {}", m.id(), e.toString());
        }
    }

    private void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- the engine ----------------------------------------------------------------------------------------

    /**
     * Renames by name, so that of any clients renaming one member at once exactly one succeeds: the others find the old
     * name gone (404), or the new name taken or already the member's (409, 400).
     */
    private boolean rename(String from, String to) {
        try {
            docker.renameContainerCmd(from).withName(to).exec();
            return true;
        } catch (NotFoundException | ConflictException e) {
            return false;
        } catch (DockerException e) {
            log.debug("renaming {} to {}: {}", from, to, e.getMessage());
            return false;
        }
    }

    private boolean remove(String containerId, List<String> failed, String what) {
        try {
            docker.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
            return true;
        } catch (NotFoundException e) {
            return true;
        } catch (RuntimeException e) {
            failed.add(what + ": " + SandboxException.rootMessage(e));
            log.warn("could not remove pooled container {}: {}", what, SandboxException.rootMessage(e));
            return false;
        }
    }

    /** The engine's pool containers whose name starts with {@code prefix}; every pool state when null. */
    private List<Container> members(String prefix) {
        List<String> names = prefix == null ? List.of("^/" + WARMING, "^/" + IDLE, "^/" + GONE) : List.of("^/" + prefix);
        try {
            return docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(DockerSandboxBackend.LABEL_APP, DockerSandboxBackend.APP))
                    .withNameFilter(names).exec().stream()
                    .filter(c -> names.stream().anyMatch(n -> name(c).startsWith(n.substring(2))))
                    .toList();
        } catch (RuntimeException e) {
            throw DockerEngine.failure("list the warm pool", e);
        }
    }

    static String name(Container c) {
        String[] names = c.getNames();
        return names == null || names.length == 0 ? "" : names[0].startsWith("/") ? names[0].substring(1) : names[0];
    }

    static boolean isPoolName(String name) {
        return name.startsWith(WARMING) || name.startsWith(IDLE) || name.startsWith(GONE);
    }

    private static String idOf(Container c, String prefix) {
        return name(c).substring(prefix.length());
    }

    private static Map<String, String> labels(Container c) {
        return c.getLabels() == null ? Map.of() : c.getLabels();
    }

    private static Instant created(Container c) {
        return Instant.ofEpochSecond(c.getCreated() == null ? 0 : c.getCreated());
    }
}
