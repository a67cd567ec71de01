package io.sandboxops.core.env;

import io.sandboxops.core.api.SandboxInvalidInputException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the Google APIs are: a project and region, and optionally other endpoints than Google's (a private
 * endpoint, a proxy, a local stand-in). The core does not care which: the same clients are built either way.
 *
 * @param projectId           the GCP project
 * @param region              the Cloud Run region, e.g. {@code europe-west1}
 * @param grpcEndpoint        {@code host:port} for Cloud Run Admin, Monitoring and Logging; empty for Google's
 * @param storageHost         base URL of the Cloud Storage JSON API; empty for Google's
 * @param plaintextNoCredentials whether the endpoints speak plaintext and take no credentials (a local
 *                            stand-in); otherwise TLS with Application Default Credentials
 * @param operationPollInitial first wait before polling a long-running operation
 * @param operationPollMax     longest wait between polls
 */
public record CloudTarget(String projectId, String region, Optional<String> grpcEndpoint, Optional<String> storageHost,
                          boolean plaintextNoCredentials, Duration operationPollInitial, Duration operationPollMax) {

    public CloudTarget {
        Objects.requireNonNull(grpcEndpoint, "grpcEndpoint");
        Objects.requireNonNull(storageHost, "storageHost");
        if (projectId == null || projectId.isBlank()) {
            throw new SandboxInvalidInputException("a GCP project id is required (GCP_PROJECT_ID)");
        }
        if (region == null || region.isBlank()) {
            throw new SandboxInvalidInputException("a Cloud Run region is required (GCP_REGION)");
        }
    }

    /** Google's own endpoints with Application Default Credentials. */
    public static CloudTarget google(String projectId, String region) {
        return new CloudTarget(projectId, region, Optional.empty(), Optional.empty(), false, Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    /** Other endpoints, plaintext and without credentials, polled briskly: a local stand-in on loopback. */
    public static CloudTarget plaintext(String projectId, String region, String grpcEndpoint, String storageHost) {
        return new CloudTarget(projectId, region, Optional.of(grpcEndpoint), Optional.of(storageHost), true,
                Duration.ofMillis(50), Duration.ofMillis(500));
    }

    /**
     * The target the process environment names: {@code GCP_PROJECT_ID} and {@code GCP_REGION}, and the emulator's
     * endpoints when {@code SANDBOXOPS_EMULATOR_GRPC} and {@code STORAGE_EMULATOR_HOST} are both set.
     *
     * @throws SandboxInvalidInputException naming what is missing or half set
     */
    public static CloudTarget fromEnvironment(java.util.Map<String, String> env) {
        String project = env.get("GCP_PROJECT_ID");
        String region = env.get("GCP_REGION");
        String grpc = env.get("SANDBOXOPS_EMULATOR_GRPC");
        String storage = env.get("STORAGE_EMULATOR_HOST");
        if (grpc != null && storage != null) {
            return plaintext(project, region, grpc, storage);
        } else if (grpc != null || storage != null) {
            throw new SandboxInvalidInputException("set both SANDBOXOPS_EMULATOR_GRPC and STORAGE_EMULATOR_HOST to use the emulator, or neither");
        }
        return google(project, region);
    }

    /** {@code projects/{project}/locations/{region}}, the parent of jobs and services. */
    public String locationName() {
        return "projects/" + projectId + "/locations/" + region;
    }
}
