package io.sandboxops.emulator.run;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to start one attempt of one task, after the RunJob overrides are applied.
 *
 * @param image       the container image of the job
 * @param command     the container's entrypoint override; empty to keep the image's
 * @param args        the container arguments (overrides win over the job's)
 * @param env         the environment, including the CLOUD_RUN_* variables Cloud Run sets
 * @param timeout     the task timeout; the engine kills the attempt when it passes
 * @param cpuLimit    Cloud Run's {@code cpu} limit, e.g. {@code "1"} or {@code "500m"}; null for none
 * @param memoryLimit Cloud Run's {@code memory} limit, e.g. {@code "512Mi"}; null for none
 * @param labels      labels identifying the attempt, put on containers
 */
public record TaskLaunch(String image, List<String> command, List<String> args, Map<String, String> env,
                         Duration timeout, String cpuLimit, String memoryLimit, Map<String, String> labels) {
}
