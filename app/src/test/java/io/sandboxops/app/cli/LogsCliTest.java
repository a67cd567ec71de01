package io.sandboxops.app.cli;

import static io.sandboxops.app.cli.CliRun.ctl;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.MonitoredResource;
import com.google.logging.type.LogSeverity;
import com.google.logging.v2.LogEntry;
import com.google.logging.v2.WriteLogEntriesRequest;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.sandboxops.app.env.LocalCloudSeeder;
import io.sandboxops.app.env.RunningEmulator;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.env.Secrets;
import io.sandboxops.core.observe.CloudLoggingEventSink;
import io.sandboxops.core.observe.SandboxEvent;
import io.sandboxops.core.testing.LocalTargets;
import io.sandboxops.emulator.LocalCloud;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sandboxctl logs on the local environment: the console's columns and queries, and JSON Lines for scripts. */
class LogsCliTest {
    @TempDir
    static Path home;
    private static String savedHome;
    private static LocalCloud cloud;
    private static final String KEY = SandboxEvent.sessionKey("sbx-cli-logs");

    @BeforeAll
    static void startLocalCloud() {
        savedHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        cloud = LocalCloud.start();
        Environment local = Environment.local();
        try (GoogleClients clients = new GoogleClients(local.localTarget(cloud.endpoints().grpcTarget(), cloud.endpoints().storageHost(),
                cloud.endpoints().accessToken()))) {
            LocalCloudSeeder.seed(clients, local);
            String project = cloud.endpoints().projectId();
            Instant now = Instant.now();
            // A line an agent's job printed: a command with a token in it, an escape sequence, and no structure.
            clients.logging().writeLogEntries(WriteLogEntriesRequest.newBuilder().addEntries(LogEntry.newBuilder()
                    .setLogName("projects/" + project + "/logs/run.googleapis.com%2Fstdout")
                    .setResource(MonitoredResource.newBuilder().setType("cloud_run_job").putLabels("job_name", "sbx-cli-logs"))
                    .setTimestamp(Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
                    .setSeverity(LogSeverity.ERROR)
                    .setJsonPayload(Struct.newBuilder().putFields("message",
                            Value.newBuilder().setStringValue("failed: export API_TOKEN=hunter2secret \u001b[2J").build()))).build());
        }
        try (CloudLoggingEventSink sink = new CloudLoggingEventSink(LocalTargets.of(cloud))) {
            sink.record(new SandboxEvent(Instant.now(), "docker", "session", "exec", SandboxEvent.Outcome.OK, 1250, KEY,
                    OptionalInt.of(0), OptionalLong.empty()));
            sink.record(new SandboxEvent(Instant.now(), "cloudrun", "session", "exec", SandboxEvent.Outcome.UNAVAILABLE, 15_020, KEY,
                    OptionalInt.empty(), OptionalLong.empty()));
        }
        RunningEmulator.record(LocalTargets.of(cloud));
    }

    @AfterAll
    static void stop() {
        RunningEmulator.forget();
        cloud.close();
        System.setProperty("user.home", savedHome);
    }

    @Test
    void jsonPrintsOneObjectPerEntryWithTheStructuredFields() throws Exception {
        CliRun r = ctl("logs", "--query", "client-events", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        List<JsonNode> entries = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            entries.add(new ObjectMapper().readTree(line));
        }
        assertThat(entries).hasSize(2);
        JsonNode docker = entries.get(0);
        assertThat(docker.get("event").asText()).isEqualTo(SandboxEvent.EVENT);
        assertThat(docker.get("backend").asText()).isEqualTo("docker");
        assertThat(docker.get("session").asText()).isEqualTo(KEY);
        assertThat(docker.get("operation").asText()).isEqualTo("exec");
        assertThat(docker.get("outcome").asText()).isEqualTo("ok");
        assertThat(docker.get("duration_ms").asDouble()).isEqualTo(1250);
        assertThat(docker.get("exit_code").asLong()).isZero();
        assertThat(docker.get("entry").get("jsonPayload").get("mode").asText()).isEqualTo("session");
        assertThat(docker.get("entry").get("insertId").asText()).isEqualTo(docker.get("insert_id").asText());
        JsonNode cloudrun = entries.get(1);
        assertThat(cloudrun.get("severity").asText()).isEqualTo("ERROR");
        assertThat(cloudrun.get("outcome").asText()).isEqualTo("unavailable");
        assertThat(cloudrun.get("exit_code").isNull()).isTrue();
    }

    @Test
    void theTextShowsTheConsolesColumnsInertAndMasked() {
        CliRun events = ctl("logs", "--query", "client-events");
        assertThat(events.status()).as(events.err()).isZero();
        String[] lines = events.out().split("\n");
        assertThat(lines[0]).contains("TIME", "SEVERITY", "EVENT", "BACKEND", "SESSION", "OPERATION", "DURATION", "EXIT", "MESSAGE");
        assertThat(lines[1]).contains("sandbox_operation", "docker", KEY, "exec ok", "1,250 ms", " 0 ");
        assertThat(lines[2]).contains("cloudrun", "exec unavailable", "15.0 s");

        CliRun jobs = ctl("logs", "--since", "PT1H");
        assertThat(jobs.status()).as(jobs.err()).isZero();
        assertThat(jobs.out()).contains("[sbx-cli-logs] failed: export API_TOKEN=" + Secrets.MASK).doesNotContain("hunter2secret")
                .doesNotContain("\u001b").contains("\\e[2J");
        CliRun json = ctl("logs", "--json");
        assertThat(json.out()).doesNotContain("hunter2secret").doesNotContain("\u001b");
    }

    @Test
    void listQueriesNamesTheConsolesQueriesAndMisuseIsAUsageError() throws Exception {
        JsonNode queries = ctl("logs", "--list-queries", "--json").json();
        assertThat(queries).extracting(q -> q.get("name").asText())
                .startsWith("executions", "client-events").contains("failed-executions", "slow-executions", "state-store-errors");
        CliRun both = ctl("logs", "--query", "client-events", "--filter", "severity>=ERROR");
        assertThat(both.status()).isEqualTo(2);
        assertThat(both.err()).contains("--query and --filter");
        assertThat(ctl("logs", "--since", "-PT1H").status()).isEqualTo(2);
    }
}
