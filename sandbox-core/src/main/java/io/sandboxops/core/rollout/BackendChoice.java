package io.sandboxops.core.rollout;

/**
 * Which backend a new session gets and why, for logs and the console.
 *
 * @param backend    {@link SandboxFactory#DOCKER} or {@link SandboxFactory#CLOUDRUN}
 * @param stickyKey  the key that was hashed (user, tenant or session id)
 * @param bucket     its bucket, 0–99
 * @param settings   the flag and percentage in force
 */
public record BackendChoice(String backend, String stickyKey, int bucket, RolloutSettings settings) {

    /** One line: {@code cloudrun (bucket 7 < 10 %)}, {@code docker (flag off)}. */
    public String reason() {
        if (!settings.cloudRunEnabled()) {
            return backend + " (" + RolloutSettings.FLAG + "=false)";
        }
        String cmp = Bucketing.inRollout(bucket, settings.percentage()) ? " < " : " >= ";
        return backend + " (bucket " + bucket + cmp + settings.percentage() + " %)";
    }
}
