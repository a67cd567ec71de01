package io.sandboxops.app.cli;

import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.docker.DockerSandboxBackend;

/** Opens the backend a command names, and the sandbox behind a session id. */
final class Backends {
    static final String DOCKER = DockerSandboxBackend.NAME;

    private Backends() {
    }

    static SandboxBackend open(String name) {
        if (DOCKER.equals(name)) {
            return DockerSandboxBackend.fromEnvironment();
        }
        throw new SandboxInvalidInputException("unknown backend \"" + name + "\"; this build has: " + DOCKER);
    }

    /** The session's sandbox; a CLI session is one sandbox whose first shell session has the same id. */
    static Sandbox sandbox(SandboxBackend backend, String sessionId) {
        return backend.get(sessionId);
    }
}
