package io.sandboxops.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.SandboxSummary;
import io.sandboxops.core.api.SweepResult;
import io.sandboxops.core.observe.SandboxEvent;
import io.sandboxops.core.observe.SandboxEventSink;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SandboxFactoryTest {

    /** A backend that records what it was asked to create; enough to see where sessions go. */
    static class RecordingBackend implements SandboxBackend {
        final String name;
        final List<SandboxSpec> created = new ArrayList<>();
        boolean closed;

        RecordingBackend(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Sandbox create(SandboxSpec spec) {
            created.add(spec);
            return (Sandbox) Proxy.newProxyInstance(Sandbox.class.getClassLoader(), new Class<?>[] {Sandbox.class},
                    (proxy, method, args) -> method.getName().equals("toString") ? name + ":" + spec.sessionId().orElse("") : null);
        }

        @Override
        public Sandbox get(String sandboxId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<SandboxSummary> list() {
            return List.of();
        }

        @Override
        public SweepResult sweepOrphans(Duration olderThan, Set<String> exclude) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static Supplier<SandboxBackend> never(String name) {
        return () -> {
            throw new AssertionError("the " + name + " backend was touched");
        };
    }

    private static RolloutSettings env(String flag, String percentage) {
        return RolloutSettings.fromEnvironment(Map.of(RolloutSettings.FLAG, flag, RolloutSettings.PERCENTAGE, percentage,
                RolloutSettings.PROJECT, "p1"));
    }

    @Test
    void withTheFlagOffNoSessionGetsCloudRunAndCloudRunIsNeverMade() {
        RecordingBackend docker = new RecordingBackend("docker");
        try (SandboxFactory factory = new SandboxFactory(env("false", "100"),
                Map.of(SandboxFactory.DOCKER, () -> docker, SandboxFactory.CLOUDRUN, never("cloudrun")))) {
            for (int i = 0; i < 1000; i++) {
                assertThat(factory.choose("user-" + i).backend()).isEqualTo(SandboxFactory.DOCKER);
            }
            factory.create(SandboxSpec.newBuilder().build(), Optional.of("user-1"));
            assertThat(docker.created).hasSize(1);
        }
        assertThat(docker.closed).isTrue();
    }

    @Test
    void atOneHundredPercentTheDockerBackendIsNeverTouched() {
        RecordingBackend cloudRun = new RecordingBackend("cloudrun");
        try (SandboxFactory factory = new SandboxFactory(env("true", "100"), Map.of(SandboxFactory.CLOUDRUN, () -> cloudRun))) {
            IntStream.range(0, 200).forEach(i -> factory.create(SandboxSpec.newBuilder().build(), Optional.of("tenant-" + i)));
            assertThat(cloudRun.created).hasSize(200);
        }
    }

    @Test
    void sessionsFollowTheirStickyKeysBucket() {
        RecordingBackend docker = new RecordingBackend("docker");
        RecordingBackend cloudRun = new RecordingBackend("cloudrun");
        try (SandboxFactory factory = new SandboxFactory(env("true", "50"),
                Map.of(SandboxFactory.DOCKER, () -> docker, SandboxFactory.CLOUDRUN, () -> cloudRun))) {
            for (int i = 0; i < 400; i++) {
                String key = "user-" + i;
                BackendChoice choice = factory.choose(key);
                assertThat(choice.bucket()).isEqualTo(Bucketing.bucket(Bucketing.FLAG_KEY, key));
                assertThat(choice.backend()).isEqualTo(choice.bucket() < 50 ? SandboxFactory.CLOUDRUN : SandboxFactory.DOCKER);
                factory.create(SandboxSpec.newBuilder().build(), Optional.of(key));
                factory.create(SandboxSpec.newBuilder().build(), Optional.of(key));
            }
            assertThat(docker.created.size() + cloudRun.created.size()).isEqualTo(800);
            assertThat(cloudRun.created.size()).isBetween(300, 500);
        }
    }

    @Test
    void withoutAStickyKeyTheSessionIdIsTheKey() {
        RecordingBackend docker = new RecordingBackend("docker");
        RecordingBackend cloudRun = new RecordingBackend("cloudrun");
        try (SandboxFactory factory = new SandboxFactory(env("true", "50"),
                Map.of(SandboxFactory.DOCKER, () -> docker, SandboxFactory.CLOUDRUN, () -> cloudRun))) {
            for (int i = 0; i < 50; i++) {
                factory.create(SandboxSpec.newBuilder().build(), Optional.empty());
            }
            factory.create(SandboxSpec.newBuilder().sessionId("s-fixed").build(), Optional.empty());
            for (RecordingBackend backend : List.of(docker, cloudRun)) {
                for (SandboxSpec spec : backend.created) {
                    assertThat(spec.sessionId()).as("a session id is generated when none is given").isPresent();
                    assertThat(factory.choose(spec.sessionId().get()).backend()).isEqualTo(backend.name);
                }
            }
            assertThat(docker.created).isNotEmpty();
            assertThat(cloudRun.created).isNotEmpty();
        }
    }

    @Test
    void configurationErrorsNameTheVariable() {
        assertThatThrownBy(() -> RolloutSettings.fromEnvironment(Map.of(RolloutSettings.PERCENTAGE, "ten")))
                .isInstanceOf(RolloutConfigurationException.class).hasMessageContaining("CLOUDRUN_JOBS_ROLLOUT_PERCENTAGE")
                .hasMessageContaining("\"ten\"");
        assertThatThrownBy(() -> RolloutSettings.fromEnvironment(Map.of(RolloutSettings.PERCENTAGE, "101")))
                .hasMessageContaining("CLOUDRUN_JOBS_ROLLOUT_PERCENTAGE");
        assertThatThrownBy(() -> RolloutSettings.fromEnvironment(Map.of(RolloutSettings.PERCENTAGE, "12.5")))
                .hasMessageContaining("CLOUDRUN_JOBS_ROLLOUT_PERCENTAGE");
        assertThatThrownBy(() -> RolloutSettings.fromEnvironment(Map.of(RolloutSettings.FLAG, "enabled")))
                .isInstanceOfSatisfying(RolloutConfigurationException.class,
                        e -> assertThat(e.variable()).isEqualTo("USE_CLOUDRUN_JOBS_SANDBOX"));
        assertThatThrownBy(() -> RolloutSettings.fromEnvironment(Map.of(RolloutSettings.FLAG, "true", RolloutSettings.PERCENTAGE, "5")))
                .hasMessageContaining("GCP_PROJECT_ID");
        assertThatThrownBy(() -> new SandboxFactory(env("true", "10"), Map.of(SandboxFactory.DOCKER, never("docker"))))
                .hasMessageContaining("USE_CLOUDRUN_JOBS_SANDBOX");
        assertThat(RolloutSettings.fromEnvironment(Map.of())).isEqualTo(RolloutSettings.off());
        assertThat(RolloutSettings.fromEnvironment(Map.of(RolloutSettings.FLAG, " TRUE ", RolloutSettings.PROJECT, "p",
                RolloutSettings.PERCENTAGE, " 25 "))).isEqualTo(new RolloutSettings(true, 25, Optional.of("p")));
    }

    @Test
    void everySessionTheFactoryMakesReportsItsOperationsToTheSink() {
        List<SandboxEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        SandboxEventSink sink = new SandboxEventSink() {
            @Override
            public void record(SandboxEvent event) {
                events.add(event);
            }

            @Override
            public long dropped() {
                return 0;
            }

            @Override
            public void close() {
            }
        };
        SandboxBackend docker = new RecordingBackend("docker") {
            @Override
            public Sandbox create(SandboxSpec spec) {
                super.create(spec);
                return (Sandbox) Proxy.newProxyInstance(Sandbox.class.getClassLoader(), new Class<?>[] {Sandbox.class},
                        (proxy, method, args) -> switch (method.getName()) {
                            case "id" -> spec.sessionId().orElseThrow();
                            case "backend" -> "docker";
                            case "mode" -> "container";
                            case "fileExists" -> true;
                            default -> null;
                        });
            }
        };
        try (SandboxFactory factory = new SandboxFactory(new RolloutSettings(false, 0, Optional.empty()), Map.of(SandboxFactory.DOCKER, () -> docker), sink)) {
            Sandbox sandbox = factory.create(SandboxSpec.newBuilder().sessionId("sbx-observed1").build(), Optional.empty());
            assertThat(sandbox.fileExists("/workspace")).isTrue();
        }
        assertThat(events).extracting(SandboxEvent::operation).containsExactly("create", "file_exists");
        assertThat(events).allSatisfy(e -> {
            assertThat(e.backend()).isEqualTo("docker");
            assertThat(e.sessionKey()).isEqualTo(SandboxEvent.sessionKey("sbx-observed1"));
        });
    }
}
