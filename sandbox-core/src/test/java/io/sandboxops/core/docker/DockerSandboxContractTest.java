package io.sandboxops.core.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxContractTest;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.observe.ObservedSandboxBackend;
import io.sandboxops.core.observe.SandboxEventSink;
import io.sandboxops.core.testing.RequiresDocker;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link SandboxContractTest} on a real Docker engine, through the client-event decorator every caller gets
 * ({@link ObservedSandboxBackend}): observing an operation never changes what it does.
 */
@RequiresDocker
class DockerSandboxContractTest extends SandboxContractTest {
    private static final String RUN = UUID.randomUUID().toString();
    private static SandboxBackend backend;

    @BeforeAll
    static void connect() {
        backend = ObservedSandboxBackend.observe(DockerSandboxBackend.fromEnvironment(), SandboxEventSink.discard(), true);
    }

    @AfterAll
    static void sweep() {
        if (backend != null) {
            // Whatever a failed test left behind; created-now sandboxes of other runs are spared by the label.
            backend.list().stream().filter(s -> RUN.equals(s.labels().get("test-run")))
                    .forEach(s -> backend.get(s.id()).destroy());
            backend.close();
        }
    }

    @Override
    protected SandboxBackend backend() {
        return backend;
    }

    @Override
    protected SandboxSpec.Builder spec() {
        return SandboxSpec.newBuilder().label("test-run", RUN);
    }

    /** Beyond the contract: Docker reaches a stateful command in flight (the console's Stop button). */
    @Test
    void killProcessStopsAStatefulCommandAnotherThreadWaitsFor() throws Exception {
        sandbox.execStateful("cd /tmp", S, T);
        CompletableFuture<ExecResult> waiting = CompletableFuture.supplyAsync(
                () -> sandbox.execStateful("echo begun; sleep 100; echo never", S, T));
        await().atMost(T).ignoreExceptions().untilAsserted(() -> assertThat(sandbox.killProcess(S).running()).isFalse());
        ExecResult r = waiting.get(30, TimeUnit.SECONDS);
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stdout()).isEqualTo("begun\n");
        assertThat(sandbox.execStateful("pwd", S, T).stdout().strip()).isEqualTo("/tmp");
    }
}
