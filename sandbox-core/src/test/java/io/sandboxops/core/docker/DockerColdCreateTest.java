package io.sandboxops.core.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.shell.ShellSession;
import io.sandboxops.core.testing.RequiresDocker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Cold create installs the engine shell's executable-only copies beside the first shell's start, not before it: the
 * first shell must still never run on the image's readable bash.
 */
@RequiresDocker
class DockerColdCreateTest {
    /** Prints the engine shell's binary when its user may read it (the image's bash), "hidden" when not (the copies). */
    private static final String ENGINE_BINARY = "readlink /proc/$$/exe 2>/dev/null || echo hidden";
    private static final Duration T = Duration.ofSeconds(30);

    /** Attack: a command sent the moment create returns, from this client and from another, while the install runs. */
    @Test
    void aShellStartedWhileTheEngineShellIsInstalledWaitsForTheCopies() {
        try (DockerSandboxBackend a = new DockerSandboxBackend(DockerEngine.connect(), DockerSandboxBackend.DEFAULT_IMAGE, ShellSession.Options.defaults());
             DockerSandboxBackend b = new DockerSandboxBackend(DockerEngine.connect(), DockerSandboxBackend.DEFAULT_IMAGE, ShellSession.Options.defaults())) {
            for (int i = 0; i < 4; i++) {
                Sandbox s = a.create(SandboxSpec.newBuilder().label("test", "cold-create").build());
                try (Sandbox other = b.get(s.id())) {
                    assertThat(other.execStateful(ENGINE_BINARY, "other", T).stdout()).as("another client's first shell").isEqualTo("hidden\n");
                    assertThat(s.execStateful(ENGINE_BINARY, s.id(), T).stdout()).as("the creator's first shell").isEqualTo("hidden\n");
                } finally {
                    s.destroy();
                }
            }
        }
    }
}
