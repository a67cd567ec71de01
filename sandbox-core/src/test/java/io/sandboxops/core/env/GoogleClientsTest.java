package io.sandboxops.core.env;

import io.sandboxops.core.testing.LocalTargets;
import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.auth.oauth2.CredentialAccessBoundary;
import com.google.auth.oauth2.OAuth2Credentials;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudEndpoints;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The clients the core builds reach any endpoint given, here the emulator's. */
class GoogleClientsTest {

    static CloudTarget target(LocalCloud cloud) {
        LocalCloudEndpoints e = cloud.endpoints();
        return LocalTargets.of(e);
    }

    @Test
    void clientsReachTheTargetEndpoints() {
        try (LocalCloud cloud = LocalCloud.start(); GoogleClients clients = new GoogleClients(target(cloud))) {
            clients.storage().create(BucketInfo.of("state"));
            clients.storage().create(BlobInfo.newBuilder(BlobId.of("state", "a.txt")).build(), "hi".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(clients.storage().readAllBytes(BlobId.of("state", "a.txt")), StandardCharsets.UTF_8)).isEqualTo("hi");
            assertThat(clients.jobs().listJobs(clients.target().locationName()).iterateAll()).isEmpty();
            assertThat(clients.services().listServices(clients.target().locationName()).iterateAll()).isEmpty();
        }
    }

    @Test
    void downscopedCredentialsReachOnlyTheirBoundaryThroughTheTargetsTokenExchange() throws Exception {
        try (LocalCloud cloud = LocalCloud.start(); GoogleClients clients = new GoogleClients(target(cloud))) {
            clients.storage().create(BucketInfo.of("state"));
            clients.storage().create(BlobInfo.newBuilder(BlobId.of("state", "sessions/a/x")).build(), "a".getBytes(StandardCharsets.UTF_8));
            clients.storage().create(BlobInfo.newBuilder(BlobId.of("state", "sessions/b/x")).build(), "b".getBytes(StandardCharsets.UTF_8));
            CredentialAccessBoundary boundary = CredentialAccessBoundary.newBuilder().addRule(
                    CredentialAccessBoundary.AccessBoundaryRule.newBuilder()
                            .setAvailableResource("//storage.googleapis.com/projects/_/buckets/state")
                            .addAvailablePermission("inRole:roles/storage.objectViewer")
                            .setAvailabilityCondition(CredentialAccessBoundary.AccessBoundaryRule.AvailabilityCondition.newBuilder()
                                    .setExpression("resource.name.startsWith('projects/_/buckets/state/objects/sessions/a/')").build())
                            .build()).build();

            OAuth2Credentials credentials = clients.downscoped(boundary);

            assertThat(credentials.getRequestMetadata().get("Authorization").get(0))
                    .startsWith("Bearer ").doesNotContain(clients.target().localToken().orElseThrow());
            try (Storage session = StorageOptions.newBuilder().setProjectId(cloud.endpoints().projectId())
                    .setHost(cloud.endpoints().storageHost()).setCredentials(credentials).build().getService()) {
                assertThat(session.readAllBytes(BlobId.of("state", "sessions/a/x"))).isEqualTo("a".getBytes(StandardCharsets.UTF_8));
                assertThatThrownBy(() -> session.readAllBytes(BlobId.of("state", "sessions/b/x")))
                        .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getCode()).isEqualTo(403));
            }
        }
    }
}
