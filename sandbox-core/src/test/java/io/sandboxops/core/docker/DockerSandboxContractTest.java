package io.sandboxops.core.docker;

import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxContractTest;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.testing.RequiresDocker;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link SandboxContractTest} on a real Docker engine. */
@RequiresDocker
class DockerSandboxContractTest extends SandboxContractTest {
    private static final String RUN = UUID.randomUUID().toString();
    private static DockerSandboxBackend backend;

    @BeforeAll
    static void connect() {
        backend = DockerSandboxBackend.fromEnvironment();
    }

    @AfterAll
    static void sweep() {
        if (backend != null) {
            // Whatever a failed test left behind; created-now sandboxes of other runs are spared by the label.
            backend.list().stream().filter(s -> RUN.equals(s.labels().get("test-run")))
                    .forEach(s -> backend.get(s.id()).destroy());
            backend.close();
        }
    }

    @Override
    protected SandboxBackend backend() {
        return backend;
    }

    @Override
    protected SandboxSpec.Builder spec() {
        return SandboxSpec.newBuilder().label("test-run", RUN);
    }


}
