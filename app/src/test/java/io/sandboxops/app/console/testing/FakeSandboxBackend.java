package io.sandboxops.app.console.testing;

import io.sandboxops.core.api.PoolStatus;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.SandboxSummary;
import io.sandboxops.core.api.SweepResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A backend of {@link FakeSandbox}es: every {@code get} of an id returns the same instance. */
public final class FakeSandboxBackend implements SandboxBackend {
    public static final String NAME = "fake";
    private final String name;

    public FakeSandboxBackend() {
        this(NAME);
    }

    /** @param name e.g. {@code docker}, for what picks a backend by name (the rollout rule) */
    public FakeSandboxBackend(String name) {
        this.name = name;
    }

    private final Map<String, FakeSandbox> sandboxes = new ConcurrentHashMap<>();
    private final Map<String, String> states = new ConcurrentHashMap<>();
    private int created;
    public volatile int listCalls;
    private volatile PoolStatus pool;

    public FakeSandbox add(String id, Instant createdAt) {
        FakeSandbox s = new FakeSandbox(id, createdAt);
        sandboxes.put(id, s);
        states.put(id, "running");
        return s;
    }

    /** What {@link #poolStatus()} answers from now on. */
    public void setPool(PoolStatus status) {
        this.pool = status;
    }

    @Override
    public PoolStatus poolStatus() {
        PoolStatus p = pool;
        return p == null ? PoolStatus.none(name) : p;
    }

    public void setState(String id, String state) {
        states.put(id, state);
    }

    public FakeSandbox sandbox(String id) {
        return sandboxes.get(id);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized Sandbox create(SandboxSpec spec) {
        return add(spec.sessionId().orElse("fake-" + (++created)), Instant.now());
    }

    @Override
    public Sandbox get(String sandboxId) {
        FakeSandbox s = sandboxes.get(sandboxId);
        if (s == null || s.destroyed) {
            throw new SandboxNotFoundException("no sandbox " + sandboxId);
        }
        return s;
    }

    @Override
    public List<SandboxSummary> list() {
        listCalls++;
        return sandboxes.values().stream().filter(s -> !s.destroyed)
                .sorted(java.util.Comparator.comparing(FakeSandbox::id))
                .map(s -> new SandboxSummary(s.id(), name, states.get(s.id()), "fake:latest", s.created(), Map.of())).toList();
    }

    @Override
    public SweepResult sweepOrphans(Duration olderThan, Set<String> exclude) {
        List<String> removed = new ArrayList<>();
        sandboxes.values().stream().filter(s -> !s.destroyed && !exclude.contains(s.id())).forEach(s -> {
            s.destroy();
            removed.add(s.id());
        });
        return new SweepResult(removed, List.of());
    }

    @Override
    public void close() {
    }
}
