package io.sandboxops.executor;

import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxContractTest;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link SandboxContractTest} on the Cloud Run Jobs backend, against the emulator running this executor, in
 * both modes: the same test class as Docker's, nothing weakened; opened as the product opens it, observed, its
 * operation events written to the emulator's Cloud Logging.
 */
@RequiresPrivateNamespaces
class CloudRunJobsSandboxContractTest {
    @RegisterExtension
    static final ProcessRunnerCloud localCloud = new ProcessRunnerCloud();

    @Nested
    class OnceMode extends SandboxContractTest {
        private static SandboxBackend backend;

        @Override
        protected SandboxBackend backend() {
            if (backend == null) {
                backend = localCloud.harness().observedBackend(Map.of("SANDBOX_MODE", "once"));
            }
            return backend;
        }

        /**
         * Each command is an execution of its own here (a JVM started, the state restored from the bucket, about a
         * second each), so 2,000 would take over an hour: the session backends (Docker, session mode) carry the 2,000;
         * once mode runs the same grammar and checks on 150.
         */
        @Override
        protected int hostileCommandCount() {
            return 150;
        }
    }

    @Nested
    class SessionMode extends SandboxContractTest {
        private static SandboxBackend backend;

        @Override
        protected SandboxBackend backend() {
            if (backend == null) {
                backend = localCloud.harness().observedBackend(Map.of("SANDBOX_MODE", "session", "SANDBOX_IDLE_TIMEOUT", "20s"));
            }
            return backend;
        }

        /**
         * About 0.45 s a command against the emulator on two shared cores, so the full 2,000 take some 15 minutes, a
         * third of the whole build: the build runs 500 of the same grammar and checks (Docker carries the 2,000), and the
         * full run is {@code ./mvnw -pl executor -am verify -Dtest='CloudRunJobsSandboxContractTest$SessionMode'
         * -Dsandboxops.hostile.count=2000 -Dsurefire.failIfNoSpecifiedTests=false} (docs/SECURITY.md).
         */
        @Override
        protected int hostileCommandCount() {
            return 500;
        }
    }
}
