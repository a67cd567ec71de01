package io.sandboxops.core.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
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
import java.io.IOException;
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
    /** The image used when a spec names none; override with {@code SANDBOX_IMAGE}. */
    public static final String DEFAULT_IMAGE = "sandboxops/sandbox:latest";
    /**
     * The environment variable that bounds each sandbox's writable layer, e.g. {@code 2G} ({@code --storage-opt size=}).
     * Unset by default: the engine must run overlay2 on xfs mounted with {@code pquota}, and refuses it otherwise.
     */
    public static final String STORAGE_SIZE_ENV = "SANDBOX_DOCKER_STORAGE_SIZE";

    private final DockerClient docker;
    private final String defaultImage;
    private final ShellSession.Options shellOptions;
    private final Optional<String> storageSize;

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
    }

    /**
     * Connects to the engine of the environment ({@code DOCKER_HOST}), default image from {@code SANDBOX_IMAGE}, the
     * writable layer's bound from {@link #STORAGE_SIZE_ENV}. The backend itself writes no operation events: open it
     * through {@code SandboxFactory} or {@link io.sandboxops.core.observe.ObservedSandboxBackend#observe} for those.
     */
    public static DockerSandboxBackend fromEnvironment() {
        String image = System.getenv().getOrDefault("SANDBOX_IMAGE", DEFAULT_IMAGE);
        Optional<String> storage = Optional.ofNullable(System.getenv(STORAGE_SIZE_ENV)).filter(s -> !s.isBlank());
        return new DockerSandboxBackend(DockerEngine.connect(), image, ShellSession.Options.defaults(), storage);
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

    @Override
    public Sandbox create(SandboxSpec spec) {
        String id = spec.sessionId().orElseGet(() -> SessionIds.generate("sbx"));
        String image = spec.image().orElse(defaultImage);
        Map<String, String> labels = new LinkedHashMap<>(spec.labels());
        labels.put(LABEL_APP, APP);
        labels.put(LABEL_SANDBOX_ID, id);
        labels.put(LABEL_SESSION_ID, id);
        labels.put(LABEL_CREATED_AT, Instant.now().toString());
        HostConfig hostConfig = HostConfig.newHostConfig()
                .withMemory(spec.memoryBytes())
                .withMemorySwap(spec.memoryBytes())
                .withNanoCPUs(spec.nanoCpus())
                .withPidsLimit(spec.pidsLimit())
                .withNetworkMode(spec.network())
                .withInit(true)
                // Root in the container, were code to reach it, holds no capability; setuid files cannot raise anyone.
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"));
        storageSize.ifPresent(size -> hostConfig.withStorageOpt(Map.of("size", size)));
        CreateContainerResponse created;
        try {
            created = docker.createContainerCmd(image)
                    .withName("sandbox-" + id)
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
        } catch (RuntimeException e) {
            removeQuietly(created.getId());
            throw new SandboxUnavailableException("sandbox " + id + " was created but did not start: " + SandboxException.rootMessage(e), e);
        }
        DockerSandbox sandbox = new DockerSandbox(docker, id, created.getId(), spec.user(), spec.workdir(), shellOptions);
        sandbox.ensureReady();
        sandbox.installEngineShell();
        log.info("created sandbox {} (container {}, image {})", id, created.getId().substring(0, 12), image);
        return sandbox;
    }

    @Override
    public Sandbox get(String sandboxId) {
        SessionIds.requireValid(sandboxId);
        List<Container> found = containers(Map.of(LABEL_APP, APP, LABEL_SANDBOX_ID, sandboxId));
        if (found.isEmpty()) {
            throw new SandboxNotFoundException("no sandbox " + sandboxId + " on the Docker engine; list them with `sandboxctl session list`");
        }
        InspectContainerResponse c;
        try {
            c = docker.inspectContainerCmd(found.get(0).getId()).exec();
        } catch (NotFoundException e) {
            throw new SandboxNotFoundException("sandbox " + sandboxId + " was removed while it was being opened", e);
        } catch (RuntimeException e) {
            throw DockerEngine.failure("open sandbox " + sandboxId, e);
        }
        String user = c.getConfig().getUser() == null || c.getConfig().getUser().isEmpty() ? "0:0" : c.getConfig().getUser();
        String workdir = c.getConfig().getWorkingDir() == null ? "/" : c.getConfig().getWorkingDir();
        DockerSandbox sandbox = new DockerSandbox(docker, sandboxId, c.getId(), user, workdir, shellOptions);
        sandbox.ensureReady();
        return sandbox;
    }

    @Override
    public List<SandboxSummary> list() {
        List<SandboxSummary> out = new ArrayList<>();
        for (Container c : containers(Map.of(LABEL_APP, APP))) {
            Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
            out.add(new SandboxSummary(labels.getOrDefault(LABEL_SANDBOX_ID, c.getId()), NAME, c.getState(), c.getImage(),
                    Instant.ofEpochSecond(c.getCreated() == null ? 0 : c.getCreated()), labels));
        }
        out.sort(Comparator.comparing(SandboxSummary::createdAt));
        return out;
    }

    @Override
    public SweepResult sweepOrphans(Duration olderThan, Set<String> exclude) {
        Instant cutoff = Instant.now().minus(olderThan);
        List<String> removed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (Container c : containers(Map.of(LABEL_APP, APP))) {
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

    @Override
    public void close() {
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
