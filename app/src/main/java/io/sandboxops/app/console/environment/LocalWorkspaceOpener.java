package io.sandboxops.app.console.environment;

import io.sandboxops.app.console.dialog.ErrorMessages;
import io.sandboxops.app.env.EnvironmentChecks;
import io.sandboxops.app.env.LocalCloudSeeder;
import io.sandboxops.app.env.SandboxBackends;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.docker.DockerEngine;
import io.sandboxops.core.docker.DockerSandboxBackend;
import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.rollout.ControlPlane;
import io.sandboxops.core.rollout.RolloutAuditLog;
import io.sandboxops.core.rollout.RolloutController;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudConfig;
import io.sandboxops.emulator.run.DockerExecutionRunner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens an environment. {@code local}: the Docker engine {@code DOCKER_HOST} names (when one answers) and,
 * optionally, the emulator started embedded, seeded with the agent backend's service so the rollout can be
 * rehearsed. A GCP environment: the control plane of its Cloud Run service with Application Default Credentials.
 * What does not answer becomes a status line, never an exception.
 */
public final class LocalWorkspaceOpener implements WorkspaceOpener {
    private static final Logger log = LoggerFactory.getLogger(LocalWorkspaceOpener.class);

    static final String CLOUD_RUN = "Cloud Run";

    private final boolean startEmulator;
    private final RolloutAuditLog audit;

    /** @param startEmulator whether to start the embedded emulator (the console does; some tests need not) */
    public LocalWorkspaceOpener(boolean startEmulator) {
        this(startEmulator, RolloutAuditLog.inUserHome());
    }

    /** @param audit where rollout changes are recorded: the same file {@code sandboxctl} writes, in the application */
    public LocalWorkspaceOpener(boolean startEmulator, RolloutAuditLog audit) {
        this.startEmulator = startEmulator;
        this.audit = audit;
    }

    @Override
    public Workspace open(ConsoleEnvironment environment) {
        return open(environment, early -> { });
    }

    @Override
    public Workspace open(ConsoleEnvironment environment, java.util.function.Consumer<Workspace> early) {
        if (environment.kind() != ConsoleEnvironment.Kind.LOCAL) {
            return openGcp(environment);
        }
        Map<String, SandboxBackend> backends = new LinkedHashMap<>();
        List<ServiceStatus> statuses = new ArrayList<>();
        DockerSandboxBackend docker = null;
        int dockerPool = 0;
        try {
            dockerPool = SandboxBackends.poolSize(DockerSandboxBackend.NAME, localDefinition(environment)).size();
        } catch (RuntimeException e) {
            // A pool setting that cannot be read leaves the engine without a pool: sessions still open, cold.
            statuses.add(new ServiceStatus("Docker pool", ServiceStatus.Health.UNAVAILABLE, ErrorMessages.describe(e)));
        }
        try {
            docker = DockerSandboxBackend.fromEnvironment(dockerPool);
            statuses.add(new ServiceStatus("Docker", ServiceStatus.Health.UP, "engine answers; image " + docker.defaultImage()
                    + (dockerPool > 0 ? "; warm pool of " + dockerPool : "")));
        } catch (RuntimeException e) {
            log.info("local Docker engine unavailable: {}", e.getMessage());
            statuses.add(new ServiceStatus("Docker", ServiceStatus.Health.UNAVAILABLE, ErrorMessages.describe(e)));
        }
        LocalCloud emulator = null;
        ControlPlane controlPlane = null;
        if (startEmulator && docker != null) {
            // The engine answers in milliseconds and the emulator takes seconds: its sessions are listed meanwhile. Their
            // events would go nowhere until the emulator is up, which is why this one is only for looking.
            List<ServiceStatus> soFar = new ArrayList<>(statuses);
            soFar.add(ServiceStatus.starting("Emulator"));
            early.accept(new EarlyWorkspace(environment, Map.of(docker.name(), SandboxBackends.observe(docker, Optional.empty())), soFar));
        }
        if (startEmulator) {
            try {
                // With a Docker engine the emulated Cloud Run runs the real executor image, as Cloud Run would.
                emulator = LocalCloud.start(docker != null
                        ? LocalCloudConfig.newBuilder().runner(DockerExecutionRunner::connect).build()
                        : LocalCloudConfig.newBuilder().build());
                statuses.add(new ServiceStatus("Emulator", ServiceStatus.Health.UP, "embedded: gRPC " + emulator.endpoints().grpcTarget() + ", storage " + emulator.endpoints().storageHost()));
            } catch (RuntimeException e) {
                log.warn("embedded emulator did not start", e);
                statuses.add(new ServiceStatus("Emulator", ServiceStatus.Health.UNAVAILABLE, ErrorMessages.describe(e)));
            }
        }
        if (docker != null) {
            // The Docker sessions' events go to the emulator's Cloud Logging beside Cloud Run's; without it, nowhere.
            Optional<CloudTarget> events = Optional.ofNullable(emulator).map(e -> localDefinition(environment)
                    .localTarget(e.endpoints().grpcTarget(), e.endpoints().storageHost(), e.endpoints().accessToken()));
            backends.put(docker.name(), SandboxBackends.observe(docker, events));
        }
        if (emulator != null) {
            controlPlane = openLocalControlPlane(localDefinition(environment), emulator, statuses);
            if (controlPlane != null && backends.containsKey(DockerSandboxBackend.NAME)) {
                openLocalCloudRun(localDefinition(environment), emulator, backends, statuses);
            }
        }
        EnvironmentCheck check = null;
        if (controlPlane != null) {
            Environment definition = localDefinition(environment);
            var target = definition.localTarget(emulator.endpoints().grpcTarget(), emulator.endpoints().storageHost(),
                    emulator.endpoints().accessToken());
            check = progress -> EnvironmentChecks.run(definition, target, progress);
        }
        return new LocalWorkspace(environment, backends, statuses, emulator, controlPlane, check);
    }

    private static Environment localDefinition(ConsoleEnvironment environment) {
        return environment.coreDefinition().orElseGet(Environment::local);
    }

    /** The emulated agent backend's service, created when missing, so the rollout view works out of the box. */
    private ControlPlane openLocalControlPlane(Environment definition, LocalCloud emulator, List<ServiceStatus> statuses) {
        ControlPlane plane = null;
        try {
            var target = definition.localTarget(emulator.endpoints().grpcTarget(), emulator.endpoints().storageHost(), emulator.endpoints().accessToken());
            try (GoogleClients clients = new GoogleClients(target)) {
                LocalCloudSeeder.seed(clients, definition);
            }
            plane = new ControlPlane(definition, target, audit, RolloutController.Options.defaults());
            statuses.add(new ServiceStatus(CLOUD_RUN, ServiceStatus.Health.UP, "emulated service " + definition.service()
                    + "; rollout changes recorded in " + audit.file()));
            return plane;
        } catch (RuntimeException e) {
            log.warn("the emulated Cloud Run service could not be prepared", e);
            if (plane != null) {
                plane.close();
            }
            statuses.add(new ServiceStatus(CLOUD_RUN, ServiceStatus.Health.UNAVAILABLE, "the emulated service could not be prepared: "
                    + ErrorMessages.describe(e)));
            return null;
        }
    }

    /** Cloud Run Jobs sessions on the emulator, when the executor image is on the local engine. */
    private static void openLocalCloudRun(Environment definition, LocalCloud emulator, Map<String, SandboxBackend> backends,
                                          List<ServiceStatus> statuses) {
        String image = definition.executorImage();
        try (var docker = DockerEngine.connect()) {
            docker.inspectImageCmd(image).exec();
        } catch (com.github.dockerjava.api.exception.NotFoundException e) {
            statuses.add(new ServiceStatus("Cloud Run Jobs", ServiceStatus.Health.UNAVAILABLE, "the executor image " + image
                    + " is not on the local engine: build it with `bash executor/build-image.sh`"));
            return;
        } catch (Exception e) {
            statuses.add(new ServiceStatus("Cloud Run Jobs", ServiceStatus.Health.UNAVAILABLE, ErrorMessages.describe(e)));
            return;
        }
        try {
            // The console stays open: its Cloud Run pool (when a size is set) fills now, for the first session it creates.
            var cloudRun = SandboxBackends.cloudRunKeepingPool(definition, definition.localTarget(emulator.endpoints().grpcTarget(), emulator.endpoints().storageHost(), emulator.endpoints().accessToken()));
            backends.put(cloudRun.name(), cloudRun);
            statuses.add(new ServiceStatus("Cloud Run Jobs", ServiceStatus.Health.UP, "emulated, executor image " + image));
        } catch (RuntimeException e) {
            log.warn("the emulated Cloud Run Jobs backend could not be opened", e);
            statuses.add(new ServiceStatus("Cloud Run Jobs", ServiceStatus.Health.UNAVAILABLE, ErrorMessages.describe(e)));
        }
    }

    /**
     * A GCP environment: its control plane with Application Default Credentials. Whether the credentials exist is
     * checked here, on this machine; whether they may read the service is said by the first read of the rollout view.
     */
    private Workspace openGcp(ConsoleEnvironment environment) {
        List<ServiceStatus> statuses = new ArrayList<>();
        Optional<Environment> definition = environment.coreDefinition();
        if (definition.isEmpty()) {
            statuses.add(new ServiceStatus(CLOUD_RUN, ServiceStatus.Health.UNAVAILABLE, "environment " + environment.name()
                    + " has no project, region and service; define it in " + io.sandboxops.core.env.Environments.defaultFile()));
            return new LocalWorkspace(environment, Map.of(), statuses, null, null, null);
        }
        Environment env = definition.get();
        try {
            com.google.auth.oauth2.GoogleCredentials.getApplicationDefault();
        } catch (IOException e) {
            statuses.add(new ServiceStatus(CLOUD_RUN, ServiceStatus.Health.UNAVAILABLE, "no Application Default Credentials for project "
                    + env.projectId() + ": run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS, then switch to "
                    + environment.name() + " again"));
            return new LocalWorkspace(environment, Map.of(), statuses, null, null, null);
        }
        ControlPlane plane = new ControlPlane(env, env.googleTarget(), audit, RolloutController.Options.defaults());
        statuses.add(new ServiceStatus(CLOUD_RUN, ServiceStatus.Health.UP, "project " + env.projectId() + ", " + env.region()
                + ", service " + env.service() + " (Application Default Credentials)"));
        Map<String, SandboxBackend> backends = new LinkedHashMap<>();
        try {
            // Its sessions are listed through the state bucket; nothing is called until the sessions view asks. Its
            // pool (billed while it idles) is kept only where sessions may be created: not on a read-only environment.
            var cloudRun = env.readOnly() ? SandboxBackends.cloudRun(env, env.googleTarget())
                    : SandboxBackends.cloudRunKeepingPool(env, env.googleTarget());
            backends.put(cloudRun.name(), cloudRun);
        } catch (RuntimeException e) {
            statuses.add(new ServiceStatus("Cloud Run Jobs", ServiceStatus.Health.UNAVAILABLE, ErrorMessages.describe(e)));
        }
        return new LocalWorkspace(environment, backends, statuses, null, plane, progress -> EnvironmentChecks.run(env, env.googleTarget(), progress));
    }

    /** The Docker engine alone, while the emulator starts; the workspace opened after it owns the engine's client. */
    private record EarlyWorkspace(ConsoleEnvironment environment, Map<String, SandboxBackend> backends, List<ServiceStatus> statuses)
            implements Workspace {
        EarlyWorkspace {
            backends = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(backends));
            statuses = List.copyOf(statuses);
        }

        @Override
        public void close() {
            // Nothing of its own: the full workspace closes the engine's client.
        }
    }

    private record LocalWorkspace(ConsoleEnvironment environment, Map<String, SandboxBackend> backends, List<ServiceStatus> statuses,
                                  LocalCloud emulator, ControlPlane plane, EnvironmentCheck check) implements Workspace {
        LocalWorkspace {
            backends = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(backends));
            statuses = List.copyOf(statuses);
        }

        @Override
        public Optional<ControlPlane> controlPlane() {
            return Optional.ofNullable(plane);
        }

        @Override
        public Optional<EnvironmentCheck> environmentCheck() {
            return Optional.ofNullable(check);
        }

        @Override
        public void close() {
            backends.values().forEach(SandboxBackend::close);
            // The clients first: they talk to the emulator, which is stopped next.
            if (plane != null) {
                plane.close();
            }
            if (emulator != null) {
                emulator.close();
            }
        }
    }
}
