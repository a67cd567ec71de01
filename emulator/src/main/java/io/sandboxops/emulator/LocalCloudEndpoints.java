package io.sandboxops.emulator;

/**
 * How a client reaches a running {@link LocalCloud}: every gRPC API (Cloud Run Admin v2, the
 * long-running Operations, Cloud Monitoring v3, Cloud Logging v2) on one plaintext port, and the Cloud
 * Storage JSON API over HTTP on another, every one of them behind the per-run bearer token {@link #accessToken()}.
 *
 * <p>For the Google clients: {@code setEndpoint(grpcTarget())} with a plaintext channel
 * ({@code usePlaintext()}) and an {@code OAuth2Credentials} of that token (gRPC refuses {@code GoogleCredentials} on a
 * plaintext channel); for Storage, {@code StorageOptions.newBuilder().setHost(storageHost()).setProjectId(projectId())}
 * with the same credentials.
 *
 * @param host        the loopback address every endpoint listens on
 * @param grpcPort    the port of the gRPC APIs
 * @param storagePort the port of the Cloud Storage JSON API
 * @param projectId   the project the emulator answers for (any project id is accepted)
 * @param location    the Cloud Run region used in resource names
 * @param accessToken the per-run bearer token every API requires (a secret: {@link #toString()} masks it)
 */
public record LocalCloudEndpoints(String host, int grpcPort, int storagePort, String projectId, String location,
                                  String accessToken) {

    /** Always true: the emulator speaks plaintext HTTP/2 and plain HTTP only. */
    public boolean plaintext() {
        return true;
    }

    /** {@code host:port} of the gRPC APIs, the form {@code setEndpoint} takes. */
    public String grpcTarget() {
        return host + ":" + grpcPort;
    }

    /** Base URL of the Cloud Storage JSON API, the form {@code StorageOptions.Builder.setHost} takes. */
    public String storageHost() {
        return "http://" + host + ":" + storagePort;
    }

    /** {@code projects/{project}/locations/{location}}, the parent of jobs and services. */
    public String locationName() {
        return "projects/" + projectId + "/locations/" + location;
    }

    /** One line per endpoint, as {@code LocalCloudMain} prints them. */
    public String describe() {
        return String.join(System.lineSeparator(),
                "Cloud Run Admin v2 (gRPC, plaintext): " + grpcTarget(),
                "Operations         (gRPC, plaintext): " + grpcTarget(),
                "Cloud Monitoring v3 (gRPC, plaintext): " + grpcTarget(),
                "Cloud Logging v2   (gRPC, plaintext): " + grpcTarget(),
                "Cloud Storage JSON API (HTTP):        " + storageHost(),
                "project: " + projectId + "   location: " + location + "   credentials: Authorization: Bearer <access token>");
    }

    @Override
    public String toString() {
        return "LocalCloudEndpoints[" + grpcTarget() + ", " + storageHost() + ", " + projectId + ", " + location + ", token ***]";
    }
}
