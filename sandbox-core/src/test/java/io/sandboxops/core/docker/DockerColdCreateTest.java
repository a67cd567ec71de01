package io.sandboxops.core.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.shell.ShellSession;
import io.sandboxops.core.testing.RequiresDocker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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

    /**
     * Attack: the copies every sandbox of an image shares (one read-only volume) are root's and executable only, and
     * not even the container's root can change them for the next sandbox.
     */
    @Test
    void theSharedEngineShellCopiesAreExecutableOnlyAndNoSandboxCanChangeThem() throws Exception {
        try (DockerSandboxBackend a = new DockerSandboxBackend(DockerEngine.connect(), DockerSandboxBackend.DEFAULT_IMAGE, ShellSession.Options.defaults())) {
            Sandbox s = a.create(SandboxSpec.newBuilder().label("test", "cold-create").build());
            try {
                String dir = DockerShellHost.ENGINE_DIR;
                assertThat(s.execStateful("stat -c '%a %u %g' " + dir + " " + dir + "/bash " + dir + "/setsid; cat " + dir + "/bash > /dev/null 2>&1 || echo unreadable",
                        s.id(), T).stdout()).isEqualTo("711 0 0\n111 0 0\n111 0 0\nunreadable\n");
                DockerClient docker = a.docker();
                String containerId = ((DockerSandbox) s).containerId();
                String exec = docker.execCreateCmd(containerId).withUser("0:0").withAttachStdout(true).withAttachStderr(true)
                        .withCmd("sh", "-c", "chmod 0755 " + dir + "/bash; echo planted > " + dir + "/bash || echo refused; touch " + dir + "/x 2>/dev/null || echo refused").exec().getId();
                // Kept apart: the shell may write an error in pieces, and a "refused" landing between them breaks its line.
                StringBuilder out = new StringBuilder();
                StringBuilder err = new StringBuilder();
                docker.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>() {
                    @Override
                    public void onNext(Frame f) {
                        (f.getStreamType() == com.github.dockerjava.api.model.StreamType.STDERR ? err : out)
                                .append(new String(f.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                    }
                }).awaitCompletion(30, TimeUnit.SECONDS);
                assertThat(err.toString()).contains("Read-only file system");
                assertThat(out.toString().lines().filter("refused"::equals)).as("both writes refused, in %s / %s", out, err).hasSize(2);
                assertThat(s.execStateful(ENGINE_BINARY, "after", T).stdout()).isEqualTo("hidden\n");
            } finally {
                s.destroy();
            }
        }
    }

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
