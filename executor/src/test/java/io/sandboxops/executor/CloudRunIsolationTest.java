package io.sandboxops.executor;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link CloudRunIsolationContract} with the executor as local processes, each in its own namespaces as uid 1000. */
@RequiresPrivateNamespaces
class CloudRunIsolationTest extends CloudRunIsolationContract {
    private static LocalCloudHarness harness;

    @BeforeAll
    static void start() {
        harness = LocalCloudHarness.withProcessRunner();
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
}
