package io.sandboxops.app.env;

import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.docker.DockerSandboxBackend;

/**
 * The one place the Docker backend is given its warm-pool size. The pool itself is on branch {@code dockerpool}
 * ({@code DockerSandboxBackend#setPoolSize}); until it is merged, a size above 0 is refused rather than ignored.
 */
final class DockerPoolAdapter {
    private DockerPoolAdapter() {
    }

    static void setPoolSize(DockerSandboxBackend docker, int size) {
        if (size > 0) {
            throw new SandboxUnavailableException("a Docker pool of " + size + " was asked for, but this build has no Docker pool; "
                    + "set SANDBOX_POOL_DOCKER=0 or remove \"docker\" from the environment's \"pool\"");
        }
    }
}
