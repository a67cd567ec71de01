package io.sandboxops.core.rollout;

import java.util.HashMap;
import java.util.Map;

/**
 * Which backend a new session gets and why, for logs and the console.
 *
 * @param backend    {@link SandboxFactory#DOCKER} or {@link SandboxFactory#CLOUDRUN}
 * @param stickyKey  the key that was hashed (user, tenant or session id)
 * @param bucket     its bucket, 0–99
 * @param settings   the flag and percentage in force
 */
public record BackendChoice(String backend, String stickyKey, int bucket, RolloutSettings settings) {

    /**
     * The rollout rule (DESIGN §6): flag off → Docker; on → Cloud Run when the key's bucket is below the percentage.
     * The one place it is decided: {@link SandboxFactory#choose} asks it, and so does whoever only wants to know the
     * pick (the console's sessions view, {@code sandboxctl rollout choose}) with no factory or backend to build.
     *
     * @param stickyKey the user or tenant id (else the session id)
     */
    public static BackendChoice of(RolloutSettings settings, String stickyKey) {
        if (stickyKey == null || stickyKey.isBlank()) {
            throw new IllegalArgumentException("a sticky key (user, tenant or session id) is required");
        }
        int bucket = Bucketing.bucket(Bucketing.FLAG_KEY, stickyKey);
        boolean cloudRun = settings.cloudRunEnabled() && Bucketing.inRollout(bucket, settings.percentage());
        return new BackendChoice(cloudRun ? SandboxFactory.CLOUDRUN : SandboxFactory.DOCKER, stickyKey, bucket, settings);
    }

    /**
     * What the agent backend does now for a new session of {@code stickyKey}: the serving revisions' values decide;
     * during a split, the template's, which is what the service is being moved to.
     *
     * @param projectId the service's project ({@value RolloutSettings#PROJECT}, which Cloud Run needs)
     * @throws RolloutConfigurationException when the service's values are malformed, naming the variable
     */
    public static BackendChoice forService(RolloutStatus status, String projectId, String stickyKey) {
        EnvValues values = status.effective().orElse(status.template());
        Map<String, String> env = new HashMap<>();
        // Unset variables stay absent, read as the agent backend reads them: off, 0 %.
        if (values.flag() != null) {
            env.put(RolloutSettings.FLAG, values.flag());
        }
        if (values.percentage() != null) {
            env.put(RolloutSettings.PERCENTAGE, values.percentage());
        }
        env.put(RolloutSettings.PROJECT, projectId);
        return of(RolloutSettings.fromEnvironment(env), stickyKey);
    }

    /** One line: {@code cloudrun (bucket 7 < 10 %)}, {@code docker (flag off)}. */
    public String reason() {
        if (!settings.cloudRunEnabled()) {
            return backend + " (" + RolloutSettings.FLAG + "=false)";
        }
        String cmp = Bucketing.inRollout(bucket, settings.percentage()) ? " < " : " >= ";
        return backend + " (bucket " + bucket + cmp + settings.percentage() + " %)";
    }
}
