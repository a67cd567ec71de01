package io.sandboxops.core.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;

import io.sandboxops.core.api.TransferProgress;
import io.sandboxops.core.testing.DockerSandboxes;
import io.sandboxops.core.testing.RequiresDocker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import java.util.stream.Stream;



import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, attack 3 on Docker: a sandbox plants links whose text looks harmless but which, followed on the
 * operator's disk, leave the download directory ({@code s -> .}, {@code x -> s/s/../../etc/hostname}). A directory
 * download must hold nothing that resolves outside its target; hard links arrive as content; a fifo is refused.
 */
@RequiresDocker
class DockerTreeDownloadTest {
    private static final Duration T = Duration.ofSeconds(30);
    @RegisterExtension
    static final DockerSandboxes docker = new DockerSandboxes();
    private Sandbox sandbox;

    @TempDir
    Path local;

    @BeforeEach
    void create() {
        sandbox = docker.create();
    }

    private ExecResult run(String command) {
        ExecResult r = sandbox.execStateful(command, "main", T);
        assertThat(r.exitCode()).as(command + ": " + r.stderr()).isZero();
        return r;
    }

    @Test
    void linkChainsThroughDotNeverReachTheHostsFiles() throws IOException {
        Path target = local.resolve("download");
        Files.createDirectories(target);
        // As many "s" as ".." keeps the text inside the target; each "s" is the target itself on disk, so the
        // ".." climb out of it, up to the host's root.
        int depth = target.toRealPath().getNameCount() + 1;
        String up = "s/".repeat(depth) + "../".repeat(depth);
        run("mkdir -p /tmp/t/sub && cd /tmp/t && echo mine > mine.txt && ln -s . s"
                + " && ln -s s/s/../../etc/hostname x"
                + " && ln -s '" + up + "etc/hostname' host-hostname"
                + " && ln -s '" + up + "etc' host-etc"
                + " && ln -s s/s/.. parent"
                + " && ln -s ../s/../s/s/.. sub/parent-from-sub"
                + " && ln -s mine.txt ok");

        Throwable outcome = catchDownload("/tmp/t", target);

        assertThat(outcome).as("links out of the target are refused (Sandbox#fileDownload)")
                .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("outside");
        assertHostHostnameIsNowhereIn(target);
        assertNothingResolvesOutside(target);
    }

    @Test
    void hardLinksDownloadAsTwoFilesWithTheContent() throws IOException {
        run("mkdir -p /tmp/h/sub && cd /tmp/h && printf 'shared bytes' > a && ln a b && ln a sub/c");
        Path target = local.resolve("hard");
        sandbox.fileDownload("/tmp/h", target, TransferProgress.NONE);
        assertThat(Files.readString(target.resolve("a"))).isEqualTo("shared bytes");
        assertThat(Files.readString(target.resolve("b"))).isEqualTo("shared bytes");
        assertThat(Files.readString(target.resolve("sub/c"))).isEqualTo("shared bytes");
    }

    @Test
    void aFifoIsRefusedByName() {
        run("mkdir -p /tmp/f && echo x > /tmp/f/x.txt && mkfifo /tmp/f/pipe");
        assertThatThrownBy(() -> sandbox.fileDownload("/tmp/f", local.resolve("fifo"), TransferProgress.NONE))
                .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("pipe").hasMessageContaining("fifo");
    }

    private Throwable catchDownload(String dir, Path target) {
        try {
            sandbox.fileDownload(dir, target, TransferProgress.NONE);
            return null;
        } catch (SandboxException e) {
            return e;
        }
    }

    static void assertNothingResolvesOutside(Path target) throws IOException {
        Path root = target.toRealPath();
        try (Stream<Path> all = Files.walk(target)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isSymbolicLink(p) && Files.exists(p)) {
                    assertThat(p.toRealPath()).as(p + " -> " + Files.readSymbolicLink(p)).startsWith(root);
                }
            }
        }
    }

    static void assertHostHostnameIsNowhereIn(Path target) throws IOException {
        Path hostname = Path.of("/etc/hostname");
        if (!Files.isRegularFile(hostname)) {
            return;
        }
        String host = Files.readString(hostname, StandardCharsets.UTF_8);
        try (Stream<Path> all = Files.walk(target)) {
            // Files.isRegularFile follows links: a link to the host's file is read like the file.
            List<Path> files = all.filter(Files::isRegularFile).toList();
            for (Path p : files) {
                assertThat(Files.readString(p, StandardCharsets.ISO_8859_1)).as(p.toString()).isNotEqualTo(host);
            }
        }
    }
}
