package io.sandboxops.app.env;

import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import io.sandboxops.core.cloudrun.CloudRunSettings;
import io.sandboxops.core.docker.DockerSandboxBackend;
import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.observe.CloudLoggingEventSink;
import io.sandboxops.core.observe.ObservedSandboxBackend;
import io.sandboxops.core.observe.SandboxEventSink;
import io.sandboxops.core.state.RetryPolicy;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The backends as sandboxctl, the console and the benchmarks open them: always observed, so each operation on a
 * sandbox becomes one client event ({@link ObservedSandboxBackend}) in the Cloud Logging of the environment worked on.
 */
public final class SandboxBackends {
    private SandboxBackends() {
    }

    /**
     * The Cloud Run Jobs backend of an environment. Its project, region, state bucket and executor image come from the
     * environment, its endpoints from {@code target}; the rest of its settings (SANDBOX_MODE, SANDBOX_JOB_MEMORY, ...)
     * from the process environment, checked with errors that name the variable. Its events go to {@code target}.
     */
    public static SandboxBackend cloudRun(Environment env, CloudTarget target) {
        CloudRunSettings settings = settings(env, target, System.getenv());
        return observe(new CloudRunJobsSandboxBackend(settings, new GoogleClients(settings.target()), true, RetryPolicy.defaults()),
                Optional.of(target));
    }

    /**
     * The local Docker engine's backend ({@code DOCKER_HOST}, {@code SANDBOX_IMAGE}); its events go to {@code events},
     * or nowhere when no Cloud environment is at hand (plain Docker use: no emulator running, no GCP environment).
     */
    public static SandboxBackend docker(Optional<CloudTarget> events) {
        return observe(DockerSandboxBackend.fromEnvironment(), events);
    }

    /** {@code backend} observed, its events to the Cloud Logging of {@code events}, or nowhere; the sink closes with it. */
    public static SandboxBackend observe(SandboxBackend backend, Optional<CloudTarget> events) {
        SandboxEventSink sink = events.<SandboxEventSink>map(CloudLoggingEventSink::new).orElseGet(SandboxEventSink::discard);
        return ObservedSandboxBackend.observe(backend, sink, true);
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
