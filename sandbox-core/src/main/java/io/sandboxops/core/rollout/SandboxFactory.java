package io.sandboxops.core.rollout;

import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.SessionIds;
import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.observe.CloudLoggingEventSink;
import io.sandboxops.core.observe.ObservedSandboxBackend;
import io.sandboxops.core.observe.SandboxEventSink;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the backend of each new sandbox session (DESIGN §6): flag off → Docker; on → Cloud Run for
 * sticky keys whose bucket is below the percentage. Backends are given as suppliers and made on first use,
 * so a process that only ever routes to one backend never connects to the other (no Docker engine is needed
 * at 100 %, no Google credentials at 0 %). Every backend it makes is observed ({@link ObservedSandboxBackend}): each
 * operation on its sandboxes becomes one client event, what the metrics and the rollout's gates read. Thread-safe.
 */
public final class SandboxFactory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SandboxFactory.class);

    public static final String DOCKER = "docker";
    public static final String CLOUDRUN = "cloudrun";

    private final RolloutSettings settings;
    private final Map<String, Supplier<? extends SandboxBackend>> suppliers;
    private final Map<String, SandboxBackend> made = new LinkedHashMap<>();
    private final SandboxEventSink events;
    private final boolean ownsEvents;

    /**
     * @param settings  the flag and percentage, e.g. {@link RolloutSettings#fromEnvironment(Map)}
     * @param backends  backend suppliers by name ({@value #DOCKER}, {@value #CLOUDRUN}); each is called at most once
     * @throws RolloutConfigurationException when the settings can route to a backend that is not given
     */
    public SandboxFactory(RolloutSettings settings, Map<String, Supplier<? extends SandboxBackend>> backends) {
        this(settings, backends, SandboxEventSink.discard(), false);
    }

    /**
     * As {@link #SandboxFactory(RolloutSettings, Map)}, with the operations of every session recorded to {@code events}
     * (e.g. a {@link CloudLoggingEventSink} on the environment's project), which the caller closes.
     */
    public SandboxFactory(RolloutSettings settings, Map<String, Supplier<? extends SandboxBackend>> backends, SandboxEventSink events) {
        this(settings, backends, events, false);
    }

    private SandboxFactory(RolloutSettings settings, Map<String, Supplier<? extends SandboxBackend>> backends, SandboxEventSink events,
                           boolean ownsEvents) {
        this.events = Objects.requireNonNull(events, "events");
        this.ownsEvents = ownsEvents;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.suppliers = Map.copyOf(backends);
        boolean someCloudRun = settings.cloudRunEnabled() && settings.percentage() > 0;
        boolean someDocker = !settings.cloudRunEnabled() || settings.percentage() < 100;
        if (someCloudRun && !suppliers.containsKey(CLOUDRUN)) {
            throw new RolloutConfigurationException(RolloutSettings.FLAG, "is true with " + RolloutSettings.PERCENTAGE + "="
                    + settings.percentage() + " but no Cloud Run Jobs backend is configured");
        }
        if (someDocker && !suppliers.containsKey(DOCKER)) {
            throw new RolloutConfigurationException(RolloutSettings.PERCENTAGE, "is " + settings.percentage()
                    + (settings.cloudRunEnabled() ? "" : " with " + RolloutSettings.FLAG + "=false")
                    + " so some sessions need Docker, but no Docker backend is configured");
        }
    }

    /**
     * The factory the agent backend builds at start-up: settings from its environment ({@code System.getenv()}). The
     * client events go to the Cloud Logging of {@code GCP_PROJECT_ID} (the emulator's when its endpoints are set, see
     * {@link CloudTarget#fromEnvironment}); with no project set they go nowhere.
     *
     * @throws RolloutConfigurationException naming the variable at fault
     */
    public static SandboxFactory fromEnvironment(Map<String, String> env, Map<String, Supplier<? extends SandboxBackend>> backends) {
        RolloutSettings settings = RolloutSettings.fromEnvironment(env);
        boolean noCloud = env.getOrDefault("GCP_PROJECT_ID", "").isBlank() || env.getOrDefault("GCP_REGION", "").isBlank();
        if (noCloud) {
            log.info("no GCP_PROJECT_ID and GCP_REGION: the sandbox operation events go nowhere, so metrics will not count these sessions");
            return new SandboxFactory(settings, backends, SandboxEventSink.discard(), false);
        }
        return new SandboxFactory(settings, backends, new CloudLoggingEventSink(CloudTarget.fromEnvironment(env)), true);
    }

    public RolloutSettings settings() {
        return settings;
    }

    /** Which backend a session with this sticky key (user or tenant id, else session id) gets. Touches no backend. */
    public BackendChoice choose(String stickyKey) {
        return BackendChoice.of(settings, stickyKey);
    }

    /**
     * Creates a sandbox on the chosen backend.
     *
     * @param stickyKey a user or tenant id; when empty, the session id (the spec's, or a new one written into
     *                  the spec) is the key, so that session alone is sticky
     */
    public Sandbox create(SandboxSpec spec, Optional<String> stickyKey) {
        SandboxSpec effective = spec;
        if (stickyKey.isEmpty() && spec.sessionId().isEmpty()) {
            effective = spec.toBuilder().sessionId(SessionIds.generate("sbx")).build();
        }
        String key = stickyKey.filter(k -> !k.isBlank()).orElseGet(effectiveSessionId(effective));
        BackendChoice choice = choose(key);
        log.debug("new session {} → {}", effective.sessionId().orElse("?"), choice.reason());
        return backend(choice.backend()).create(effective);
    }

    private static Supplier<String> effectiveSessionId(SandboxSpec spec) {
        return () -> spec.sessionId().orElseThrow();
    }

    /**
     * The named backend, made on first use: for opening existing sessions, listing, sweeping. Reopen a session on
     * the backend recorded with it ({@code SandboxSummary.backend()}), not by {@link #choose}: after a change of
     * percentage or a rollback, a key can map elsewhere, and only new sessions are meant to follow.
     */
    public synchronized SandboxBackend backend(String name) {
        SandboxBackend backend = made.get(name);
        if (backend == null) {
            Supplier<? extends SandboxBackend> supplier = suppliers.get(name);
            if (supplier == null) {
                throw new IllegalArgumentException("no backend named \"" + name + "\"; configured: " + suppliers.keySet());
            }
            backend = Objects.requireNonNull(supplier.get(), () -> "the " + name + " backend supplier returned null");
            if (!name.equals(backend.name())) {
                // A wiring mistake that would send sessions to the wrong backend: refuse it loudly.
                backend.close();
                throw new IllegalStateException("the supplier registered as \"" + name + "\" made a \"" + backend.name() + "\" backend");
            }
            backend = ObservedSandboxBackend.observe(backend, events, false);
            made.put(name, backend);
        }
        return backend;
    }

    /** Closes the backends this factory made; those never used were never made. */
    @Override
    public synchronized void close() {
        RuntimeException first = null;
        for (SandboxBackend backend : made.values()) {
            try {
                backend.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        made.clear();
        if (ownsEvents) {
            events.close();
        }
        if (first != null) {
            throw first;
        }
    }
}
