package io.sandboxops.app.console.environment;

import io.sandboxops.app.console.dialog.ErrorMessages;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.docker.DockerSandboxBackend;
import io.sandboxops.emulator.LocalCloud;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the {@code local} environment: the Docker engine {@code DOCKER_HOST} names (when one answers) and,
 * optionally, the emulator started embedded. What does not answer becomes a status line, never an exception.
 */
public final class LocalWorkspaceOpener implements WorkspaceOpener {
    private static final Logger log = LoggerFactory.getLogger(LocalWorkspaceOpener.class);

    private final boolean startEmulator;

    /** @param startEmulator whether to start the embedded emulator (the console does; some tests need not) */
    public LocalWorkspaceOpener(boolean startEmulator) {
        this.startEmulator = startEmulator;
    }

    @Override
    public Workspace open(ConsoleEnvironment environment) {
        if (environment.kind() != ConsoleEnvironment.Kind.LOCAL) {
            return new LocalWorkspace(environment, Map.of(), List.of(new ServiceStatus("Cloud Run",
                    ServiceStatus.Health.UNAVAILABLE, "GCP environments are not supported by this build yet")), null);
        }
        Map<String, SandboxBackend> backends = new LinkedHashMap<>();
        List<ServiceStatus> statuses = new ArrayList<>();
        try {
            DockerSandboxBackend docker = DockerSandboxBackend.fromEnvironment();
            backends.put(docker.name(), docker);
            statuses.add(new ServiceStatus("Docker", ServiceStatus.Health.UP, "engine answers; image " + docker.defaultImage()));
        } catch (RuntimeException e) {
            log.info("local Docker engine unavailable: {}", e.getMessage());
            statuses.add(new ServiceStatus("Docker", ServiceStatus.Health.UNAVAILABLE, ErrorMessages.describe(e)));
        }
        LocalCloud emulator = null;
        if (startEmulator) {
            try {
                emulator = LocalCloud.start();
                statuses.add(new ServiceStatus("Emulator", ServiceStatus.Health.UP, "embedded: gRPC " + emulator.endpoints().grpcTarget() + ", storage " + emulator.endpoints().storageHost()));
            } catch (RuntimeException e) {
                log.warn("embedded emulator did not start", e);
                statuses.add(new ServiceStatus("Emulator", ServiceStatus.Health.UNAVAILABLE, ErrorMessages.describe(e)));
            }
        }
        return new LocalWorkspace(environment, backends, statuses, emulator);
    }

    private record LocalWorkspace(ConsoleEnvironment environment, Map<String, SandboxBackend> backends, List<ServiceStatus> statuses,
                                  LocalCloud emulator) implements Workspace {
        LocalWorkspace {
            backends = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(backends));
            statuses = List.copyOf(statuses);
        }

        @Override
        public void close() {
            backends.values().forEach(SandboxBackend::close);
            if (emulator != null) {
                emulator.close();
            }
        }
    }
}
