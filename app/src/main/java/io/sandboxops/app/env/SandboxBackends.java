package io.sandboxops.app.env;

import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import io.sandboxops.core.cloudrun.CloudRunSettings;
import io.sandboxops.core.docker.DockerSandboxBackend;
import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.env.PoolSize;
import io.sandboxops.core.env.PoolSizes;
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
        return cloudRun(env, target, poolSize(CloudRunJobsSandboxBackend.NAME, env).size());
    }

    /**
     * As {@link #cloudRun(Environment, CloudTarget)} with a warm pool of {@code poolSize} idle workers instead of the
     * configured size (0: none; the environment check's canary passes 0). The pool starts with the first session
     * created, or with {@link #cloudRunKeepingPool}; until then the backend only reads it.
     */
    public static SandboxBackend cloudRun(Environment env, CloudTarget target, int poolSize) {
        return observe(cloudRunUnobserved(env, target, Map.of(), poolSize), Optional.of(target));
    }

    /**
     * As {@link #cloudRun(Environment, CloudTarget)}, its pool filled from now on rather than from the first session:
     * for a client that stays (the console), so the first session it creates already finds an idle worker.
     */
    public static SandboxBackend cloudRunKeepingPool(Environment env, CloudTarget target) {
        CloudRunJobsSandboxBackend backend = cloudRunUnobserved(env, target, Map.of(), poolSize(CloudRunJobsSandboxBackend.NAME, env).size());
        backend.startPool();
        return observe(backend, Optional.of(target));
    }

    /**
     * The Cloud Run Jobs backend itself, unobserved, for a benchmark that needs its own calls (the start benchmark).
     *
     * @param overrides settings that replace the process environment's (e.g. {@code SANDBOX_MODE=session})
     */
    public static CloudRunJobsSandboxBackend cloudRunUnobserved(Environment env, CloudTarget target, Map<String, String> overrides, int poolSize) {
        Map<String, String> vars = new HashMap<>(System.getenv());
        vars.putAll(overrides);
        CloudRunSettings settings = settings(env, target, vars, poolSize);
        return new CloudRunJobsSandboxBackend(settings, new GoogleClients(settings.target()), true, RetryPolicy.defaults());
    }

    /**
     * The local Docker engine's backend ({@code DOCKER_HOST}, {@code SANDBOX_IMAGE}), its events to {@code events} or
     * nowhere when no Cloud environment is at hand (plain Docker use), keeping a warm pool of {@code poolSize}
     * containers (0: none, and it still claims from a pool another client keeps) whatever {@code SANDBOX_POOL_DOCKER}
     * says: the caller resolved the size ({@link #poolSize}). A pool above 0 starts filling at once; its idle containers
     * are removed when the backend closes.
     */
    public static SandboxBackend docker(Optional<CloudTarget> events, int poolSize) {
        return observe(DockerSandboxBackend.fromEnvironment(poolSize), events);
    }

    /**
     * The warm-pool size {@code backend} is opened with in {@code env}: {@code SANDBOX_POOL_DOCKER} /
     * {@code SANDBOX_POOL_CLOUDRUN}, else the environment's {@code pool}, else 0 ({@link PoolSizes#resolve}).
     */
    public static PoolSize poolSize(String backend, Environment env) {
        return PoolSizes.resolve(backend, env, System.getenv());
    }

    /** {@code backend} observed, its events to the Cloud Logging of {@code events}, or nowhere; the sink closes with it. */
    public static SandboxBackend observe(SandboxBackend backend, Optional<CloudTarget> events) {
        SandboxEventSink sink = events.<SandboxEventSink>map(CloudLoggingEventSink::new).orElseGet(SandboxEventSink::discard);
        return ObservedSandboxBackend.observe(backend, sink, true);
    }

    static CloudRunSettings settings(Environment env, CloudTarget target, Map<String, String> processEnv, int poolSize) {
        Map<String, String> vars = new HashMap<>(processEnv);
        // The size as resolved here (variable, environment, default) is the one the settings read.
        vars.put(PoolSizes.variable(CloudRunJobsSandboxBackend.NAME), String.valueOf(poolSize));
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
