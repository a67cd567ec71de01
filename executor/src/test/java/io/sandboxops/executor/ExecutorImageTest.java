package io.sandboxops.executor;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxContractTest;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import io.sandboxops.core.testing.RequiresDocker;
import io.sandboxops.emulator.run.DockerExecutionRunner;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real executor image, {@code sandboxops/executor:latest}, run by the emulator's Docker runner on the host
 * network: what Cloud Run would run, minus Cloud Run. Build the image first with {@code executor/build-image.sh}
 * (CI does); without it the test is skipped, or fails when {@code -Dsandbox.requireDocker=true}. Another tag (an
 * image built from a branch, {@code IMAGE=… executor/build-image.sh}) is tested with {@code -Dsandbox.executorImage=…}
 * or the environment variable {@code SANDBOX_EXECUTOR_IMAGE_UNDER_TEST}.
 */
@RequiresDocker
class ExecutorImageTest {
    static final String IMAGE = System.getProperty("sandbox.executorImage",
            System.getenv().getOrDefault("SANDBOX_EXECUTOR_IMAGE_UNDER_TEST", "sandboxops/executor:latest"));
    private static final Duration T = Duration.ofSeconds(120);
    private static LocalCloudHarness harness;

    @BeforeAll
    static void start() throws IOException {
        requireImage();
        harness = LocalCloudHarness.with(() -> DockerExecutionRunner.connect("host"));
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    static void requireImage() throws IOException {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        try (ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build();
             DockerClient docker = DockerClientImpl.getInstance(config, http)) {
            docker.inspectImageCmd(IMAGE).exec();
        } catch (NotFoundException e) {
            String reason = IMAGE + " is not in the local Docker engine; build it with executor/build-image.sh";
            if (Boolean.getBoolean("sandbox.requireDocker")) {
                throw new AssertionError(reason, e);
            }
            Assumptions.abort(reason);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"once", "session"})
    void theImageRunsCommandsAsTheSandboxUserAndKeepsStateAndFiles(String mode) {
        try (CloudRunJobsSandboxBackend backend = harness.backend(Map.of("SANDBOX_MODE", mode, "SANDBOX_IDLE_TIMEOUT", "2s",
                "SANDBOX_EXECUTOR_IMAGE", IMAGE))) {
            Sandbox sandbox = backend.create(SandboxSpec.newBuilder().build());
            try {
                ExecResult first = sandbox.execStateful("id -u; pwd; mkdir -p sub && cd sub && export COLOR=blue && printf 'kept\\n' > f.txt", "main", T);
                assertThat(first.exitCode()).as(first.stderr()).isZero();
                assertThat(first.stdout()).isEqualTo("1000\n/workspace\n");

                assertThat(sandbox.execStateful("pwd; echo $COLOR; cat f.txt", "main", T).stdout()).isEqualTo("/workspace/sub\nblue\nkept\n");
                assertThat(sandbox.fileRead("/workspace/sub/f.txt", LineRange.all())).isEqualTo("kept\n");
            } finally {
                sandbox.destroy();
            }
        }
    }

    /** The sandbox image's toolbox, which this image is built on: a command that works on Docker works here unchanged. */
    @Test
    void theImageCarriesTheSandboxImagesToolbox() {
        try (CloudRunJobsSandboxBackend backend = harness.backend(Map.of("SANDBOX_MODE", "session", "SANDBOX_IDLE_TIMEOUT", "2s",
                "SANDBOX_EXECUTOR_IMAGE", IMAGE))) {
            Sandbox sandbox = backend.create(SandboxSpec.newBuilder().build());
            try {
                SandboxContractTest.assertToolboxRuns(sandbox);
            } finally {
                sandbox.destroy();
            }
        }
    }
}
