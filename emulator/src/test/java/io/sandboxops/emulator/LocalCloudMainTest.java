package io.sandboxops.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
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
}
