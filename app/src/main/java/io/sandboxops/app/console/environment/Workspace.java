package io.sandboxops.app.console.environment;

import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.rollout.ControlPlane;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An environment once opened: the sandbox backends that answered, the control plane of its Cloud Run service
 * (rollout, metrics, logs) when it can be reached, and how each needed service is doing. Closing it releases
 * the backends and the control plane's clients, and stops what it started (the embedded emulator).
 */
public interface Workspace extends AutoCloseable {

    ConsoleEnvironment environment();

    /** @return the backends that answered, by name ({@code docker}, {@code cloudrun}); empty when none did */
    Map<String, SandboxBackend> backends();

    List<ServiceStatus> statuses();

    /** @return the rollout, metrics and logs of the environment; empty when they cannot be reached (the statuses say why) */
    default Optional<ControlPlane> controlPlane() {
        return Optional.empty();
    }

    /** @return the preflight of this environment ("Check environment"); empty when it has no definition to check */
    default Optional<EnvironmentCheck> environmentCheck() {
        return Optional.empty();
    }

    @Override
    void close();
}
