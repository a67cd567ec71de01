package io.sandboxops.core.cloudrun;

import com.google.cloud.run.v2.EnvVar;
import com.google.cloud.run.v2.Execution;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.SandboxSummary;
import io.sandboxops.core.api.SessionIds;
import io.sandboxops.core.api.SweepResult;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.state.FileManifest;
import io.sandboxops.core.state.RetryPolicy;
import io.sandboxops.core.state.SandboxRecord;
import io.sandboxops.core.state.SessionStateStore;
import io.sandboxops.core.state.ShellState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Creates and finds {@link CloudRunJobsSandbox}es. A sandbox is its objects in the state bucket; executions of one
 * shared job (per image, cpu, memory, task timeout) do its work. Thread-safe.
 */
public final class CloudRunJobsSandboxBackend implements SandboxBackend {
    public static final String NAME = "cloudrun";

    private final CloudRunSettings settings;
    private final GoogleClients clients;
    private final boolean ownsClients;
    private final SessionStateStore store;
    private final CloudRunJobManager jobs;
    private final CloudRunJobManager.JobSpec jobSpec;
    private final SessionCredentials credentials;
    private final WarmPool pool;

    /**
     * @param clients the clients to use; closed with this backend only when {@code ownsClients}
     */
    public CloudRunJobsSandboxBackend(CloudRunSettings settings, GoogleClients clients, boolean ownsClients, RetryPolicy retry) {
        this.settings = settings;
        this.clients = clients;
        this.ownsClients = ownsClients;
        this.store = new SessionStateStore(clients.storage(), settings.stateBucket(), retry);
        this.jobs = new CloudRunJobManager(clients, retry);
        this.credentials = new SessionCredentials(clients, store);
        Map<String, String> env = new HashMap<>();
        env.put("SANDBOX_STATE_BUCKET", settings.stateBucket());
        env.put("GCP_PROJECT_ID", settings.target().projectId());
        env.put("GCP_REGION", settings.target().region());
        this.jobSpec = new CloudRunJobManager.JobSpec(settings.executorImage(), settings.jobCpu(), settings.jobMemory(), settings.jobTimeout(), env);
        this.pool = new WarmPool(this, store);
    }

    /**
     * A backend from the environment variables ({@link CloudRunSettings#fromEnvironment}). The backend itself writes no
     * operation events: open it through {@code SandboxFactory} or
     * {@link io.sandboxops.core.observe.ObservedSandboxBackend#observe} for those.
     */
    public static CloudRunJobsSandboxBackend fromEnvironment() {
        CloudRunSettings settings = CloudRunSettings.fromEnvironment(System.getenv());
        return new CloudRunJobsSandboxBackend(settings, new GoogleClients(settings.target()), true, RetryPolicy.defaults());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String mode() {
        return settings.mode().wire();
    }

    public CloudRunSettings settings() {
        return settings;
    }

    SessionStateStore store() {
        return store;
    }

    /** The Cloud Storage requests this client made so far: the start benchmark counts a command's with it. */
    public SessionStateStore.Calls storageCalls() {
        return store.calls();
    }

    public CloudRunJobManager jobs() {
        return jobs;
    }

    /** Each sandbox's downscoped storage token and mailbox key. */
    SessionCredentials credentials() {
        return credentials;
    }

    GoogleClients clients() {
        return clients;
    }

    /** The warm pool of idle session workers ({@code SANDBOX_POOL_CLOUDRUN}). */
    WarmPool pool() {
        return pool;
    }

    /**
     * Starts keeping {@code SANDBOX_POOL_CLOUDRUN} idle session workers running, in the background, until this backend
     * closes; the first {@link #create} in session mode does it too. Nothing happens without a pool.
     */
    public void startPool() {
        if (settings.mode() == CloudRunSettings.Mode.SESSION) {
            pool.start();
        }
    }

    /**
     * Every session of this backend starts its own worker, never claiming one another client keeps idle: for the cold
     * reference a start benchmark measures beside its pooled figure.
     */
    public void neverClaim() {
        pool.neverClaim();
    }

    /** The warm pool: its target, idle and starting workers, and what they cost per hour at list price. */
    @Override
    public io.sandboxops.core.api.PoolStatus poolStatus() {
        return pool.status();
    }

    /** The job this backend's executions run in, created on first use. */
    String job() {
        return jobs.ensureJob(jobSpec);
    }

    @Override
    public Sandbox create(SandboxSpec spec) {
        String id = spec.sessionId().orElseGet(() -> SessionIds.generate("sbx"));
        if (spec.image().isPresent() && !spec.image().get().equals(settings.executorImage())) {
            throw new SandboxInvalidInputException("a Cloud Run sandbox runs the executor image " + settings.executorImage()
                    + " (SANDBOX_EXECUTOR_IMAGE); it cannot run " + spec.image().get());
        }
        if (settings.persistedRoots().stream().noneMatch(r -> spec.workdir().equals(r) || spec.workdir().startsWith(r + "/"))) {
            throw new SandboxInvalidInputException("the workdir " + spec.workdir() + " must lie in a persisted directory "
                    + settings.persistedRoots() + " (SANDBOX_PERSISTED_ROOTS)");
        }
        String job = job();
        Instant now = Instant.now();
        SandboxRecord record = new SandboxRecord(ShellState.SCHEMA_VERSION, id, settings.mode().wire(), job, settings.executorImage(),
                spec.workdir(), spec.env(), spec.labels(), settings.persistedRoots(), now);
        boolean pooled = pool.target() > 0 && settings.mode() == CloudRunSettings.Mode.SESSION;
        // The claim carries the sandbox's token and mailbox key: made beside the sandbox's own objects and whatever the
        // caller does next, so that its first command does not wait for the key's write. Before the sandbox's objects
        // only for an id drawn here: nobody else has it, so the key is this sandbox's (an id the caller chose may be
        // another's, whose key must not be touched if the create is refused).
        boolean fresh = spec.sessionId().isEmpty();
        java.util.concurrent.CompletableFuture<Void> prepared = pooled && fresh
                ? java.util.concurrent.CompletableFuture.runAsync(() -> credentials.prepareNew(id)) : null;
        FileManifest manifest = FileManifest.empty(settings.persistedRoots(), now.toEpochMilli());
        long manifestGeneration;
        try {
            manifestGeneration = store.createSandbox(record, manifest);
        } catch (RuntimeException e) {
            if (prepared != null) {
                // No sandbox: its key goes too, once written.
                prepared.handle((done, failed) -> {
                    credentials.forget(id);
                    store.delete(SessionStateStore.mailboxKeyObject(id));
                    return null;
                }).exceptionally(x -> null);
            }
            throw e;
        }
        if (pooled) {
            startPool();
            if (prepared == null) {
                java.util.concurrent.CompletableFuture.runAsync(() -> credentials.prepareNew(id)).exceptionally(x -> null);
            }
        }
        return new CloudRunJobsSandbox(this, record, new PoolProtocol.Known(record, manifest, manifestGeneration));
    }

    @Override
    public Sandbox get(String sandboxId) {
        SessionIds.requireValid(sandboxId);
        SandboxRecord record = store.readSandbox(sandboxId).orElseThrow(() -> new SandboxNotFoundException(
                "no Cloud Run sandbox " + sandboxId + " in bucket " + settings.stateBucket() + "; list them with `sandboxctl session list`"));
        return new CloudRunJobsSandbox(this, record);
    }

    @Override
    public List<SandboxSummary> list() {
        List<SandboxSummary> out = new ArrayList<>();
        for (String id : store.sandboxIds()) {
            Optional<SandboxRecord> r = store.readSandbox(id);
            r.ifPresent(rec -> out.add(new SandboxSummary(rec.sandboxId(), NAME, rec.mode(), rec.image(), rec.createdAt(), rec.labels())));
        }
        return out;
    }

    /**
     * Destroys sandboxes created more than {@code olderThan} ago, and cancels executions of this backend's jobs
     * that serve a sandbox which no longer exists, and warm-pool workers whose client is gone ({@link WarmPool#sweep}).
     */
    @Override
    public SweepResult sweepOrphans(Duration olderThan, Set<String> exclude) {
        List<String> removed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        Instant cutoff = Instant.now().minus(olderThan);
        for (SandboxSummary s : list()) {
            if (exclude.contains(s.id()) || s.createdAt().isAfter(cutoff)) {
                continue;
            }
            try {
                get(s.id()).destroy();
                removed.add(s.id());
            } catch (SandboxException e) {
                failed.add(s.id() + ": " + e.getMessage());
            }
        }
        for (Execution e : jobs.runningExecutions()) {
            String sandbox = sandboxOf(e);
            if (sandbox != null && !exclude.contains(sandbox) && store.readSandbox(sandbox).isEmpty()) {
                try {
                    jobs.cancel(e.getName());
                    removed.add(CloudRunJobManager.shortName(e.getName()));
                } catch (SandboxException ex) {
                    failed.add(CloudRunJobManager.shortName(e.getName()) + ": " + ex.getMessage());
                }
            }
        }
        pool.sweep(jobs.runningExecutions(), removed::add, (execution, error) -> failed.add(execution + ": " + error));
        return new SweepResult(removed, failed);
    }

    private static String sandboxOf(Execution e) {
        return e.getTemplate().getContainersList().stream().flatMap(c -> c.getEnvList().stream())
                .filter(v -> v.getName().equals("SESSION_ID")).map(EnvVar::getValue).reduce((a, b) -> b).orElse(null);
    }

    /** Cancels the idle pool workers this backend started (they are billed), then closes the clients it owns. */
    @Override
    public void close() {
        pool.close();
        if (ownsClients) {
            clients.close();
        }
    }
}
