package io.sandboxops.app.env;

import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import io.sandboxops.core.cloudrun.CloudRunSettings;
import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.state.RetryPolicy;
import java.util.HashMap;
import java.util.Map;

/** The Cloud Run Jobs backend of an environment, as sandboxctl and the console open it. */
public final class CloudRunBackends {
    private CloudRunBackends() {
    }

    /**
     * The backend's project, region, state bucket and executor image come from the environment, its endpoints
     * from {@code target}; the rest of its settings (SANDBOX_MODE, SANDBOX_JOB_MEMORY, ...) from the process
     * environment, checked with errors that name the variable.
     */
    public static CloudRunJobsSandboxBackend open(Environment env, CloudTarget target) {
        CloudRunSettings settings = settings(env, target, System.getenv());
        return new CloudRunJobsSandboxBackend(settings, new GoogleClients(settings.target()), true, RetryPolicy.defaults());
    }

    static CloudRunSettings settings(Environment env, CloudTarget target, Map<String, String> processEnv) {
        Map<String, String> vars = new HashMap<>(processEnv);
        vars.put("GCP_PROJECT_ID", env.projectId());
        vars.put("GCP_REGION", env.region());
        vars.put("SANDBOX_STATE_BUCKET", env.bucket());
        if (!env.executorImage().isBlank()) {
            vars.put("SANDBOX_EXECUTOR_IMAGE", env.executorImage());
        }
        target.grpcEndpoint().ifPresentOrElse(g -> vars.put("SANDBOXOPS_EMULATOR_GRPC", g), () -> vars.remove("SANDBOXOPS_EMULATOR_GRPC"));
        target.storageHost().ifPresentOrElse(s -> vars.put("STORAGE_EMULATOR_HOST", s), () -> vars.remove("STORAGE_EMULATOR_HOST"));
        target.localToken().ifPresentOrElse(t -> vars.put("SANDBOXOPS_EMULATOR_TOKEN", t), () -> vars.remove("SANDBOXOPS_EMULATOR_TOKEN"));
        return CloudRunSettings.fromEnvironment(vars);
    }
}
