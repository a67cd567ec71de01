package io.sandboxops.core.env;

import io.sandboxops.core.testing.LocalTargets;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
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
}
