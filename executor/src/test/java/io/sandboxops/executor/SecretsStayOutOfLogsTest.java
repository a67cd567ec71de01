package io.sandboxops.executor;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.google.cloud.run.v2.Execution;
import com.google.cloud.run.v2.Job;
import com.google.logging.v2.ListLogEntriesRequest;
import com.google.protobuf.TextFormat;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.docker.DockerSandboxBackend;
import io.sandboxops.core.testing.RequiresDocker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 8, security: secrets given to a sandbox — in its spec's environment, in commands that export them, in a
 * command that times out, in a background command, in a failing command — never reach a log: not this process's
 * own logs (the product's loggers at DEBUG, stricter than it ships), not Cloud Logging (what the executor and Cloud
 * Run write), not the Cloud Run resources every project viewer can read (executions' arguments and environment
 * overrides, job templates), and not the messages of the exceptions a caller would print.
 *
 * <p>The state a session must restore (its exported variables) is in the state bucket by design, readable only by
 * the sandbox's service account and the operators who own the bucket (deploy/iam).
 */
class SecretsStayOutOfLogsTest {
    private static final String SPEC_SECRET = "spec-key-7f3a9c1e55";
    private static final String TOKEN = "tok-secret-c0ffee-42";
    private static final String PASSWORD = "pw-secret-b4d-1dea";
    private static final String GITHUB = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
    private static final String BEARER = "bearer-secret-0123456789abcdef";
    private static final String TIMED_OUT = "tok-secret-sleepy-555";
    private static final String BACKGROUND = "tok-secret-background-666";
    private static final List<String> SECRETS = List.of(SPEC_SECRET, TOKEN, PASSWORD, GITHUB, BEARER, TIMED_OUT, BACKGROUND);

    private static LocalCloudHarness harness;

    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private final Logger product = (Logger) LoggerFactory.getLogger("io.sandboxops");
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private Level productLevel;

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @BeforeEach
    void capture() {
        productLevel = product.getLevel();
        product.setLevel(Level.DEBUG);
        captured.start();
        root.addAppender(captured);
    }

    @AfterEach
    void release() {
        root.detachAppender(captured);
        product.setLevel(productLevel);
    }

    @Test
    @RequiresDocker
    void dockerBackend() {
        try (SandboxBackend backend = DockerSandboxBackend.fromEnvironment()) {
            List<String> messages = workload(backend);
            assertNoSecretIn("exception messages", messages);
            assertNoSecretIn("this process's logs", logLines());
            System.out.println("SECURITY | docker | " + SECRETS.size() + " secrets in spec env, exports, a timed-out, a failing and a "
                    + "background command | none in " + captured.list.size() + " log events of this process at DEBUG, none in "
                    + messages.size() + " exception messages");
        }
    }

    @Test
    @RequiresPrivateNamespaces
    void cloudRunBackendInOnceMode() {
        cloudRun("once");
    }

    @Test
    @RequiresPrivateNamespaces
    void cloudRunBackendInSessionMode() {
        cloudRun("session");
    }

    private void cloudRun(String mode) {
        if (harness == null) {
            harness = LocalCloudHarness.withProcessRunner();
        }
        // Opened as the product opens it: the client operation events land in the same Cloud Logging, checked too.
        try (SandboxBackend backend = harness.observedBackend(Map.of("SANDBOX_MODE", mode, "SANDBOX_IDLE_TIMEOUT", "30s"))) {
            List<String> messages = workload(backend);
            assertNoSecretIn("exception messages", messages);
            assertNoSecretIn("this process's logs", logLines());
            List<String> cloudLogging = cloudLogging();
            assertThat(cloudLogging).as("the executor logged something to check").isNotEmpty();
            assertNoSecretIn("Cloud Logging", cloudLogging);
            List<String> resources = cloudRunResources();
            assertNoSecretIn("Cloud Run executions and jobs", resources);
            if (mode.equals("once")) {
                // The executions' arguments are read (and name the command's object instead of holding it).
                assertThat(resources).anyMatch(r -> r.contains("--command-object"));
            }
            System.out.println("SECURITY | cloudrun/" + mode + " | " + SECRETS.size() + " secrets in spec env, exports, a timed-out, a "
                    + "failing and a background command | none in " + captured.list.size() + " log events of this process at DEBUG, "
                    + cloudLogging.size() + " Cloud Logging entries, " + resources.size() + " executions and jobs, "
                    + messages.size() + " exception messages");
        }
    }

    /** Gives the secrets to a sandbox in every way a user would; returns the messages of the exceptions it met. */
    private static List<String> workload(SandboxBackend backend) {
        List<String> messages = new ArrayList<>();
        Sandbox sandbox = backend.create(SandboxSpec.newBuilder().env("OPENAI_API_KEY", SPEC_SECRET).build());
        try {
            Duration t = Duration.ofSeconds(60);
            assertThat(sandbox.execStateful("export API_TOKEN=" + TOKEN + " DB_PASSWORD='" + PASSWORD + "' NOTE=" + GITHUB, "main", t)
                    .exitCode()).isZero();
            assertThat(sandbox.execStateful("test \"$API_TOKEN\" = " + TOKEN + " && test \"$OPENAI_API_KEY\" = " + SPEC_SECRET, "main", t)
                    .exitCode()).as("the secrets reached the sandbox").isZero();
            assertThat(sandbox.execStateful("false \"Authorization: Bearer " + BEARER + "\"", "main", t).exitCode()).isEqualTo(1);
            try {
                sandbox.execStateful("API_TOKEN=" + TIMED_OUT + " sleep 30", "main", Duration.ofSeconds(1));
            } catch (SandboxException e) {
                messages.add(e.getMessage());
            }
            sandbox.execStateful("API_TOKEN=" + BACKGROUND + " sleep 30 &", "main", t);
            sandbox.listBackgroundProcesses(Optional.empty());
            sandbox.sessionInfo("main");
            sandbox.listSessions();
        } finally {
            sandbox.destroy();
        }
        return messages;
    }

    private List<String> logLines() {
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : captured.list) {
            out.add(e.getLoggerName() + " " + e.getFormattedMessage());
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                out.add(t.getClassName() + ": " + t.getMessage());
            }
        }
        return out;
    }

    /** Every entry in the emulator's Cloud Logging: the executors' JSON lines, their stderr, Cloud Run's own. */
    private static List<String> cloudLogging() {
        List<String> out = new ArrayList<>();
        harness.clients.logging().listLogEntries(ListLogEntriesRequest.newBuilder()
                .addResourceNames("projects/" + harness.cloud.endpoints().projectId()).build()).iterateAll()
                .forEach(e -> out.add(TextFormat.shortDebugString(e)));
        return out;
    }

    /** Every job and execution as a project viewer reads them, overrides and templates included. */
    private static List<String> cloudRunResources() {
        List<String> out = new ArrayList<>();
        for (Job job : harness.clients.jobs().listJobs(harness.cloud.endpoints().locationName()).iterateAll()) {
            out.add(TextFormat.shortDebugString(job));
            for (Execution e : harness.clients.executions().listExecutions(job.getName()).iterateAll()) {
                out.add(TextFormat.shortDebugString(e));
            }
        }
        return out;
    }

    private static void assertNoSecretIn(String where, List<String> texts) {
        for (String secret : SECRETS) {
            assertThat(texts).as("%s must not hold %s", where, secret).noneMatch(text -> text.contains(secret));
        }
    }
}
