package io.sandboxops.app.env;

import io.sandboxops.core.docker.DockerEngine;
import io.sandboxops.core.docker.DockerSandboxBackend;
import io.sandboxops.core.shell.ShellSession;
import java.util.Optional;

/**
 * Opens the Docker backend with a pool size resolved here ({@link io.sandboxops.core.env.PoolSizes#resolve}: the
 * variable, else the environment's {@code pool}, else 0). {@link DockerSandboxBackend#fromEnvironment()} sets the size
 * from {@code SANDBOX_POOL_DOCKER} alone, and a size above 0 starts filling at once; a verb that must fill nothing
 * (pool status) could not undo that in time. So the backend is built as {@code fromEnvironment} builds it, with the
 * size given. For the lead: once the core has {@code fromEnvironment(int poolSize)}, this class becomes that call.
 */
final class DockerPoolAdapter {
    private DockerPoolAdapter() {
    }

    static DockerSandboxBackend open(int poolSize) {
        String image = System.getenv().getOrDefault("SANDBOX_IMAGE", DockerSandboxBackend.DEFAULT_IMAGE);
        Optional<String> storage = Optional.ofNullable(System.getenv(DockerSandboxBackend.STORAGE_SIZE_ENV)).filter(s -> !s.isBlank());
        DockerSandboxBackend backend = new DockerSandboxBackend(DockerEngine.connect(), image, ShellSession.Options.defaults(), storage);
        try {
            backend.setPoolSize(poolSize);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        return backend;
    }
}
