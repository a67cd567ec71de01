package io.sandboxops.core.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxContractTest;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.TerminalScreen;
import io.sandboxops.core.api.TerminalSize;
import io.sandboxops.core.observe.ObservedSandboxBackend;
import io.sandboxops.core.observe.SandboxEventSink;
import io.sandboxops.core.testing.RequiresDocker;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
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

    /**
     * Beyond the contract, which sees the state only through the session: a terminal leaves the session's saved state
     * files as they were, byte for byte, however much it changes in its own shell.
     */
    @Test
    void aTerminalNeverWritesTheSessionsSavedState() {
        sandbox.execStateful("cd /tmp && export KEEP=1 && f() { :; }", S, T);
        sandbox.execStateful("alias k=true", S, T);
        Map<String, String> before = savedState();
        try (TerminalScreen t = new TerminalScreen(sandbox.openTerminal(S, TerminalSize.DEFAULT))) {
            int from = t.mark();
            t.type("cd / && export KEEP=2 NEW=3 && unset -f f && unalias k && g() { :; }; echo \"changed=$((1+1))\"; exit 7\r");
            t.await(Pattern.compile("changed=2"), from);
            assertThat(t.terminal().waitFor(T)).hasValue(7);
        }
        assertThat(savedState()).isEqualTo(before);
        assertThat(sandbox.execStateful("echo \"$(pwd) $KEEP ${NEW-none}\"; type -t f; alias k", S, T).stdout())
                .isEqualTo("/tmp 1 none\nfunction\nalias k='true'\n");
    }

    /** The session's state and meta files, read by the file operations (not through the session's shell). */
    private Map<String, String> savedState() {
        Map<String, String> files = new TreeMap<>();
        for (String name : List.of("state.0", "state.1", "meta.0", "meta.1")) {
            files.put(name, sandbox.fileRead(DockerSandbox.STATE_ROOT + "/" + S + "/" + name, LineRange.all()));
        }
        return files;
    }
}
