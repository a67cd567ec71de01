package io.sandboxops.core.docker;

import static io.sandboxops.core.docker.DockerFaults.awaitProcess;
import static io.sandboxops.core.docker.DockerFaults.containersOf;
import static io.sandboxops.core.docker.DockerFaults.failureOf;
import static io.sandboxops.core.docker.DockerFaults.running;
import static io.sandboxops.core.docker.DockerFaults.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.testing.RequiresDocker;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, fault "container killed under a session": {@code docker kill} (SIGKILL) while a session is open and
 * runs a command. The command fails at once saying the sandbox stopped and what comes next; the next command
 * on the same client starts the container again and restores the session as of its last finished command;
 * files stay; background processes, which died with the container, are reported ended; nothing is orphaned.
 */
@RequiresDocker
class DockerContainerKillFaultTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static final String S = "main";
    private static final String IN_FLIGHT = "cd / && export LOST=1 && sleep 30";
    private static final String RUN = UUID.randomUUID().toString();
    private static DockerSandboxBackend backend;

    @BeforeAll
    static void connect() {
        backend = DockerSandboxBackend.fromEnvironment();
    }

    @AfterAll
    static void sweep() {
        if (backend != null) {
            backend.list().stream().filter(s -> RUN.equals(s.labels().get("test-run"))).forEach(s -> backend.get(s.id()).destroy());
            backend.close();
        }
    }

    @Test
    void aKilledContainerFailsTheCommandInFlightAndTheSameClientRestoresTheSessionOnTheNextCommand() {
        DockerSandbox sandbox = (DockerSandbox) backend.create(SandboxSpec.newBuilder().label("test-run", RUN).build());
        String id = sandbox.id();
        String container = sandbox.containerId();
        String userSaw;
        String kept;
        try {
            ExecResult setUp = sandbox.execStateful("mkdir -p /tmp/work && cd /tmp/work && export KEPT='before the kill' "
                    + "&& printf 'written before\\n' > notes.txt", S, T);
            assertThat(setUp.exitCode()).isZero();
            long bgPid = sandbox.execStateful("sleep 300 &", S, T).backgroundPid().orElseThrow();
            assertThat(sandbox.listBackgroundProcesses(Optional.of(S))).singleElement()
                    .satisfies(b -> assertThat(b.pid()).isEqualTo(bgPid))
                    .satisfies(b -> assertThat(b.running()).isTrue());

            CompletableFuture<ExecResult> inFlight = CompletableFuture.supplyAsync(
                    () -> sandbox.execStateful(IN_FLIGHT, S, Duration.ofSeconds(60)));
            awaitProcess(backend.docker(), container, "sleep 30");
            long killedAt = System.nanoTime();
            backend.docker().killContainerCmd(container).exec();

            Throwable failure = failureOf(inFlight);
            String took = seconds(killedAt);
            assertThat(failure).isInstanceOf(SandboxUnavailableException.class)
                    .hasMessageStartingWith("\"" + IN_FLIGHT + "\" in session main did not finish: sandbox " + id + " stopped: ")
                    .hasMessageContaining("its container exited with code 137 (killed by signal 9)")
                    .hasMessageContaining("background ones too, ended with it")
                    .hasMessageContaining("The next command starts it again and restores the session's state (cwd, variables, functions)");
            assertThat(running(backend.docker(), container)).as("the kill stopped the container").isFalse();
            userSaw = "SandboxUnavailableException " + took + " after the kill: " + failure.getMessage();

            ExecResult next = sandbox.execStateful("pwd; printf '%s/%s\\n' \"$KEPT\" \"${LOST-unset}\"; cat notes.txt", S, T);
            assertThat(next.exitCode()).isZero();
            assertThat(next.stdout()).isEqualTo("/tmp/work\nbefore the kill/unset\nwritten before\n");
            assertThat(next.cwd()).isEqualTo("/tmp/work");
            assertThat(running(backend.docker(), container)).as("the next command started the container again").isTrue();
            assertThat(sandbox.fileRead("/tmp/work/notes.txt", LineRange.all())).isEqualTo("written before\n");
            assertThat(sandbox.listBackgroundProcesses(Optional.of(S))).singleElement()
                    .satisfies(b -> assertThat(b.pid()).isEqualTo(bgPid))
                    .satisfies(b -> assertThat(b.running()).as("a background process of the killed container").isFalse());
            assertThat(containersOf(backend.docker(), id)).as("the recovery made no new container").containsExactly(container);
            kept = "next command on the same client: container started again, cwd /tmp/work and KEPT restored, "
                    + "in-flight cd/export not applied, notes.txt intact; background sleep 300 (pid " + bgPid + ") listed as not running";
        } finally {
            sandbox.destroy();
        }
        assertThat(containersOf(backend.docker(), id)).isEmpty();
        DockerFaults.report("container killed (docker kill, SIGKILL) while `sleep 30` runs", userSaw, kept,
                "1 container during, 0 labelled sandbox-id=" + id + " after destroy");
    }
}
