package io.sandboxops.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rollout rule asked without a factory: the same pick as the factory's, from a service's values. */
class BackendChoiceTest {

    private static RolloutStatus serving(EnvValues values) {
        return new RolloutStatus("local", "manus-backend", values, "r-1", "r-1", List.of(new TrafficShare("r-1", 100, true, "")),
                Map.of("r-1", values), Optional.empty(), "", false);
    }

    @Test
    void theServicesValuesPickAsTheFactoryWould() {
        RolloutSettings settings = new RolloutSettings(true, 50, Optional.of("p"));
        // A factory only asked to choose makes no backend.
        java.util.function.Supplier<io.sandboxops.core.api.SandboxBackend> never = () -> {
            throw new AssertionError("choosing makes no backend");
        };
        try (SandboxFactory factory = new SandboxFactory(settings, Map.of(SandboxFactory.DOCKER, never, SandboxFactory.CLOUDRUN, never))) {
            for (String key : List.of("tenant-1", "tenant-2", "user-7", "user-8", "team-x")) {
                assertThat(BackendChoice.forService(serving(new EnvValues("true", "50")), "p", key)).isEqualTo(factory.choose(key));
            }
        }
        assertThat(BackendChoice.forService(serving(new EnvValues("true", "100")), "p", "tenant-1").backend()).isEqualTo(SandboxFactory.CLOUDRUN);
        assertThat(BackendChoice.forService(serving(new EnvValues("false", "100")), "p", "tenant-1").reason())
                .isEqualTo("docker (USE_CLOUDRUN_JOBS_SANDBOX=false)");
    }

    @Test
    void unsetVariablesReadAsOffAndAMalformedOneIsNamed() {
        assertThat(BackendChoice.forService(serving(new EnvValues(null, null)), "p", "tenant-1").backend()).isEqualTo(SandboxFactory.DOCKER);
        assertThatThrownBy(() -> BackendChoice.forService(serving(new EnvValues("maybe", "10")), "p", "tenant-1"))
                .isInstanceOf(RolloutConfigurationException.class).hasMessageContaining(RolloutSettings.FLAG);
    }
}
