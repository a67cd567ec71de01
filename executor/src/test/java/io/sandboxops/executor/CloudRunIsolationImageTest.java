package io.sandboxops.executor;

import io.sandboxops.core.testing.RequiresDocker;
import io.sandboxops.emulator.run.DockerExecutionRunner;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link CloudRunIsolationContract} with the real executor image ({@link ExecutorImageTest#IMAGE}) under the emulator's
 * Docker runner: each session a container, as on Cloud Run.
 */
@RequiresDocker
class CloudRunIsolationImageTest extends CloudRunIsolationContract {
    private static LocalCloudHarness harness;

    @BeforeAll
    static void start() throws IOException {
        ExecutorImageTest.requireImage();
        harness = LocalCloudHarness.with(() -> DockerExecutionRunner.connect("host"));
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Override
    LocalCloudHarness harness() {
        return harness;
    }

    @Override
    Map<String, String> settings() {
        return Map.of("SANDBOX_EXECUTOR_IMAGE", ExecutorImageTest.IMAGE);
    }
}
