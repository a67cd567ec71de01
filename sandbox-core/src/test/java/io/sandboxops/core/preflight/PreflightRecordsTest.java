package io.sandboxops.core.preflight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import io.sandboxops.core.cloudrun.SessionCredentials;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.testing.LocalTargets;
import io.sandboxops.emulator.LocalCloud;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreflightRecordsTest {

    /** The record the rollout gate trusts sits outside every sandbox's prefix: a sandbox's token cannot forge a pass. */
    @Test
    void theLastPreflightRoundTripsAndASandboxTokenCannotForgeIt() throws Exception {
        Environment local = Environment.local();
        try (LocalCloud cloud = LocalCloud.start(); GoogleClients clients = new GoogleClients(LocalTargets.of(cloud))) {
            clients.storage().create(BucketInfo.of(local.bucket()));
            PreflightRecords records = new PreflightRecords(local, clients);
            assertThat(records.last()).isEmpty();
            PreflightReport failed = new PreflightReport("local", Instant.parse("2026-11-30T05:00:00Z"), "me",
                    List.of(new PreflightCheck("bucket IAM", PreflightCheck.Outcome.FAIL, "lacks storage.objects.get", "apply", Duration.ofMillis(7))));
            records.save(failed);
            assertThat(records.last()).contains(failed);

            PreflightReport forged = new PreflightReport("local", Instant.now(), "sandbox", List.of());
            Storage sandbox = StorageOptions.newBuilder().setProjectId(local.projectId()).setHost(cloud.endpoints().storageHost())
                    .setCredentials(clients.downscoped(SessionCredentials.boundary(local.bucket(), "sbx-attacker"))).build().getService();
            byte[] body = new ObjectMapper().findAndRegisterModules().writeValueAsString(forged).getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> sandbox.create(BlobInfo.newBuilder(BlobId.of(local.bucket(), records.objectName())).build(), body))
                    .isInstanceOf(StorageException.class).satisfies(e -> assertThat(((StorageException) e).getCode()).isEqualTo(403));
            assertThat(records.last()).contains(failed);
        }
    }
}
