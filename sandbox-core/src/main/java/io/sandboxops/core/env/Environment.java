package io.sandboxops.core.env;

import io.sandboxops.core.api.SandboxInvalidInputException;
import java.util.Objects;
import java.util.Optional;

/**
 * A named place the console and CLI work on (DESIGN §8): {@code local} (the local Docker engine and the
 * embedded emulator) or a GCP project with Application Default Credentials.
 *
 * @param name          e.g. {@code local}, {@code staging}, {@code prod}
 * @param kind          local or GCP
 * @param projectId     {@code GCP_PROJECT_ID}
 * @param region        {@code GCP_REGION}
 * @param service       the agent backend's Cloud Run service, whose env vars the rollout controller writes
 * @param bucket        {@code SANDBOX_STATE_BUCKET}
 * @param executorImage {@code SANDBOX_EXECUTOR_IMAGE}
 * @param jobNamePrefix the prefix of the sandbox jobs' names, to scope metrics; empty for every job in the region
 * @param production    a red banner, and every write needs the service name typed to confirm
 * @param readOnly      every write is refused
 * @param pool          the warm-pool sizes it asks for ({@link PoolSizes#resolve} says which size a backend gets)
 */
public record Environment(String name, Kind kind, String projectId, String region, String service, String bucket,
                          String executorImage, String jobNamePrefix, boolean production, boolean readOnly, PoolSizes pool) {

    public enum Kind { LOCAL, GCP }

    public static final String LOCAL = "local";

    public Environment {
        Objects.requireNonNull(kind, "kind");
        require(name, "name", name);
        require(projectId, "project", name);
        require(region, "region", name);
        require(service, "service", name);
        bucket = bucket == null || bucket.isBlank() ? projectId + "-sandbox-sessions" : bucket;
        executorImage = executorImage == null ? "" : executorImage;
        jobNamePrefix = jobNamePrefix == null ? "" : jobNamePrefix;
        pool = pool == null ? PoolSizes.unset() : pool;
    }

    /** An environment that sets no pool size. */
    public Environment(String name, Kind kind, String projectId, String region, String service, String bucket, String executorImage,
                       String jobNamePrefix, boolean production, boolean readOnly) {
        this(name, kind, projectId, region, service, bucket, executorImage, jobNamePrefix, production, readOnly, PoolSizes.unset());
    }

    /** This environment with other pool sizes. */
    public Environment withPool(PoolSizes sizes) {
        return new Environment(name, kind, projectId, region, service, bucket, executorImage, jobNamePrefix, production, readOnly, sizes);
    }

    /** This environment with another executor image (a Cloud Run backend runs one image). */
    public Environment withExecutorImage(String image) {
        return new Environment(name, kind, projectId, region, service, bucket, image, jobNamePrefix, production, readOnly, pool);
    }

    private static void require(String value, String field, String env) {
        if (value == null || value.isBlank()) {
            throw new SandboxInvalidInputException("environment \"" + (env == null ? "" : env) + "\": \"" + field + "\" is required");
        }
    }

    /** The default: the emulator's project and region, the original plan's service name. */
    public static Environment local() {
        return new Environment(LOCAL, Kind.LOCAL, "local-project", "us-central1", "manus-backend", "local-project-sandbox-sessions",
                "sandboxops/executor:latest", "", false, false);
    }

    /** Google's endpoints with Application Default Credentials; for a GCP environment. */
    public CloudTarget googleTarget() {
        if (kind != Kind.GCP) {
            throw new IllegalStateException("environment " + name + " is local: its endpoints are the emulator's");
        }
        return CloudTarget.google(projectId, region);
    }

    /** The emulator's endpoints and its per-run token; for the local environment once the emulator runs. */
    public CloudTarget localTarget(String grpcEndpoint, String storageHost, String accessToken) {
        return CloudTarget.plaintext(projectId, region, grpcEndpoint, storageHost, accessToken);
    }

    /**
     * Checks that a write may go ahead: refused on a read-only environment; on a production one, only with the
     * service name typed (or passed as {@code --confirm NAME}).
     *
     * @throws SandboxInvalidInputException saying what is missing
     */
    public void requireWritable(Optional<String> typedConfirmation) {
        if (readOnly) {
            throw new SandboxInvalidInputException("environment " + name + " is read-only: writes are refused and nothing was changed; "
                    + "use a writable environment for this");
        }
        if (production && !typedConfirmation.map(String::trim).filter(service::equals).isPresent()) {
            throw new SandboxInvalidInputException("environment " + name + " is production: type the service name \"" + service
                    + "\" to confirm" + typedConfirmation.filter(t -> !t.isBlank()).map(t -> " (got \"" + t + "\")").orElse("")
                    + ", or pass --confirm " + service);
        }
    }
}
