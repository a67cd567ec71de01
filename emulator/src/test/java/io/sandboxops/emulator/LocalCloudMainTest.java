package io.sandboxops.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.rpc.PermissionDeniedException;
import com.google.cloud.run.v2.JobsClient;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import io.sandboxops.emulator.faults.LatencyProfile;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCloudMainTest {

    @Test
    void optionsBecomeAConfiguration(@TempDir Path dir) {
        LocalCloudConfig config = LocalCloudMain.parseOptions("--data-dir", dir.toString(), "--port", "9100",
                "--project", "demo", "--runner", "process", "--process-command", "java -jar executor.jar",
                "--revision-ready-delay", "0");
        assertThat(config.dataDir()).isEqualTo(dir);
        assertThat(config.grpcPort()).isEqualTo(9100);
        assertThat(config.storagePort()).isEqualTo(9101);
        assertThat(config.projectId()).isEqualTo("demo");
        assertThat(config.revisionReadyDelay()).isEqualTo(Duration.ZERO);
        assertThat(config.runner().get().name()).isEqualTo("process (java -jar executor.jar)");
    }

    @Test
    void badOptionsAreRefusedWithAReason() {
        assertThatThrownBy(() -> LocalCloudMain.parseOptions("--port")).hasMessageContaining("Missing value after --port");
        assertThatThrownBy(() -> LocalCloudMain.parseOptions("--port", "http")).hasMessageContaining("needs a number");
        assertThatThrownBy(() -> LocalCloudMain.parseOptions("--runner", "k8s")).hasMessageContaining("docker or process");
        assertThatThrownBy(() -> LocalCloudMain.parseOptions("--colour", "red")).hasMessageContaining("Unknown option --colour");
    }

    @Test
    void theProcessRunnerWithoutACommandIsRefusedAtStartNotAtEveryExecution() {
        // A job's container names an image, rarely a command: every task would fail to start, and nothing said so.
        assertThatThrownBy(() -> LocalCloudMain.parseOptions("--runner", "process"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--runner process needs --process-command")
                .hasMessageContaining("--runner docker");
    }

    @Test
    void theLocalCloudListensOnTheRequestedPorts(@TempDir Path dir) throws Exception {
        int grpc;
        int storage;
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            grpc = a.getLocalPort();
            storage = b.getLocalPort();
        }
        LocalCloudConfig config = LocalCloudMain.parseOptions("--data-dir", dir.toString(), "--runner", "process",
                "--process-command", "true", "--port", String.valueOf(grpc), "--storage-port", String.valueOf(storage));
        try (LocalCloud cloud = LocalCloud.start(config)) {
            assertThat(cloud.endpoints().grpcTarget()).isEqualTo("127.0.0.1:" + grpc);
            assertThat(cloud.endpoints().storageHost()).isEqualTo("http://127.0.0.1:" + storage);
            assertThat(cloud.endpoints().describe()).contains("127.0.0.1:" + grpc, "credentials: Authorization: Bearer <access token>")
                    .doesNotContain(cloud.endpoints().accessToken());
        }
    }

    @Test
    void faultsFromTheCommandLineHappenThroughTheOfficialClients(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("faults.txt"), """
                # the control plane refuses one GetJob
                google.cloud.run.v2.Jobs/GetJob:error=PERMISSION_DENIED:times=1
                """);
        LocalCloudConfig config = LocalCloudMain.parseOptions("--data-dir", dir.resolve("data").toString(), "--runner", "process",
                "--process-command", "true", "--fault", "storage.objects.get:error=403:times=1",
                "--fault", "storage.objects.list:latency=300ms", "--faults", file.toString());
        assertThat(config.faults()).hasSize(3);
        try (LocalCloud cloud = LocalCloud.start(config); Storage storage = CloudClients.storage(cloud.endpoints());
             JobsClient jobs = CloudClients.jobs(cloud.endpoints())) {
            storage.create(BucketInfo.of("cli-faults"));
            storage.create(BlobInfo.newBuilder("cli-faults", "x").build(), new byte[] {1});
            assertThatThrownBy(() -> storage.get(BlobId.of("cli-faults", "x")))
                    .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getCode()).isEqualTo(403));
            assertThat(storage.get(BlobId.of("cli-faults", "x")).getSize()).isEqualTo(1);
            long t0 = System.nanoTime();
            storage.list("cli-faults");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThatThrownBy(() -> jobs.getJob(cloud.endpoints().locationName() + "/jobs/none"))
                    .isInstanceOf(PermissionDeniedException.class);
            assertThat(cloud.faults().injectedErrors()).containsEntry("storage.objects.get", 1L)
                    .containsEntry("google.cloud.run.v2.Jobs/GetJob", 1L);
        }
    }

    @Test
    void badFaultSpecsAreRefusedSayingWhatIsWrongWithAnExample(@TempDir Path dir) throws Exception {
        assertBadFault("storage.objects.get:error=502", "error=502 is not an HTTP status the emulator maps");
        assertBadFault("storage.objects.get:error=SLOW", "error=SLOW is neither an HTTP status nor a gRPC code");
        assertBadFault("storage.objects.get:probability=2:error=503", "probability must be in [0, 1]");
        assertBadFault("storage.objects.get:probability=often:error=503", "probability must be a number");
        assertBadFault("storage.objects.get:times=0:error=503", "times must be at least 1");
        assertBadFault("storage.objects.get:latency=soon", "latency must be a duration such as 200ms");
        assertBadFault("storage.objects.get:colour=red", "unknown key \"colour\"");
        assertBadFault("storage.objects.get:503", "\"503\" is not key=value");
        assertBadFault("storage.objects.get", "neither error= nor latency=");
        assertBadFault(":error=503", "it names no method");
        Path file = Files.writeString(dir.resolve("faults.txt"), "storage.objects.get:error=503\nstorage.objects.list:error=\n");
        assertThatThrownBy(() -> LocalCloudMain.parseOptions("--faults", file.toString()))
                .hasMessageContaining("--faults " + file + " line 2: Bad --fault");
        assertThatThrownBy(() -> LocalCloudMain.parseOptions("--faults", dir.resolve("missing").toString()))
                .hasMessageContaining("cannot read it");
    }

    private static void assertBadFault(String spec, String reason) {
        assertThatThrownBy(() -> LocalCloudMain.parseOptions("--fault", spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Bad --fault \"" + spec + "\"")
                .hasMessageContaining(reason)
                .hasMessageContaining("Example: storage.objects.get:error=503:probability=0.1");
    }

    @Test
    void theGcpRegionalProfileStartsAndAnswersUnderItsLatency(@TempDir Path dir) throws Exception {
        LocalCloudConfig config = LocalCloudMain.parseOptions("--data-dir", dir.toString(), "--runner", "process",
                "--process-command", "true", "--latency-profile", "gcp-regional", "--latency-seed", "11");
        assertThat(config.latencyProfile().name()).isEqualTo("gcp-regional");
        assertThat(config.latencySeed()).isEqualTo(11);
        try (LocalCloud cloud = LocalCloud.start(config); Storage storage = CloudClients.storage(cloud.endpoints())) {
            assertThat(cloud.faults().profile().name()).isEqualTo("gcp-regional");
            storage.create(BucketInfo.of("regional"));
            storage.create(BlobInfo.newBuilder("regional", "x").build(), new byte[] {1});
            assertThat(storage.readAllBytes(BlobId.of("regional", "x"))).containsExactly(1);
        }
        assertThatThrownBy(() -> LocalCloudMain.parseOptions("--latency-profile", "gcp-moon"))
                .hasMessageContaining("neither a built-in profile (none, gcp-regional) nor a readable file");
        assertThat(LocalCloudMain.parseOptions().latencyProfile()).isSameAs(LatencyProfile.NONE);
    }
}
