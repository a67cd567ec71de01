package io.sandboxops.core.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxConflictException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.SandboxSummary;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.api.SessionIds;
import io.sandboxops.core.api.SweepResult;
import io.sandboxops.core.shell.ShellSession;
import io.sandboxops.core.api.PoolStatus;
import io.sandboxops.core.api.SandboxTimeoutException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandboxes as Docker containers: labelled so a sweep finds orphans, non-root, limited in memory, CPU and
 * processes, with no network unless asked for {@code host}. Contained (DESIGN §4): every capability dropped,
 * {@code no-new-privileges}, and, where the engine supports it, a bounded writable layer.
 *
 * <p>Every sandbox's container is named {@code sandbox-ID}, which the engine keeps unique: a chosen id that exists is a
 * conflict, and {@link #get} finds a sandbox by that name. A warm pool ({@link #setPoolSize}, {@link #POOL_SIZE_ENV})
 * keeps containers of the default spec made ahead under other names; a create of that spec claims one by renaming it
 * (see {@link DockerWarmPool}).
 */
public final class DockerSandboxBackend implements SandboxBackend {
    private static final Logger log = LoggerFactory.getLogger(DockerSandboxBackend.class);

    public static final String NAME = "docker";
    /** The one way this backend runs a sandbox: a container (see {@link Sandbox#mode()}). */
    public static final String MODE = "container";
    public static final String LABEL_APP = "app";
    public static final String APP = "sandbox-ops";
    public static final String LABEL_SANDBOX_ID = "sandbox-id";
    public static final String LABEL_SESSION_ID = "session-id";
    public static final String LABEL_CREATED_AT = "created-at";
    /**
     * Says a container was made with the engine shell's executable-only copies (installed as it starts): every client's
     * shells in it wait for them, and none falls back to the image's bash while they are being installed.
     */
    public static final String LABEL_ENGINE_SHELL = "engine-shell";
    static final String ENGINE_SHELL_COPIES = "copies";
    /** The image used when a spec names none; override with {@code SANDBOX_IMAGE}. */
    public static final String DEFAULT_IMAGE = "sandboxops/sandbox:latest";
    /**
     * The environment variable that bounds each sandbox's writable layer, e.g. {@code 2G} ({@code --storage-opt size=}).
     * Unset by default: the engine must run overlay2 on xfs mounted with {@code pquota}, and refuses it otherwise.
     */
    public static final String STORAGE_SIZE_ENV = "SANDBOX_DOCKER_STORAGE_SIZE";
    /** The environment variable that sets the warm pool's size (see {@link #setPoolSize}); 0, no pool, when unset. */
    public static final String POOL_SIZE_ENV = "SANDBOX_POOL_DOCKER";
    /** What pool containers are made with (and the default image): a create of this spec may claim one. */
    private static final SandboxSpec POOL_SPEC = SandboxSpec.newBuilder().build();

    private final DockerClient docker;
    private final String defaultImage;
    private final ShellSession.Options shellOptions;
    private final Optional<String> storageSize;
    private final DockerWarmPool pool;
    private final EngineShellVolumes engineShellVolumes;

    /**
     * @param docker       a client, e.g. from {@link DockerEngine#connect()}; closed with this backend
     * @param defaultImage the image for specs that name none
     */
    public DockerSandboxBackend(DockerClient docker, String defaultImage, ShellSession.Options shellOptions) {
        this(docker, defaultImage, shellOptions, Optional.empty());
    }

    /**
     * @param storageSize the most each sandbox may write outside its mounts, as Docker writes sizes ({@code 512M},
     *                    {@code 2G}); empty for no bound (the engine's storage driver decides)
     */
    public DockerSandboxBackend(DockerClient docker, String defaultImage, ShellSession.Options shellOptions, Optional<String> storageSize) {
        storageSize.ifPresent(size -> {
            if (!size.matches("[1-9][0-9]{0,8}[kKmMgGtT]?[bB]?")) {
                throw new SandboxInvalidInputException("the writable layer's size (" + STORAGE_SIZE_ENV + ") must be a number with an optional "
                        + "unit k, m, g or t, e.g. 2G, not \"" + size + "\"");
            }
        });
        this.docker = docker;
        this.defaultImage = defaultImage;
        this.shellOptions = shellOptions;
        this.storageSize = storageSize;
        this.engineShellVolumes = new EngineShellVolumes(docker);
        this.pool = new DockerWarmPool(docker, DockerWarmPool.Owner.current(), specDigest(defaultImage, storageSize), this::makePooled,
                (id, containerId) -> new DockerSandbox(docker, id, containerId, POOL_SPEC.user(), POOL_SPEC.workdir(), shellOptions, true));
    }

    private DockerSandbox makePooled(String id, String name, Map<String, String> labels) {
        return make(POOL_SPEC, id, name, labels);
    }

    /** What makes two clients' pool containers interchangeable: the image and everything the container was made with. */
    private static String specDigest(String image, Optional<String> storageSize) {
        String made = String.join("\n", image, POOL_SPEC.user(), POOL_SPEC.workdir(), Long.toString(POOL_SPEC.memoryBytes()),
                Long.toString(POOL_SPEC.nanoCpus()), Long.toString(POOL_SPEC.pidsLimit()), POOL_SPEC.network(), storageSize.orElse(""));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(made.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Connects to the engine of the environment ({@code DOCKER_HOST}), default image from {@code SANDBOX_IMAGE}, the
     * writable layer's bound from {@link #STORAGE_SIZE_ENV}, the warm pool's size from {@link #POOL_SIZE_ENV}. The backend itself writes no operation events: open it
     * through {@code SandboxFactory} or {@link io.sandboxops.core.observe.ObservedSandboxBackend#observe} for those.
     */
    public static DockerSandboxBackend fromEnvironment() {
        return fromEnvironment(poolSize(System.getenv(POOL_SIZE_ENV)));
    }

    /**
     * As {@link #fromEnvironment()} with a warm pool of {@code poolSize} whatever {@link #POOL_SIZE_ENV} says: for a
     * caller that resolved the size itself (an environment's {@code pool}), or that must fill nothing (0: a status read,
     * a one-shot verb, which still claims from a pool another client keeps).
     */
    public static DockerSandboxBackend fromEnvironment(int poolSize) {
        String image = System.getenv().getOrDefault("SANDBOX_IMAGE", DEFAULT_IMAGE);
        Optional<String> storage = Optional.ofNullable(System.getenv(STORAGE_SIZE_ENV)).filter(s -> !s.isBlank());
        DockerSandboxBackend backend = new DockerSandboxBackend(DockerEngine.connect(), image, ShellSession.Options.defaults(), storage);
        try {
            backend.setPoolSize(poolSize);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        return backend;
    }

    /**
     * The pool size a setting names: blank or absent is 0.
     *
     * @throws SandboxInvalidInputException when it is not a whole number from 0 to {@value DockerWarmPool#MAX_SIZE}
     */
    public static int poolSize(String setting) {
        if (setting == null || setting.isBlank()) {
            return 0;
        }
        String s = setting.strip();
        if (s.matches("[0-9]{1,3}") && Integer.parseInt(s) <= DockerWarmPool.MAX_SIZE) {
            return Integer.parseInt(s);
        }
        throw new SandboxInvalidInputException(POOL_SIZE_ENV + " must be a whole number of containers from 0 to " + DockerWarmPool.MAX_SIZE
                + " (0: no warm pool), not \"" + setting + "\"");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String mode() {
        return MODE;
    }

    /** The image used for specs that name none. */
    public String defaultImage() {
        return defaultImage;
    }

    DockerClient docker() {
        return docker;
    }

    /**
     * Creates a sandbox; one of the backend's default spec (no image but the default, no chosen id, env or labels,
     * default limits) is claimed from a warm pool when one holds an idle container, and created cold otherwise.
     */
    @Override
    public Sandbox create(SandboxSpec spec) {
        if (pooled(spec)) {
            Optional<DockerSandbox> claimed = pool.claim();
            if (claimed.isPresent()) {
                log.info("claimed sandbox {} from the warm pool", claimed.get().id());
                return claimed.get();
            }
        }
        String id = spec.sessionId().orElseGet(() -> SessionIds.generate("sbx"));
        DockerSandbox sandbox = make(spec, id, containerName(id), Map.of());
        log.info("created sandbox {} (container {}, image {})", id, sandbox.containerId().substring(0, 12), spec.image().orElse(defaultImage));
        return sandbox;
    }

    /** Whether a spec is the one the pool's containers are made with. */
    private boolean pooled(SandboxSpec spec) {
        return spec.sessionId().isEmpty() && spec.image().orElse(defaultImage).equals(defaultImage)
                && spec.toBuilder().image(null).build().equals(POOL_SPEC);
    }

    /** A container for {@code spec}, started, with the engine shell installed; removed again when any step fails. */
    private DockerSandbox make(SandboxSpec spec, String id, String name, Map<String, String> extraLabels) {
        String image = spec.image().orElse(defaultImage);
        Map<String, String> labels = new LinkedHashMap<>(spec.labels());
        labels.putAll(extraLabels);
        labels.put(LABEL_APP, APP);
        labels.put(LABEL_SANDBOX_ID, id);
        labels.put(LABEL_SESSION_ID, id);
        labels.put(LABEL_CREATED_AT, Instant.now().toString());
        labels.put(LABEL_ENGINE_SHELL, ENGINE_SHELL_COPIES);
        HostConfig hostConfig = containment(spec);
        storageSize.ifPresent(size -> hostConfig.withStorageOpt(Map.of("size", size)));
        Optional<Mount> engineShell = engineShellVolumes.mountFor(image);
        engineShell.ifPresent(m -> hostConfig.withMounts(List.of(m)));
        CreateContainerResponse created;
        try {
            created = docker.createContainerCmd(image)
                    .withName(name)
                    .withLabels(labels)
                    .withUser(spec.user())
                    .withWorkingDir(spec.workdir())
                    .withEnv(spec.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                    .withCmd("sleep", "infinity")
                    .withHostConfig(hostConfig)
                    .exec();
        } catch (NotFoundException e) {
            throw new SandboxNotFoundException("image " + image + " is not on this Docker engine; build it with `bash .ci/docker-up` "
                    + "(or docker build docker/sandbox) or name another with --image", e);
        } catch (ConflictException e) {
            throw new SandboxConflictException("a sandbox named " + id + " already exists; pick another id or close it first", e);
        } catch (RuntimeException e) {
            if (storageSize.isPresent() && String.valueOf(SandboxException.rootMessage(e)).contains("storage-opt")) {
                throw new SandboxUnavailableException("this Docker engine cannot bound a container's writable layer ("
                        + SandboxException.rootMessage(e) + "); unset " + STORAGE_SIZE_ENV + " or run the engine on overlay2 over xfs with pquota", e);
            }
            throw DockerEngine.failure("create sandbox " + id, e);
        }
        try {
            docker.startContainerCmd(created.getId()).exec();
            // The engine answers a start once the container runs: no inspect is needed to know it.
            DockerSandbox sandbox = new DockerSandbox(docker, id, created.getId(), spec.user(), spec.workdir(), shellOptions, true);
            if (engineShell.isEmpty()) {
                sandbox.installEngineShellInBackground();
            }
            return sandbox;
        } catch (RuntimeException e) {
            removeQuietly(created.getId());
            throw new SandboxUnavailableException("sandbox " + id + " was created but did not start: " + SandboxException.rootMessage(e), e);
        }
    }

    /**
     * Sets how many idle containers of the default spec this backend keeps ready (0: none, the default). The pool
     * fills in the background; its containers are removed when the backend closes.
     *
     * @throws SandboxInvalidInputException when {@code size} is below 0 or above {@value DockerWarmPool#MAX_SIZE}
     */
    public void setPoolSize(int size) {
        if (size < 0 || size > DockerWarmPool.MAX_SIZE) {
            throw new SandboxInvalidInputException("the Docker warm pool size must be from 0 to " + DockerWarmPool.MAX_SIZE
                    + " containers, not " + size);
        }
        pool.setTarget(size);
    }

    /** The client id this backend's pool containers are labelled with ({@link DockerWarmPool#LABEL_CLIENT}). */
    String poolClientId() {
        return pool.clientId();
    }

    /** The pool size this backend keeps (see {@link #setPoolSize}). */
    public int poolSize() {
        return pool.target();
    }

    /**
     * Waits until this backend's pool holds as many idle containers as its size.
     *
     * @throws SandboxTimeoutException when it does not within {@code timeout}
     */
    public void awaitPoolReady(Duration timeout) {
        try {
            if (!pool.awaitReady(timeout)) {
                throw new SandboxTimeoutException("the Docker warm pool did not fill to " + pool.target() + " within " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxUnavailableException("interrupted while waiting for the Docker warm pool", e);
        }
    }

    @Override
    public PoolStatus poolStatus() {
        return pool.status();
    }

    /** Opens a sandbox by its container's name, which every sandbox has ({@code sandbox-ID}); pooled idle ones have another. */
    /**
     * The limits and containment of every sandbox container (DESIGN §4): the spec's memory (no swap beyond it), CPUs,
     * pids and network, an init process, every capability dropped and {@code no-new-privileges}. Public so that a
     * benchmark's reference container is contained exactly as a sandbox is.
     */
    public static HostConfig containment(SandboxSpec spec) {
        return HostConfig.newHostConfig()
                .withMemory(spec.memoryBytes())
                .withMemorySwap(spec.memoryBytes())
                .withNanoCPUs(spec.nanoCpus())
                .withPidsLimit(spec.pidsLimit())
                .withNetworkMode(spec.network())
                .withInit(true)
                // Root in the container, were code to reach it, holds no capability; setuid files cannot raise anyone.
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"));
    }

    /** The name of a sandbox's container on the engine (what {@code docker exec} takes), cold or claimed from a pool. */
    public static String containerName(String sandboxId) {
        return DockerWarmPool.CLAIMED + sandboxId;
    }

    @Override
    public Sandbox get(String sandboxId) {
        SessionIds.requireValid(sandboxId);
        InspectContainerResponse c;
        try {
            c = docker.inspectContainerCmd(containerName(sandboxId)).exec();
        } catch (NotFoundException e) {
            throw notFound(sandboxId, e);
        } catch (RuntimeException e) {
            throw DockerEngine.failure("open sandbox " + sandboxId, e);
        }
        Map<String, String> labels = c.getConfig().getLabels() == null ? Map.of() : c.getConfig().getLabels();
        if (!APP.equals(labels.get(LABEL_APP))) {
            throw notFound(sandboxId, null);
        }
        String user = c.getConfig().getUser() == null || c.getConfig().getUser().isEmpty() ? "0:0" : c.getConfig().getUser();
        String workdir = c.getConfig().getWorkingDir() == null ? "/" : c.getConfig().getWorkingDir();
        DockerSandbox sandbox = new DockerSandbox(docker, sandboxId, c.getId(), user, workdir, shellOptions,
                ENGINE_SHELL_COPIES.equals(labels.get(LABEL_ENGINE_SHELL)));
        if (!Boolean.TRUE.equals(c.getState().getRunning())) {
            sandbox.ensureReady();
        }
        return sandbox;
    }

    private static SandboxNotFoundException notFound(String sandboxId, Throwable cause) {
        return new SandboxNotFoundException("no sandbox " + sandboxId + " on the Docker engine; list them with `sandboxctl session list`", cause);
    }

    /** Every sandbox, claimed pool containers among them; idle pool containers are not sessions and are left out. */
    @Override
    public List<SandboxSummary> list() {
        List<SandboxSummary> out = new ArrayList<>();
        for (Container c : containers(Map.of(LABEL_APP, APP))) {
            if (DockerWarmPool.isPoolName(DockerWarmPool.name(c))) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>(c.getLabels() == null ? Map.of() : c.getLabels());
            // Which client's pool made it is no part of the sandbox: a claimed one lists as a cold-created one.
            labels.keySet().removeAll(DockerWarmPool.LABELS);
            out.add(new SandboxSummary(labels.getOrDefault(LABEL_SANDBOX_ID, c.getId()), NAME, c.getState(), c.getImage(),
                    Instant.ofEpochSecond(c.getCreated() == null ? 0 : c.getCreated()), labels));
        }
        out.sort(Comparator.comparing(SandboxSummary::createdAt));
        return out;
    }

    /**
     * Removes sandboxes created more than {@code olderThan} ago, except those excluded, and pool containers whose owner
     * process is gone (reported as {@code pool:ID}); a living client's pool is no orphan.
     */
    @Override
    public SweepResult sweepOrphans(Duration olderThan, Set<String> exclude) {
        Instant cutoff = Instant.now().minus(olderThan);
        List<String> failed = new ArrayList<>();
        List<String> removed = new ArrayList<>(pool.sweep(olderThan, failed));
        for (Container c : containers(Map.of(LABEL_APP, APP))) {
            if (DockerWarmPool.isPoolName(DockerWarmPool.name(c))) {
                continue;
            }
            String sid = c.getLabels() == null ? c.getId() : c.getLabels().getOrDefault(LABEL_SANDBOX_ID, c.getId());
            Instant created = Instant.ofEpochSecond(c.getCreated() == null ? 0 : c.getCreated());
            if (exclude.contains(sid) || created.isAfter(cutoff)) {
                continue;
            }
            try {
                docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
                removed.add(sid);
            } catch (NotFoundException e) {
                removed.add(sid);
            } catch (RuntimeException e) {
                failed.add(sid + ": " + SandboxException.rootMessage(e));
            }
        }
        return new SweepResult(removed, failed);
    }

    /** Removes this backend's idle pool containers, then lets go of the engine. */
    @Override
    public void close() {
        try {
            pool.close();
        } catch (RuntimeException e) {
            log.warn("could not remove the warm pool's containers: {}", SandboxException.rootMessage(e));
        }
        try {
            docker.close();
        } catch (IOException e) {
            log.debug("closing the Docker client: {}", e.toString());
        }
    }

    private List<Container> containers(Map<String, String> labels) {
        try {
            return docker.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec();
        } catch (RuntimeException e) {
            throw DockerEngine.failure("list the sandboxes", e);
        }
    }

    private void removeQuietly(String containerId) {
        try {
            docker.removeContainerCmd(containerId).withForce(true).exec();
        } catch (RuntimeException e) {
            log.warn("could not remove container {} after a failed start: {}", containerId, e.toString());
        }
    }
}
