package io.sandboxops.executor;

import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxContractTest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * {@link SandboxContractTest} on the Cloud Run Jobs backend, against the emulator running this executor, in
 * both modes: the same test class as Docker's, nothing weakened; opened as the product opens it, observed, its
 * operation events written to the emulator's Cloud Logging.
 */
@RequiresPrivateNamespaces
class CloudRunJobsSandboxContractTest {
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

    @Nested
    class OnceMode extends SandboxContractTest {
        private static SandboxBackend backend;

        @Override
        protected SandboxBackend backend() {
            if (backend == null) {
                backend = harness.observedBackend(Map.of("SANDBOX_MODE", "once"));
            }
            return backend;
        }
    }

    @Nested
    class SessionMode extends SandboxContractTest {
        private static SandboxBackend backend;

        @Override
        protected SandboxBackend backend() {
            if (backend == null) {
                backend = harness.observedBackend(Map.of("SANDBOX_MODE", "session", "SANDBOX_IDLE_TIMEOUT", "20s"));
            }
            return backend;
        }
    }
}
