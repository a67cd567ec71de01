package io.sandboxops.core.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.api.TransferProgress;
import io.sandboxops.core.shell.ShellSession;
import io.sandboxops.core.testing.DockerSandboxes;
import io.sandboxops.core.testing.RequiresDocker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;



import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, attack 1: code in a Docker sandbox racing the client's file operations to become root or to read
 * root-only files, and what the container and its image give it to work with (capabilities, setuid binaries,
 * limits). Every attack runs on the real engine, as sandbox code would run it.
 */
@RequiresDocker
class DockerContainmentTest {
    private static final Duration T = Duration.ofSeconds(60);
    /** The executor image checked for setuid binaries; {@code -Dsandbox.executorImage} points at another build. */
    private static final String EXECUTOR_IMAGE = System.getProperty("sandbox.executorImage", "sandboxops/executor:latest");
    /** The sandbox loop: swaps directory {@code d} for a link to /etc and back, as fast as bash can rename. */
    private static final String SWAP_LOOP = "cd /workspace && mkdir -p d && ln -sfn /etc lnk && "
            + "(while [ ! -e stop ]; do mv -T d hold; mv -T lnk d; mv -T d lnk; mv -T hold d; done) >/dev/null 2>&1 &";
    private static final String PASSWD_LINE = "root::0:0:root:/root:/bin/bash\n";
    @RegisterExtension
    static final DockerSandboxes docker = new DockerSandboxes();
    private Sandbox sandbox;

    @BeforeEach
    void create() {
        sandbox = docker.create();
    }

    private ExecResult run(String command) {
        return sandbox.execStateful(command, "main", T);
    }

    private void stopSwapLoop() {
        run("touch /workspace/stop; wait; cd /workspace; [ -d hold ] && { [ -L d ] && mv -T d lnk; mv -T hold d; }; true");
    }

    @Test
    void writesRacingALinkSwapToEtcNeverReplaceEtcPasswdAndEachLandsInTheSandboxOrFailsClearly() {
        String passwdBefore = run("sha256sum /etc/passwd").stdout();
        run(SWAP_LOOP);
        List<Integer> landed = new ArrayList<>();
        List<RuntimeException> failed = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            byte[] content = (PASSWD_LINE + "# sandboxops race " + i + "\n").getBytes(StandardCharsets.UTF_8);
            try {
                if (i % 2 == 0) {
                    sandbox.fileWrite("/workspace/d/passwd", new String(content, StandardCharsets.UTF_8), false, false, false);
                } else {
                    sandbox.fileUpload(new ByteArrayInputStream(content), content.length, "/workspace/d/passwd", TransferProgress.NONE);
                }
                landed.add(i);
            } catch (RuntimeException e) {
                failed.add(e);
            }
        }
        stopSwapLoop();

        assertThat(run("sha256sum /etc/passwd").stdout()).as("/etc/passwd after the race").isEqualTo(passwdBefore);
        assertThat(run("grep -rl 'sandboxops race' /etc 2>/dev/null; ls -A /etc | grep -c 'upload-'").stdout()).isEqualTo("0\n");
        assertThat(run("su -c id root </dev/null 2>&1; id -u").stdout()).doesNotContain("uid=0").endsWith("1000\n");
        assertThat(failed).allSatisfy(e -> assertThat(e).isInstanceOf(SandboxException.class).hasMessageContaining("passwd"));
        assertThat(landed).as("writes that succeeded").isNotEmpty();
        assertThat(inContainerAsRoot(((DockerSandbox) sandbox).containerId(), "ls", "-A", DockerFileStore.STAGING))
                .as("staged copies left behind").isEmpty();
        // Where the writes went: into the sandbox's own directories (whichever name the loop gave the real one), never
        // /etc (checked above). Not necessarily the last reported one: a later write that failed after its rename (the
        // loop swapped the directory between its steps) may have replaced it, and says so by its error.
        assertThat(run("grep -rl '^# sandboxops race [0-9]*$' /workspace | grep -c passwd").stdout())
                .as("successful writes are in the sandbox's own directories").isNotEqualTo("0\n");
    }

    @Test
    void readsAndDownloadsRacingALinkSwapToEtcNeverReturnTheShadowFile(@TempDir Path local) throws Exception {
        run("mkdir -p /workspace/d && printf 'decoy\\n' > /workspace/d/shadow && mkdir -p /workspace/d/gshadow.d");
        run(SWAP_LOOP);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            try {
                if (i % 3 == 0) {
                    seen.add(sandbox.fileRead("/workspace/d/shadow", LineRange.all()));
                } else if (i % 3 == 1) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    sandbox.fileDownload("/workspace/d/shadow", out, TransferProgress.NONE);
                    seen.add(out.toString(StandardCharsets.UTF_8));
                } else {
                    Path target = Files.createDirectory(local.resolve("tree-" + i));
                    sandbox.fileDownload("/workspace/d", target, TransferProgress.NONE);
                    for (Path f : filesUnder(target)) {
                        seen.add(Files.readString(f));
                    }
                }
            } catch (SandboxException e) {
                // refused or failed: fine, as long as nothing root-only came back
            }
        }
        stopSwapLoop();
        assertThat(seen).as("what reads returned").isNotEmpty().noneMatch(s -> s.contains("root:"));
    }

    @Test
    void aLinkToARootOnlyFileOrToADirectoryHoldingOneNeverGivesItsContent(@TempDir Path local) throws Exception {
        // As an image would ship it: a root-owned directory with one root-only file among readable ones.
        inContainerAsRoot(((DockerSandbox) sandbox).containerId(), "sh", "-c",
                "mkdir -p /srv/secrets && echo public > /srv/secrets/readme && echo topsecret > /srv/secrets/key && chmod 600 /srv/secrets/key");
        run("ln -s /etc/shadow /workspace/shadow-link && ln -s /srv/secrets/key /workspace/key-link && ln -s /srv/secrets /workspace/tree");
        for (String path : List.of("/workspace/shadow-link", "/workspace/key-link", "/workspace/tree/key")) {
            assertThatThrownBy(() -> sandbox.fileRead(path, LineRange.all())).as(path).isInstanceOf(SandboxException.class);
            assertThatThrownBy(() -> sandbox.fileDownload(path, new ByteArrayOutputStream(), TransferProgress.NONE)).as(path)
                    .isInstanceOf(SandboxException.class);
        }
        try {
            sandbox.fileDownload("/workspace/tree", local, TransferProgress.NONE);
        } catch (SandboxException e) {
            assertThat(e).hasMessageContaining("key");
        }
        assertThat(filesUnder(local)).noneMatch(f -> readable(f).contains("topsecret"));
    }

    @Test
    void aSandboxCommandHasNoCapabilitiesAndCannotGainPrivileges() {
        String status = run("grep -E '^(CapEff|CapBnd|CapPrm|NoNewPrivs):' /proc/self/status").stdout();
        assertThat(status).contains("CapEff:\t0000000000000000").contains("CapBnd:\t0000000000000000")
                .contains("CapPrm:\t0000000000000000").contains("NoNewPrivs:\t1");
        assertThat(inContainerAsRoot(((DockerSandbox) sandbox).containerId(), "grep", "-E", "^(CapEff|CapBnd):", "/proc/self/status"))
                .as("even root in the container holds no capability").contains("CapEff:\t0000000000000000").contains("CapBnd:\t0000000000000000");
    }

    @Test
    void neitherTheSandboxImageNorTheExecutorImageHasSetuidOrSetgidBinaries() {
        assertThat(inContainerAsRoot(((DockerSandbox) sandbox).containerId(), "find", "/", "-xdev", "-perm", "/6000", "-type", "f"))
                .as("setuid/setgid files in " + DockerSandboxBackend.DEFAULT_IMAGE).isEmpty();
        assertThat(inImageAsRoot(EXECUTOR_IMAGE, "find", "/", "-xdev", "-perm", "/6000", "-type", "f"))
                .as("setuid/setgid files in " + EXECUTOR_IMAGE).isEmpty();
    }

    @Test
    void limitsOutOfRangeAreRefusedNamingTheAllowedRange() {
        for (long bytes : new long[] {0, -1, 1024, Long.MAX_VALUE, 1L << 50}) {
            assertThatThrownBy(() -> SandboxSpec.newBuilder().memoryBytes(bytes).build()).as("memory %d", bytes)
                    .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("memory").hasMessageContaining("MiB");
        }
        for (long mib : new long[] {0, -5, 17_592_186_044_417L, Long.MAX_VALUE}) {
            assertThatThrownBy(() -> SandboxSpec.newBuilder().memoryMebibytes(mib).build()).as("memory %d MiB", mib)
                    .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("memory").hasMessageContaining("MiB");
        }
        for (double cpus : new double[] {0, -1, 0.0001, 1e12, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> SandboxSpec.newBuilder().cpus(cpus).build()).as("cpus %s", cpus)
                    .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("cpu");
        }
        for (long pids : new long[] {0, -1, Long.MAX_VALUE, 1L << 40}) {
            assertThatThrownBy(() -> SandboxSpec.newBuilder().pidsLimit(pids).build()).as("pids %d", pids)
                    .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("pids");
        }
        for (Duration timeout : new Duration[] {Duration.ZERO, Duration.ofMillis(-1), Duration.ofDays(365_000), Duration.ofSeconds(Long.MAX_VALUE)}) {
            assertThatThrownBy(() -> sandbox.execStateful("echo hi", "main", timeout)).as("timeout %s", timeout)
                    .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("timeout");
        }
        assertThat(run("echo still here").stdout()).isEqualTo("still here\n");
    }

    @Test
    void aBoundedWritableLayerHoldsWhereTheEngineSupportsItAndIsRefusedClearlyWhereNot() {
        assertThatThrownBy(() -> new DockerSandboxBackend(docker.backend().docker(), docker.backend().defaultImage(), ShellSession.Options.defaults(),
                Optional.of("lots"))).isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("2G");
        // Not closed: it shares the class's client.
        DockerSandboxBackend bounded = new DockerSandboxBackend(docker.backend().docker(), docker.backend().defaultImage(), ShellSession.Options.defaults(),
                Optional.of("1G"));
        Sandbox s;
        try {
            s = bounded.create(SandboxSpec.newBuilder().label("test-run", docker.run()).build());
        } catch (SandboxUnavailableException e) {
            // overlay2 over ext4 (as in CI): the engine cannot bound the layer, and says so through a message naming the setting.
            assertThat(e).hasMessageContaining(DockerSandboxBackend.STORAGE_SIZE_ENV).hasMessageContaining("storage-opt");
            return;
        }
        try {
            long size = Long.parseLong(s.execStateful("df -B1 --output=size / | tail -1", "main", T).stdout().strip());
            assertThat(size).isLessThanOrEqualTo(1L << 30);
        } finally {
            s.destroy();
        }
    }

    private static List<Path> filesUnder(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private static String readable(Path f) {
        try {
            return Files.readString(f, StandardCharsets.ISO_8859_1);
        } catch (Exception e) {
            return "";
        }
    }

    /** What a command run as uid 0 by the engine itself (docker exec -u 0) prints, to look past the sandbox user's rights. */
    private static String inContainerAsRoot(String containerId, String... argv) {
        DockerClient engine = docker.backend().docker();
        String exec = engine.execCreateCmd(containerId).withCmd(argv).withUser("0").withAttachStdout(true).withAttachStderr(false).exec().getId();
        return collect(engine.execStartCmd(exec).exec(new Collector()));
    }

    /** What a throwaway container of {@code image} prints running {@code argv} as uid 0. */
    private static String inImageAsRoot(String image, String... argv) {
        DockerClient engine = docker.backend().docker();
        String id = engine.createContainerCmd(image).withUser("0").withEntrypoint(argv).withLabels(java.util.Map.of("test-run", docker.run()))
                .withHostConfig(com.github.dockerjava.api.model.HostConfig.newHostConfig().withNetworkMode("none")).exec().getId();
        try {
            engine.startContainerCmd(id).exec();
            engine.waitContainerCmd(id).start().awaitStatusCode(60, TimeUnit.SECONDS);
            return collect(engine.logContainerCmd(id).withStdOut(true).withStdErr(false).exec(new Collector()));
        } finally {
            engine.removeContainerCmd(id).withForce(true).exec();
        }
    }

    private static String collect(Collector c) {
        try {
            c.awaitCompletion(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return c.out.toString(StandardCharsets.UTF_8);
    }

    private static final class Collector extends ResultCallback.Adapter<Frame> {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        @Override
        public void onNext(Frame frame) {
            out.writeBytes(frame.getPayload());
        }
    }
}
