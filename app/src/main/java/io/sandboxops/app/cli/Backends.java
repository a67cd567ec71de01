package io.sandboxops.app.cli;

import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import io.sandboxops.core.cloudrun.CloudRunSettings;
import io.sandboxops.core.docker.DockerSandboxBackend;
import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.state.RetryPolicy;
import java.util.HashMap;
import java.util.Map;

/** Opens the backend a command names, and the sandbox behind a session id. */
final class Backends {
    static final String DOCKER = DockerSandboxBackend.NAME;
    static final String CLOUDRUN = CloudRunJobsSandboxBackend.NAME;

    private Backends() {
    }

    /**
     * @param environment where a Cloud Run backend's project, region, bucket and executor image come from (the
     *                    local Docker engine is the same for every environment)
     */
    static SandboxBackend open(String name, EnvironmentOption environment) {
        if (DOCKER.equals(name)) {
            return DockerSandboxBackend.fromEnvironment();
        }
        if (CLOUDRUN.equals(name)) {
            CloudRunSettings settings = cloudRunSettings(environment.environment());
            return new CloudRunJobsSandboxBackend(settings, new GoogleClients(settings.target()), true, RetryPolicy.defaults());
        }
        throw new SandboxInvalidInputException("unknown backend \"" + name + "\"; use " + DOCKER + " or " + CLOUDRUN);
    }

    /**
     * The Cloud Run backend's settings for an environment: its project, region, bucket and image, then whatever
     * the process environment adds (SANDBOX_MODE, SANDBOX_JOB_MEMORY, ...), checked with errors that name the variable.
     */
    static CloudRunSettings cloudRunSettings(Environment env) {
        Map<String, String> vars = new HashMap<>(System.getenv());
        vars.put("GCP_PROJECT_ID", env.projectId());
        vars.put("GCP_REGION", env.region());
        vars.put("SANDBOX_STATE_BUCKET", env.bucket());
        if (!env.executorImage().isBlank()) {
            vars.put("SANDBOX_EXECUTOR_IMAGE", env.executorImage());
        }
        CloudTarget target = EnvironmentOption.target(env);
        target.grpcEndpoint().ifPresentOrElse(g -> vars.put("SANDBOXOPS_EMULATOR_GRPC", g), () -> vars.remove("SANDBOXOPS_EMULATOR_GRPC"));
        target.storageHost().ifPresentOrElse(s -> vars.put("STORAGE_EMULATOR_HOST", s), () -> vars.remove("STORAGE_EMULATOR_HOST"));
        return CloudRunSettings.fromEnvironment(vars);
    }

    /** The session's sandbox; a CLI session is one sandbox whose first shell session has the same id. */
    static Sandbox sandbox(SandboxBackend backend, String sessionId) {
        return backend.get(sessionId);
    }
}
