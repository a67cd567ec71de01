package io.sandboxops.app.console.environment;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.core.testing.RequiresDocker;
import org.junit.jupiter.api.Test;

/** The local environment for real: this machine's Docker engine and the emulator started embedded. */
class LocalWorkspaceOpenerTest {

    @Test
    @RequiresDocker
    void opensTheLocalDockerEngineAndStartsTheEmulator() {
        try (Workspace ws = new LocalWorkspaceOpener(true).open(ConsoleEnvironment.local())) {
            assertThat(ws.backends()).containsOnlyKeys("docker");
            assertThat(ws.statuses()).extracting(ServiceStatus::service, ServiceStatus::health)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("Docker", ServiceStatus.Health.UP),
                            org.assertj.core.groups.Tuple.tuple("Emulator", ServiceStatus.Health.UP));
            assertThat(ws.statuses().get(1).detail()).startsWith("embedded: gRPC 127.0.0.1:");
            assertThat(ws.backends().get("docker").list()).isNotNull();
        }
    }

    @Test
    void aGcpEnvironmentIsSaidToBeUnsupportedNotThrown() {
        ConsoleEnvironment gcp = new ConsoleEnvironment("prod-eu", ConsoleEnvironment.Kind.GCP, true, false, "prod");
        try (Workspace ws = new LocalWorkspaceOpener(false).open(gcp)) {
            assertThat(ws.backends()).isEmpty();
            assertThat(ws.statuses()).singleElement().satisfies(s -> {
                assertThat(s.health()).isEqualTo(ServiceStatus.Health.UNAVAILABLE);
                assertThat(s.detail()).isEqualTo("GCP environments are not supported by this build yet");
            });
        }
    }
}
