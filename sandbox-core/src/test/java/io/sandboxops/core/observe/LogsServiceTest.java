package io.sandboxops.core.observe;

import io.sandboxops.core.testing.LocalTargets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.google.api.MonitoredResource;
import com.google.cloud.run.v2.Execution;
import com.google.cloud.run.v2.Job;
import com.google.logging.type.LogSeverity;
import com.google.logging.v2.LogEntry;
import com.google.logging.v2.WriteLogEntriesRequest;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.emulator.LocalCloud;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LogsServiceTest {

    private static LocalCloud cloud;
    private static GoogleClients clients;
    private static LogsService logs;
    private static String project;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start();
        clients = new GoogleClients(LocalTargets.of(cloud));
        logs = new LogsService(clients);
        project = cloud.endpoints().projectId();
    }

    @AfterAll
    static void stop() {
        clients.close();
        cloud.close();
    }

    private static LogEntry structured(String resourceType, LogSeverity severity, Map<String, Value> fields) {
        Instant now = Instant.now();
        return LogEntry.newBuilder()
                .setLogName("projects/" + project + "/logs/sandbox")
                .setResource(MonitoredResource.newBuilder().setType(resourceType).putLabels("project_id", project)
                        .putLabels(resourceType.equals("cloud_run_job") ? "job_name" : "service_name", "sbx-logs"))
                .setSeverity(severity)
                .setTimestamp(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .setJsonPayload(Struct.newBuilder().putAllFields(fields))
                .build();
    }

    private static Value s(String v) {
        return Value.newBuilder().setStringValue(v).build();
    }

    private static Value n(double v) {
        return Value.newBuilder().setNumberValue(v).build();
    }

    @Test
    void thePreparedQueriesFindWhatThePlanSaysTheyFind() {
        clients.logging().writeLogEntries(WriteLogEntriesRequest.newBuilder().addAllEntries(List.of(
                structured("cloud_run_job", LogSeverity.ERROR, Map.of("event", s("job_execution_failed"), "message", s("failed-1"))),
                structured("cloud_run_job", LogSeverity.INFO, Map.of("event", s("job_execution_failed"), "message", s("info-not-error"))),
                structured("cloud_run_job", LogSeverity.INFO, Map.of("event", s("job_execution_completed"), "duration_seconds", n(12.5),
                        "message", s("slow-1"))),
                structured("cloud_run_job", LogSeverity.INFO, Map.of("event", s("job_execution_completed"), "duration_seconds", n(2),
                        "message", s("fast"))),
                structured("cloud_run_service", LogSeverity.ERROR, Map.of("component", s("session_state_manager"),
                        "message", s("state-1"))),
                structured("cloud_run_service", LogSeverity.WARNING, Map.of("component", s("session_state_manager"),
                        "message", s("state-warning"))),
                // What this repository's executor logs.
                structured("cloud_run_job", LogSeverity.ERROR, Map.of("event", s("failed"), "message", s("failed-2"))),
                structured("cloud_run_job", LogSeverity.INFO, Map.of("event", s("request"), "duration_ms", n(12_000), "message", s("slow-2"))),
                structured("cloud_run_job", LogSeverity.INFO, Map.of("event", s("command"), "duration_ms", n(500), "message", s("quick"))),
                structured("cloud_run_job", LogSeverity.ERROR, Map.of("event", s("restore-failed"), "message", s("state-2"))))).build());
        Instant since = Instant.now().minusSeconds(300);

        assertThat(LogsService.preparedQueries()).extracting(PreparedQuery::name)
                .containsExactly("failed-executions", "slow-executions", "state-store-errors");
        assertThat(logs.list(LogsService.preparedQuery("failed-executions").filter(), since, 50)).extracting(LogLine::message)
                .containsExactly("failed-1", "failed-2");
        assertThat(logs.list(LogsService.preparedQuery("slow-executions").filter(), since, 50)).extracting(LogLine::message)
                .containsExactly("slow-1", "slow-2");
        assertThat(logs.list(LogsService.preparedQuery("state-store-errors").filter(), since, 50)).extracting(LogLine::message)
                .containsExactly("state-1", "state-2");
        assertThatThrownBy(() -> LogsService.preparedQuery("nope")).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("failed-executions");
    }

    @Test
    void executionLogsAreListedInOrderAndFilteredBySeverity() throws Exception {
        Job created = clients.jobs().createJobAsync(cloud.endpoints().locationName(), com.google.cloud.run.v2.Job.newBuilder()
                .setTemplate(com.google.cloud.run.v2.ExecutionTemplate.newBuilder().setTemplate(com.google.cloud.run.v2.TaskTemplate.newBuilder()
                        .setMaxRetries(0).addContainers(com.google.cloud.run.v2.Container.newBuilder().setImage("sandboxops/sandbox:latest")
                                .addCommand("sh").addArgs("-c").addArgs("echo one; echo two; echo oops >&2; echo three"))))
                .build(), "sbx-listing").get(30, TimeUnit.SECONDS);
        Execution e = clients.jobs().runJobAsync(created.getName()).get(60, TimeUnit.SECONDS);
        String execution = e.getName().substring(e.getName().lastIndexOf('/') + 1);
        Instant since = Instant.now().minusSeconds(300);

        List<LogLine> lines = logs.list(LogsService.executionFilter("sbx-listing", Optional.of(execution), Optional.empty())
                + " AND logName:\"run.googleapis.com%2Fstdout\"", since, 100);
        assertThat(lines).extracting(LogLine::message).containsExactly("one", "two", "three");
        assertThat(lines).allSatisfy(l -> {
            assertThat(l.execution()).isEqualTo(execution);
            assertThat(l.resource()).isEqualTo("sbx-listing");
            assertThat(l.log()).isEqualTo("run.googleapis.com/stdout");
        });
        assertThat(logs.list(LogsService.executionFilter("sbx-listing", Optional.of(execution), Optional.of("ERROR")), since, 100))
                .extracting(LogLine::message).contains("oops").doesNotContain("one");
        assertThat(logs.list(LogsService.executionFilter("sbx-listing", Optional.empty(), Optional.empty()), since, 2)).hasSize(2);
    }

    @Test
    void tailStreamsNewEntriesUntilClosed() throws Exception {
        List<LogLine> seen = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        String filter = "resource.type=\"cloud_run_service\" AND jsonPayload.component=\"tail-test\"";
        try (AutoCloseable tail = logs.tail(filter, seen::add, errors::add)) {
            await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
                clients.logging().writeLogEntries(WriteLogEntriesRequest.newBuilder().addEntries(structured("cloud_run_service",
                        LogSeverity.INFO, Map.of("component", s("tail-test"), "message", s("live")))).build());
                assertThat(seen).extracting(LogLine::message).contains("live");
            });
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void theClientsEventsComeBackWithTheirColumns() {
        String key = SandboxEvent.sessionKey("sbx-columns");
        try (CloudLoggingEventSink sink = new CloudLoggingEventSink(LocalTargets.of(cloud))) {
            sink.record(new SandboxEvent(Instant.now(), "docker", "session", "exec", SandboxEvent.Outcome.OK, 1250, key,
                    OptionalInt.of(3), OptionalLong.empty()));
            sink.record(new SandboxEvent(Instant.now(), "cloudrun", "session", "file_read", SandboxEvent.Outcome.UNAVAILABLE, 12_500, key,
                    OptionalInt.empty(), OptionalLong.of(42)));
        }
        List<LogLine> lines = logs.list(LogsService.CLIENT_EVENTS.filter() + " AND jsonPayload.session_key=\"" + key + "\"",
                Instant.now().minusSeconds(300), 10);
        assertThat(lines).extracting(LogLine::event, LogLine::backend, LogLine::session, LogLine::operation, LogLine::outcome,
                LogLine::durationText, LogLine::exitText).containsExactly(
                tuple(SandboxEvent.EVENT, "docker", key, "exec", "ok", "1,250 ms", "3"),
                tuple(SandboxEvent.EVENT, "cloudrun", key, "file_read", "unavailable", "12.5 s", ""));
        assertThat(lines.get(0).severity()).isEqualTo("INFO");
        assertThat(lines.get(1).severity()).isEqualTo("ERROR");
        // What no column shows stays readable in the message.
        assertThat(lines.get(0).message()).isEqualTo("schema_version=1 mode=session");
        assertThat(lines.get(1).message()).isEqualTo("schema_version=1 mode=session bytes=42");
        assertThat(lines.get(0).entry()).contains("\"insertId\"", "\"timestamp\"", "\"project_id\": \"" + project + "\"",
                "\"duration_ms\": 1250.0", "sandbox-ops-client");
    }

    @Test
    void theExecutorsLogComesBackWithItsColumns() throws Exception {
        // The lines the executor's JsonLog prints: Cloud Run (here the emulator) turns each into a jsonPayload.
        String script = "echo '{\"severity\":\"INFO\",\"time\":\"2026-11-30T05:00:00Z\",\"event\":\"request\",\"execution_id\":\"ex-1\","
                + "\"session_id\":\"sess-42\",\"op\":\"exec\",\"shell\":\"main\",\"duration_ms\":812}';"
                + "echo '{\"severity\":\"INFO\",\"event\":\"command\",\"session_id\":\"sess-42\",\"shell\":\"main\",\"exit_code\":2,"
                + "\"timed_out\":false,\"duration_ms\":40}'";
        String execution = runJob("sbx-executor-log", script);
        List<LogLine> lines = logs.list(LogsService.executionFilter("sbx-executor-log", Optional.of(execution), Optional.empty())
                + " AND jsonPayload.session_id=\"sess-42\"", Instant.now().minusSeconds(300), 10);
        assertThat(lines).extracting(LogLine::event, LogLine::session, LogLine::operation, LogLine::durationText, LogLine::exitText)
                .containsExactly(tuple("request", "sess-42", "exec", "812 ms", ""), tuple("command", "sess-42", "", "40 ms", "2"));
        assertThat(lines.get(0).message()).isEqualTo("execution_id=ex-1 shell=main");
        assertThat(lines.get(1).message()).isEqualTo("shell=main timed_out=false");
    }

    @Test
    void malformedOrUnknownEntriesFallBackToTheirMessage() {
        String marker = "malformed-" + System.nanoTime();
        clients.logging().writeLogEntries(WriteLogEntriesRequest.newBuilder().addAllEntries(List.of(
                structured("cloud_run_service", LogSeverity.INFO, Map.of("component", s(marker), "answer", n(42))),
                structured("cloud_run_service", LogSeverity.INFO, Map.of("component", s(marker), "event", n(7),
                        "duration_ms", s("slow"), "exit_code", n(1.5), "backend", Value.newBuilder().setStructValue(Struct.newBuilder()
                                .putFields("x", s("y"))).build())))).build());
        List<LogLine> lines = logs.list("jsonPayload.component=\"" + marker + "\"", Instant.now().minusSeconds(300), 10);
        assertThat(lines).hasSize(2);
        // Nothing known: the whole payload, as before.
        assertThat(lines.get(0).message()).contains("\"answer\":42").contains(marker);
        assertThat(lines.get(0).event()).isEmpty();
        // Known names of the wrong type: kept in the message, the columns empty, nothing thrown.
        LogLine odd = lines.get(1);
        assertThat(odd.event()).isEqualTo("7");
        assertThat(odd.durationMs()).isEmpty();
        assertThat(odd.exitCode()).isEmpty();
        assertThat(odd.backend()).isEmpty();
        assertThat(odd.message()).contains("duration_ms=slow", "exit_code=1.5", "backend={\"x\":\"y\"}");
    }

    @Test
    void secretsInAPayloadAreMaskedInTheMessageAndTheWholeEntry() {
        String marker = "secret-" + System.nanoTime();
        String token = "ghp_" + "a".repeat(36);
        clients.logging().writeLogEntries(WriteLogEntriesRequest.newBuilder().addAllEntries(List.of(
                structured("cloud_run_service", LogSeverity.ERROR, Map.of("component", s(marker),
                        "message", s("command failed: API_TOKEN=hunter2secret curl -H 'Authorization: Bearer " + token + "' x"))),
                structured("cloud_run_service", LogSeverity.ERROR, Map.of("component", s(marker), "event", s("failed"),
                        "error", s("export DB_PASSWORD=hunter2secret; ./deploy"))))).build());
        List<LogLine> lines = logs.list("jsonPayload.component=\"" + marker + "\"", Instant.now().minusSeconds(300), 10);
        assertThat(lines).hasSize(2).allSatisfy(l -> {
            assertThat(l.message()).doesNotContain("hunter2secret").doesNotContain(token).contains(io.sandboxops.core.env.Secrets.MASK);
            assertThat(l.entry()).doesNotContain("hunter2secret").doesNotContain(token);
        });
    }

    private String runJob(String name, String script) throws Exception {
        Job created = clients.jobs().createJobAsync(cloud.endpoints().locationName(), com.google.cloud.run.v2.Job.newBuilder()
                .setTemplate(com.google.cloud.run.v2.ExecutionTemplate.newBuilder().setTemplate(com.google.cloud.run.v2.TaskTemplate.newBuilder()
                        .setMaxRetries(0).addContainers(com.google.cloud.run.v2.Container.newBuilder().setImage("sandboxops/sandbox:latest")
                                .addCommand("sh").addArgs("-c").addArgs(script))))
                .build(), name).get(30, TimeUnit.SECONDS);
        Execution e = clients.jobs().runJobAsync(created.getName()).get(60, TimeUnit.SECONDS);
        return e.getName().substring(e.getName().lastIndexOf('/') + 1);
    }
}
