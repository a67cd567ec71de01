package io.sandboxops.core.api;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What is known of a shell session.
 *
 * @param sessionId    the session
 * @param sandboxId    the sandbox it lives in
 * @param backend      {@code docker} or {@code cloudrun}
 * @param cwd          working directory after its last command
 * @param env          its exported environment after its last command (values as they are; mask before showing)
 * @param createdAt    when it was first used
 * @param lastActiveAt when its last command ended
 * @param lastCommand  the last command run, if any
 * @param backgroundProcesses how many of its background processes are running
 */
public record SessionInfo(
        String sessionId,
        String sandboxId,
        String backend,
        String cwd,
        Map<String, String> env,
        Instant createdAt,
        Instant lastActiveAt,
        Optional<String> lastCommand,
        int backgroundProcesses) {
    public SessionInfo {
        env = Map.copyOf(env);
    }
}
