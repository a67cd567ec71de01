package io.sandboxops.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.cloudrun.CloudRunSettings;
import io.sandboxops.core.cloudrun.MailboxKey;
import java.time.Instant;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExecutorConfigTest {
    private static Map<String, String> env(String... overrides) {
        Map<String, String> env = new HashMap<>(Map.of(
                "CLOUD_RUN_EXECUTION", "job-abc12",
                "SESSION_ID", "sbx-1",
                "SANDBOX_STATE_BUCKET", "state",
                "GOOGLE_CLOUD_PROJECT", "p",
                "SANDBOXOPS_STORAGE_TOKEN", "ds-a-downscoped-token",
                "SANDBOXOPS_STORAGE_TOKEN_EXPIRES", "2030-01-01T00:00:00Z",
                "SANDBOXOPS_MAILBOX_KEY", MailboxKey.generate().toBase64()));
        for (int i = 0; i + 1 < overrides.length; i += 2) {
            if (overrides[i + 1] == null) {
                env.remove(overrides[i]);
            } else {
                env.put(overrides[i], overrides[i + 1]);
            }
        }
        return env;
    }

    @Test
    void aCompleteSessionModeEnvironmentIsReadWithItsDefaults() {
        ExecutorConfig c = ExecutorConfig.parse(env("SANDBOX_SCRATCH_DIR", "/scratch"), List.of());
        assertThat(c.executionId()).isEqualTo("job-abc12");
        assertThat(c.sandboxId()).isEqualTo("sbx-1");
        assertThat(c.bucket()).isEqualTo("state");
        assertThat(c.mode()).isEqualTo(CloudRunSettings.Mode.SESSION);
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(c.shell()).isEqualTo("main");
        assertThat(c.fsRoot()).isEqualTo(Path.of("/"));
        assertThat(c.scratchDir()).isEqualTo(Path.of("/scratch/job-abc12"));
    }

    @Test
    void onceModeArgumentsAreRead() {
        ExecutorConfig c = ExecutorConfig.parse(env("SANDBOX_MODE", "once", "EXECUTION_ID", "explicit"),
                List.of("--kind", "interactive", "--shell", "two", "--timeout", "90s", "--dir", "/tmp", "--command", "echo hi"));
        assertThat(c.executionId()).as("EXECUTION_ID wins over CLOUD_RUN_EXECUTION").isEqualTo("explicit");
        assertThat(c.kind()).isEqualTo(ExecutorConfig.Kind.INTERACTIVE);
        assertThat(c.shell()).isEqualTo("two");
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.dir()).isEqualTo("/tmp");
        assertThat(c.command()).isEqualTo("echo hi");
    }

    @Test
    void theStorageEmulatorIsUsedWhenItsHostIsGivenWithTheSessionsOwnToken() {
        ExecutorConfig c = ExecutorConfig.parse(env("STORAGE_EMULATOR_HOST", "http://127.0.0.1:9401"), List.of());
        assertThat(c.storageHost()).isEqualTo("http://127.0.0.1:9401");
        assertThat(c.token().value()).isEqualTo("ds-a-downscoped-token");
        assertThat(c.token().expiresAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(c.toString()).doesNotContain("ds-a-downscoped-token");
    }

    @Test
    void withoutTheSessionsTokenOrKeyTheExecutorDoesNotStart() {
        for (String name : List.of("SANDBOXOPS_STORAGE_TOKEN", "SANDBOXOPS_MAILBOX_KEY")) {
            Outcome o = run(env(name, null), List.of());
            assertThat(o.status).as(name).isEqualTo(Main.EXIT_CONFIG_MISSING);
            assertThat(o.stderr).as(name).contains(name);
        }
        Outcome bad = run(env("SANDBOXOPS_MAILBOX_KEY", "c2hvcnQ="), List.of());
        assertThat(bad.status).isEqualTo(Main.EXIT_CONFIG_INVALID);
        assertThat(bad.stderr).contains("SANDBOXOPS_MAILBOX_KEY").doesNotContain("c2hvcnQ=");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SESSION_ID", "SANDBOX_STATE_BUCKET", "GOOGLE_CLOUD_PROJECT", "CLOUD_RUN_EXECUTION"})
    void aMissingVariableIsNamedAndExitsWithTheMissingStatus(String name) {
        Outcome o = run(env(name, null), List.of());
        assertThat(o.status).isEqualTo(Main.EXIT_CONFIG_MISSING);
        assertThat(o.stderr).startsWith("executor: configuration error: ").contains(name).endsWith("is not set\n");
        assertThat(o.stderr.lines()).hasSize(1);
        assertThat(o.stdout).as("nothing reaches the structured log before the settings are known").isEmpty();
    }

    @Test
    void aBlankVariableCountsAsMissing() {
        assertThat(run(env("SANDBOX_STATE_BUCKET", "  "), List.of()).status).isEqualTo(Main.EXIT_CONFIG_MISSING);
    }

    @Test
    void onceModeWithoutACommandIsMissingOne() {
        Outcome o = run(env("SANDBOX_MODE", "once"), List.of("--kind", "foreground"));
        assertThat(o.status).isEqualTo(Main.EXIT_CONFIG_MISSING);
        assertThat(o.stderr).contains("--command-object (or --command) is required in once mode");
    }

    @Test
    void aCommandObjectOfAnotherSandboxIsRefused() {
        Outcome o = run(env("SANDBOX_MODE", "once"), List.of("--command-object", "sessions/someone-else/commands/x.json"));
        assertThat(o.status).isEqualTo(Main.EXIT_CONFIG_INVALID);
        assertThat(o.stderr).contains("--command-object must name an object of sandbox");
    }

    @Test
    void aFlagWithoutItsValueIsMissingIt() {
        Outcome o = run(env(), List.of("--timeout"));
        assertThat(o.status).isEqualTo(Main.EXIT_CONFIG_MISSING);
        assertThat(o.stderr).contains("--timeout needs a value");
    }

    @Test
    void malformedSettingsAreNamedAndExitWithTheInvalidStatus() {
        Map<String, List<String>> cases = Map.of(
                "SANDBOX_MODE", List.of("SANDBOX_MODE", "sometimes"),
                "SANDBOX_IDLE_TIMEOUT", List.of("SANDBOX_IDLE_TIMEOUT", "soon"),
                "SESSION_ID", List.of("SESSION_ID", "../escape"));
        cases.forEach((name, override) -> {
            Outcome o = run(env(override.get(0), override.get(1)), List.of());
            assertThat(o.status).as(name).isEqualTo(Main.EXIT_CONFIG_INVALID);
            assertThat(o.stderr).as(name).startsWith("executor: configuration error: ").contains(name);
            assertThat(o.stderr.lines()).as(name).hasSize(1);
        });
    }

    @Test
    void malformedArgumentsAreNamedAndExitWithTheInvalidStatus() {
        for (List<String> args : List.of(List.of("--kind", "sideways"), List.of("--timeout", "later"), List.of("--shell", "a/b"),
                List.of("--verbose", "yes"))) {
            Outcome o = run(env(), args);
            assertThat(o.status).as(args.toString()).isEqualTo(Main.EXIT_CONFIG_INVALID);
            assertThat(o.stderr).as(args.toString()).contains(args.get(0));
        }
    }

    @Test
    void theExitStatusesAreDistinct() {
        assertThat(List.of(Main.EXIT_OK, Main.EXIT_CONFIG_MISSING, Main.EXIT_CONFIG_INVALID, Main.EXIT_STATE, Main.EXIT_INTERNAL))
                .doesNotHaveDuplicates();
    }

    @Test
    void parseThrowsTheMissingKindForAnAbsentBucket() {
        assertThatThrownBy(() -> ExecutorConfig.parse(env("SANDBOX_STATE_BUCKET", null), List.of()))
                .isInstanceOfSatisfying(ExecutorConfig.ConfigException.class, e -> assertThat(e.isMissing()).isTrue());
    }

    private record Outcome(int status, String stdout, String stderr) {
    }

    /** Runs {@link Main#run} with its standard streams captured; only settings problems are run here, no network. */
    private static synchronized Outcome run(Map<String, String> env, List<String> args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int status = Main.run(env, args);
            return new Outcome(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
