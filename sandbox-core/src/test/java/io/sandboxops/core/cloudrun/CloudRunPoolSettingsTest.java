package io.sandboxops.core.cloudrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.api.SandboxInvalidInputException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The warm pool's settings: none unless asked (idle workers are billed), bad values refused by name. */
class CloudRunPoolSettingsTest {
    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(Map.of("GCP_PROJECT_ID", "p", "GCP_REGION", "us-central1",
                "SANDBOX_EXECUTOR_IMAGE", "img", "SANDBOX_STATE_BUCKET", "sandbox-state"));
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void noPoolUnlessAskedAndATenMinuteIdleTimeout() {
        CloudRunSettings s = CloudRunSettings.fromEnvironment(env());
        assertThat(s.poolSize()).isZero();
        assertThat(s.poolIdleTimeout()).isEqualTo(Duration.ofMinutes(10));
        CloudRunSettings two = CloudRunSettings.fromEnvironment(env("SANDBOX_POOL_CLOUDRUN", "2", "SANDBOX_POOL_IDLE_TIMEOUT", "90s"));
        assertThat(two.poolSize()).isEqualTo(2);
        assertThat(two.poolIdleTimeout()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void badPoolSizesAreRefusedNamingTheVariableAndTheRange() {
        for (String bad : new String[] {"-1", "two", "1.5", "51"}) {
            assertThatThrownBy(() -> CloudRunSettings.fromEnvironment(env("SANDBOX_POOL_CLOUDRUN", bad)))
                    .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("SANDBOX_POOL_CLOUDRUN")
                    .hasMessageContaining("from 0 (no pool) to 50");
        }
        assertThatThrownBy(() -> CloudRunSettings.fromEnvironment(env("SANDBOX_POOL_IDLE_TIMEOUT", "0")))
                .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("SANDBOX_POOL_IDLE_TIMEOUT");
    }

    @Test
    void anEnvironmentsPoolSettingIsSetWithTheWither() {
        CloudRunSettings s = CloudRunSettings.fromEnvironment(env()).withPoolSize(3).withPoolIdleTimeout(Duration.ofMinutes(2));
        assertThat(s.poolSize()).isEqualTo(3);
        assertThat(s.poolIdleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(() -> s.withPoolSize(-1)).isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("pool size");
    }
}
