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
 * @param localToken          present for a local stand-in: its endpoints speak plaintext and take this bearer token
 *                            (the emulator's per-run token); empty: TLS with Application Default Credentials
 * @param operationPollInitial first wait before polling a long-running operation
 * @param operationPollMax     longest wait between polls
 */
public record CloudTarget(String projectId, String region, Optional<String> grpcEndpoint, Optional<String> storageHost,
                          Optional<String> localToken, Duration operationPollInitial, Duration operationPollMax) {

    public CloudTarget {
        Objects.requireNonNull(grpcEndpoint, "grpcEndpoint");
        Objects.requireNonNull(storageHost, "storageHost");
        Objects.requireNonNull(localToken, "localToken");
        if (localToken.isPresent() && localToken.get().isBlank()) {
            throw new SandboxInvalidInputException("the local cloud's access token is empty; start the emulator again "
                    + "(`sandboxctl emulator start`) and use the token it prints");
        }
        if (projectId == null || projectId.isBlank()) {
            throw new SandboxInvalidInputException("a GCP project id is required (GCP_PROJECT_ID)");
        }
        if (region == null || region.isBlank()) {
            throw new SandboxInvalidInputException("a Cloud Run region is required (GCP_REGION)");
        }
    }

    /** Google's own endpoints with Application Default Credentials. */
    public static CloudTarget google(String projectId, String region) {
        return new CloudTarget(projectId, region, Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofSeconds(1),
                Duration.ofSeconds(10));
    }

    /**
     * A local stand-in on loopback: plaintext endpoints that take {@code accessToken} (the emulator's per-run token) as a
     * bearer token, polled briskly.
     */
    public static CloudTarget plaintext(String projectId, String region, String grpcEndpoint, String storageHost, String accessToken) {
        return new CloudTarget(projectId, region, Optional.of(grpcEndpoint), Optional.of(storageHost),
                Optional.of(Objects.requireNonNull(accessToken, "accessToken")), Duration.ofMillis(50), Duration.ofMillis(500));
    }

    /** Whether this is a local stand-in (plaintext, its own token) rather than Google behind TLS and ADC. */
    public boolean local() {
        return localToken.isPresent();
    }

    /** The token stays out of logs and messages. */
    @Override
    public String toString() {
        return "CloudTarget[" + projectId + ", " + region + grpcEndpoint.map(e -> ", " + e).orElse("")
                + storageHost.map(h -> ", " + h).orElse("") + (local() ? ", token ***" : ", ADC") + "]";
    }

    /**
     * The target the process environment names: {@code GCP_PROJECT_ID} and {@code GCP_REGION}, and the emulator's
     * endpoints and token when {@code SANDBOXOPS_EMULATOR_GRPC} and {@code STORAGE_EMULATOR_HOST} are both set
     * ({@code SANDBOXOPS_EMULATOR_TOKEN} then too).
     *
     * @throws SandboxInvalidInputException naming what is missing or half set
     */
    public static CloudTarget fromEnvironment(java.util.Map<String, String> env) {
        String project = env.get("GCP_PROJECT_ID");
        String region = env.get("GCP_REGION");
        String grpc = env.get("SANDBOXOPS_EMULATOR_GRPC");
        String storage = env.get("STORAGE_EMULATOR_HOST");
        if (grpc != null && storage != null) {
            String token = env.get("SANDBOXOPS_EMULATOR_TOKEN");
            if (token == null || token.isBlank()) {
                throw new SandboxInvalidInputException("SANDBOXOPS_EMULATOR_TOKEN is not set; the emulator takes the token it printed "
                        + "when it started");
            }
            return plaintext(project, region, grpc, storage, token);
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
