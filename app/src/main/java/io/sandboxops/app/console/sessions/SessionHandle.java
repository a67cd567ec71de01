package io.sandboxops.app.console.sessions;

import io.sandboxops.core.api.Sandbox;
import java.util.Objects;

/**
 * The session the workspace views (console, processes, files) work on: an open client of its sandbox, and
 * the shell session in it. A console session is a sandbox whose first shell session has the sandbox's id,
 * as with {@code sandboxctl}.
 */
public record SessionHandle(Sandbox sandbox, String sessionId) {
    public SessionHandle {
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(sessionId, "sessionId");
    }

    public String backend() {
        return sandbox.backend();
    }
}
