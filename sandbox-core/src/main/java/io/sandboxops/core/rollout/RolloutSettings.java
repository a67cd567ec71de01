package io.sandboxops.core.rollout;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The flag and percentage that choose a backend per new session, as the agent backend reads them from its
 * environment (the env vars of the Cloud Run service the {@link RolloutController} writes).
 *
 * @param cloudRunEnabled {@value #FLAG}
 * @param percentage      {@value #PERCENTAGE}, 0–100: the share of sticky keys that get Cloud Run
 * @param projectId       {@value #PROJECT}; required when Cloud Run is enabled
 */
public record RolloutSettings(boolean cloudRunEnabled, int percentage, Optional<String> projectId) {

    public static final String FLAG = "USE_CLOUDRUN_JOBS_SANDBOX";
    public static final String PERCENTAGE = "CLOUDRUN_JOBS_ROLLOUT_PERCENTAGE";
    public static final String PROJECT = "GCP_PROJECT_ID";

    public RolloutSettings {
        if (percentage < 0 || percentage > 100) {
            throw new RolloutConfigurationException(PERCENTAGE, "must be an integer from 0 to 100, not " + percentage);
        }
        projectId = projectId.filter(p -> !p.isBlank());
        if (cloudRunEnabled && projectId.isEmpty()) {
            throw new RolloutConfigurationException(PROJECT, "is required when " + FLAG + "=true");
        }
    }

    /** Everything on Docker: the state the agent backend starts in and returns to on rollback. */
    public static RolloutSettings off() {
        return new RolloutSettings(false, 0, Optional.empty());
    }

    /**
     * Reads the settings from an environment ({@code System.getenv()} or a service's env vars). Absent
     * variables mean off and 0 %, as in the original plan's defaults.
     *
     * @throws RolloutConfigurationException naming the variable when one is malformed
     */
    public static RolloutSettings fromEnvironment(Map<String, String> env) {
        boolean enabled = parseFlag(env.get(FLAG));
        int percentage = parsePercentage(env.get(PERCENTAGE));
        return new RolloutSettings(enabled, percentage, Optional.ofNullable(env.get(PROJECT)).map(String::trim));
    }

    /** {@code true/false}, and the spellings environment files use for them (1/0, yes/no, on/off). */
    public static boolean parseFlag(String raw) {
        if (raw == null || raw.isBlank()) {
            return false;
        }
        return switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new RolloutConfigurationException(FLAG, "must be true or false, not \"" + raw + "\"");
        };
    }

    /** An integer from 0 to 100; blank means 0. */
    public static int parsePercentage(String raw) {
        if (raw == null || raw.isBlank()) {
            return 0;
        }
        int value;
        try {
            value = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new RolloutConfigurationException(PERCENTAGE, "must be an integer from 0 to 100, not \"" + raw + "\"");
        }
        if (value < 0 || value > 100) {
            throw new RolloutConfigurationException(PERCENTAGE, "must be an integer from 0 to 100, not " + value);
        }
        return value;
    }
}
