package io.sandboxops.core.docker;

import static io.sandboxops.core.docker.DockerFaults.awaitProcess;
import static io.sandboxops.core.docker.DockerFaults.containersOf;
import static io.sandboxops.core.docker.DockerFaults.failureOf;
import static io.sandboxops.core.docker.DockerFaults.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.testing.LocalDockerd;
import io.sandboxops.core.testing.RequiresDocker;
import io.sandboxops.core.testing.RequiresEngineRestart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, fault "the Docker engine restarted while sessions are open": dockerd stopped with SIGTERM and started
 * again with the same command line, while two sandboxes with open sessions exist on one client and one runs a
 * command. The command fails at once saying the engine connection broke; while the engine is down every call
 * fails fast asking whether dockerd runs; once it is back, the next command on each sandbox, same client, starts
 * its container again and restores its session; files stay; background processes are reported ended.
 *
 * <p>Disruptive (every container on the engine stops), so it runs only when asked for: see
 * {@link RequiresEngineRestart}. The engine is started again in any case, even when an assertion fails.
 */
@RequiresDocker
@RequiresEngineRestart
class DockerEngineRestartFaultTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static final Duration ENGINE_WAIT = Duration.ofSeconds(60);
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
    void openSessionsOnOneClientComeBackAfterTheEngineRestarts() throws Exception {
        LocalDockerd dockerd = LocalDockerd.find();
        DockerSandbox alpha = (DockerSandbox) backend.create(SandboxSpec.newBuilder().label("test-run", RUN).build());
        DockerSandbox beta = (DockerSandbox) backend.create(SandboxSpec.newBuilder().label("test-run", RUN).build());
        // A second client on beta that makes no call while the engine is down, as a console left open would.
        DockerSandboxBackend idleClient = DockerSandboxBackend.fromEnvironment();
        Sandbox betaIdle = idleClient.get(beta.id());
        String userSaw;
        String whileDown;
        String kept;
        try {
            assertThat(alpha.execStateful("mkdir -p /tmp/a && cd /tmp/a && export WHO=alpha && printf 'alpha file\\n' > note.txt", S, T)
                    .exitCode()).isZero();
            assertThat(beta.execStateful("mkdir -p /tmp/b && cd /tmp/b && export WHO=beta", S, T).exitCode()).isZero();
            long bgPid = beta.execStateful("sleep 300 &", S, T).backgroundPid().orElseThrow();
            assertThat(betaIdle.execStateful("cd /tmp && export SEEN=idle", "idle", T).exitCode()).isZero();

            // Calls at once, as a busy console makes them: a client that kept its connections to the engine open would
            // find them broken after the restart.
            List<CompletableFuture<?>> busy = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                busy.add(CompletableFuture.runAsync(alpha::listSessions));
                busy.add(CompletableFuture.runAsync(betaIdle::listSessions));
            }
            busy.forEach(CompletableFuture::join);

            CompletableFuture<ExecResult> inFlight = CompletableFuture.supplyAsync(
                    () -> alpha.execStateful(IN_FLIGHT, S, Duration.ofSeconds(60)));
            awaitProcess(backend.docker(), alpha.containerId(), "sleep 30");

            long stoppedAt = System.nanoTime();
            Map<String, Throwable> down = new LinkedHashMap<>();
            Throwable failure;
            try {
                assertThat(dockerd.stop(ENGINE_WAIT)).as("dockerd ended on SIGTERM within " + ENGINE_WAIT.toSeconds() + " s").isTrue();
                failure = failureOf(inFlight);
                userSaw = "in flight: SandboxUnavailableException " + seconds(stoppedAt) + " after SIGTERM: " + failure.getMessage();

                Map<String, Callable<?>> calls = new LinkedHashMap<>();
                calls.put("execStateful on the other sandbox", () -> beta.execStateful("pwd", S, T));
                calls.put("execStateful on the same session", () -> alpha.execStateful("pwd", S, T));
                calls.put("listBackgroundProcesses", () -> beta.listBackgroundProcesses(Optional.empty()));
                calls.put("fileRead", () -> alpha.fileRead("/tmp/a/note.txt", LineRange.all()));
                calls.put("backend.list", () -> backend.list());
                for (Map.Entry<String, Callable<?>> call : calls.entrySet()) {
                    down.put(call.getKey(), failureOf(call.getValue()));
                }
            } finally {
                dockerd = restartEngine(dockerd);
            }
            long downFor = System.nanoTime() - stoppedAt;

            // Which the client sees first depends on dockerd's shutdown: its socket gone, or the container it stopped.
            assertThat(failure).isInstanceOf(SandboxUnavailableException.class)
                    .hasMessageStartingWith("\"" + IN_FLIGHT + "\" in session main did not finish: ")
                    .satisfiesAnyOf(
                            f -> assertThat(f).hasMessageContaining("the connection to the Docker engine at ")
                                    .hasMessageContaining("is dockerd running?")
                                    .hasMessageContaining("the next command starts sandbox " + alpha.id() + " again if it stopped"),
                            f -> assertThat(f).hasMessageContaining("sandbox " + alpha.id() + " stopped: its container exited with code 143")
                                    .hasMessageContaining("The next command starts it again"))
                    .hasMessageContaining("restores the session's state (cwd, variables, functions) as saved after its last finished command");
            List<String> messages = new ArrayList<>();
            down.forEach((call, thrown) -> {
                assertThat(thrown).as(call).isInstanceOf(SandboxUnavailableException.class)
                        .hasMessageContaining("cannot reach the Docker engine at ")
                        .hasMessageContaining("is dockerd running?");
                messages.add(call + ": " + thrown.getMessage());
            });
            whileDown = "while down (" + String.format("%.1f s", downFor / 1e9) + "), each call failed within "
                    + DockerFaults.NO_HANG.toSeconds() + " s with SandboxUnavailableException, e.g. " + messages.get(0);

            ExecResult idle = betaIdle.execStateful("pwd; echo \"$SEEN\"", "idle", T);
            assertThat(idle.exitCode()).as("the first command of the client that was idle through the restart").isZero();
            assertThat(idle.stdout()).isEqualTo("/tmp\nidle\n");
            ExecResult a = alpha.execStateful("pwd; printf '%s/%s\\n' \"$WHO\" \"${LOST-unset}\"; cat note.txt", S, T);
            assertThat(a.exitCode()).isZero();
            assertThat(a.stdout()).isEqualTo("/tmp/a\nalpha/unset\nalpha file\n");
            ExecResult b = beta.execStateful("pwd; echo \"$WHO\"", S, T);
            assertThat(b.exitCode()).isZero();
            assertThat(b.stdout()).isEqualTo("/tmp/b\nbeta\n");
            assertThat(alpha.fileRead("/tmp/a/note.txt", LineRange.all())).isEqualTo("alpha file\n");
            assertThat(beta.listBackgroundProcesses(Optional.of(S))).singleElement()
                    .satisfies(p -> assertThat(p.pid()).isEqualTo(bgPid))
                    .satisfies(p -> assertThat(p.running()).as("a background process from before the restart").isFalse());
            assertThat(containersOf(backend.docker(), alpha.id())).as("no new container").containsExactly(alpha.containerId());
            assertThat(containersOf(backend.docker(), beta.id())).as("no new container").containsExactly(beta.containerId());
            kept = "after the restart, next command on the same client in each sandbox: container started again, "
                    + "cwd and env restored (/tmp/a WHO=alpha, /tmp/b WHO=beta), in-flight cd/export not applied, note.txt intact; "
                    + "background sleep 300 (pid " + bgPid + ") listed as not running; a second client idle through the restart: "
                    + "its first command worked";
        } finally {
            idleClient.close();
            destroy(alpha);
            destroy(beta);
        }
        assertThat(containersOf(backend.docker(), alpha.id())).isEmpty();
        assertThat(containersOf(backend.docker(), beta.id())).isEmpty();
        DockerFaults.report("Docker engine restarted (dockerd SIGTERM, same argv again) with 2 sandboxes' sessions open, one running `sleep 30`",
                userSaw + "; " + whileDown, kept, "2 containers during, 0 labelled with either sandbox-id after destroy");
    }

    /**
     * Starts dockerd again unless the old process still runs, and waits until the engine answers. Runs whatever
     * happened before: the engine must not stay down because a test failed.
     */
    private static LocalDockerd restartEngine(LocalDockerd stopped) throws Exception {
        long deadline = System.nanoTime() + ENGINE_WAIT.toNanos();
        while (stopped.isRunning() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        if (stopped.isRunning()) {
            throw new AssertionError(stopped + " still runs " + ENGINE_WAIT.toSeconds() + " s after SIGTERM; it was not started again");
        }
        LocalDockerd started = stopped.start();
        if (!LocalDockerd.awaitEngine(ENGINE_WAIT)) {
            throw new AssertionError("dockerd (pid " + started.pid() + ", " + String.join(" ", started.argv()) + ") did not answer within "
                    + ENGINE_WAIT.toSeconds() + " s after it was started again; see " + LocalDockerd.LOG);
        }
        return started;
    }

    private static void destroy(Sandbox sandbox) {
        try {
            sandbox.destroy();
        } catch (RuntimeException e) {
            System.err.println("could not destroy " + sandbox.id() + " (the sweep tries again): " + e.getMessage());
        }
    }
}
