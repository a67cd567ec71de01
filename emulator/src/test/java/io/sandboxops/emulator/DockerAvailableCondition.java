package io.sandboxops.emulator;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.time.Duration;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Enables {@link RequiresDocker} tests when a Docker engine answers a ping (asked once per JVM). */
public final class DockerAvailableCondition implements ExecutionCondition {

    private static volatile String unavailableReason;
    private static volatile boolean checked;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (Boolean.getBoolean("sandbox.requireDocker")) {
            return ConditionEvaluationResult.enabled("sandbox.requireDocker=true: Docker tests always run");
        }
        String reason = probe();
        return reason == null
                ? ConditionEvaluationResult.enabled("a Docker engine answers")
                : ConditionEvaluationResult.disabled("No Docker engine answers (" + reason
                        + "); set -Dsandbox.requireDocker=true to make this a failure");
    }

    private static synchronized String probe() {
        if (!checked) {
            checked = true;
            DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
            try (DockerClient docker = DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder()
                    .dockerHost(config.getDockerHost())
                    .connectionTimeout(Duration.ofSeconds(3))
                    .responseTimeout(Duration.ofSeconds(5))
                    .build())) {
                docker.pingCmd().exec();
            } catch (Exception e) {
                unavailableReason = config.getDockerHost() + ": " + e;
            }
        }
        return unavailableReason;
    }
}
