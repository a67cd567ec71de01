package io.sandboxops.emulator.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.api.MonitoredResource;
import com.google.api.gax.rpc.BidiStream;
import com.google.api.gax.rpc.InvalidArgumentException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.logging.v2.LoggingClient;
import com.google.logging.type.LogSeverity;
import com.google.logging.v2.ListLogEntriesRequest;
import com.google.logging.v2.LogEntry;
import com.google.logging.v2.TailLogEntriesRequest;
import com.google.logging.v2.TailLogEntriesResponse;
import com.google.logging.v2.WriteLogEntriesRequest;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.sandboxops.emulator.CloudClients;
import io.sandboxops.emulator.LocalCloud;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LoggingApiTest {

    private static LocalCloud cloud;
    private static LoggingClient logging;
    private static String project;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start();
        logging = CloudClients.logging(cloud.endpoints());
        project = "projects/" + cloud.endpoints().projectId();
    }

    @AfterAll
    static void stop() {
        logging.close();
        cloud.close();
    }

    private static LogEntry entry(String log, LogSeverity severity, String text, Instant at) {
        return LogEntry.newBuilder()
                .setLogName(project + "/logs/" + log)
                .setResource(MonitoredResource.newBuilder().setType("cloud_run_job").putLabels("job_name", "writer"))
                .setSeverity(severity)
                .setTextPayload(text)
                .setTimestamp(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()))
                .build();
    }

    private static List<LogEntry> list(String filter, String orderBy) {
        List<LogEntry> out = new ArrayList<>();
        logging.listLogEntries(ListLogEntriesRequest.newBuilder().addResourceNames(project).setFilter(filter)
                .setOrderBy(orderBy).setPageSize(2).build()).iterateAll().forEach(out::add);
        return out;
    }

    @Test
    void writtenEntriesAreListedWithFiltersOrderAndPaging() {
        Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
        logging.writeLogEntries(WriteLogEntriesRequest.newBuilder()
                .addEntries(entry("app", LogSeverity.INFO, "first", t0))
                .addEntries(entry("app", LogSeverity.ERROR, "second", t0.plusSeconds(60)))
                .addEntries(entry("app", LogSeverity.WARNING, "third", t0.plusSeconds(120)))
                .addEntries(entry("other", LogSeverity.CRITICAL, "elsewhere", t0.plusSeconds(180)))
                .putLabels("source", "test")
                .build());
        String app = "logName=\"" + project + "/logs/app\"";
        assertThat(list(app, "")).extracting(LogEntry::getTextPayload).containsExactly("first", "second", "third");
        assertThat(list(app, "timestamp desc")).extracting(LogEntry::getTextPayload).containsExactly("third", "second", "first");
        assertThat(list(app + " AND severity>=WARNING", "")).extracting(LogEntry::getTextPayload).containsExactly("second", "third");
        assertThat(list(app + " AND timestamp>=\"2030-01-01T00:01:00Z\" AND timestamp<\"2030-01-01T00:02:00Z\"", ""))
                .extracting(LogEntry::getTextPayload).containsExactly("second");
        assertThat(list("labels.source=test AND (textPayload:fir OR textPayload=elsewhere)", ""))
                .extracting(LogEntry::getTextPayload).containsExactly("first", "elsewhere");
        assertThat(list("labels.source=test AND NOT severity=INFO AND -logName:other", ""))
                .extracting(LogEntry::getTextPayload).containsExactly("second", "third");
        assertThat(list("resource.type=\"cloud_run_job\" resource.labels.job_name=\"writer\" labels.source=test", "")).hasSize(4);
        assertThat(list(app, "")).allSatisfy(e -> assertThat(e.getInsertId()).isNotEmpty());
        assertThat(logging.listLogs(project).iterateAll()).contains(project + "/logs/app", project + "/logs/other");
    }

    @Test
    void jsonPayloadFieldsCanBeFilteredOn() {
        logging.writeLogEntries(WriteLogEntriesRequest.newBuilder()
                .setLogName(project + "/logs/structured")
                .setResource(MonitoredResource.newBuilder().setType("global"))
                .addEntries(LogEntry.newBuilder().setJsonPayload(Struct.newBuilder()
                        .putFields("event", Value.newBuilder().setStringValue("rollback").build())
                        .putFields("detail", Value.newBuilder().setStructValue(Struct.newBuilder()
                                .putFields("percent", Value.newBuilder().setNumberValue(25).build())).build())))
                .addEntries(LogEntry.newBuilder().setJsonPayload(Struct.newBuilder()
                        .putFields("event", Value.newBuilder().setStringValue("step").build())))
                .build());
        assertThat(list("jsonPayload.event=\"rollback\" AND jsonPayload.detail.percent>=20", "")).hasSize(1);
        assertThat(list("jsonPayload.event=step", "")).hasSize(1);
    }

    @Test
    void badRequestsNameTheField() {
        assertThatThrownBy(() -> logging.writeLogEntries(WriteLogEntriesRequest.newBuilder()
                .addEntries(LogEntry.newBuilder().setTextPayload("no log name")).build()))
                .isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.getErrorDetails().getBadRequest().getFieldViolations(0).getField()).isEqualTo("log_name"));
        assertThatThrownBy(() -> list("severity>=LOUD", ""))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.getMessage()).contains("filter"));
        assertThatThrownBy(() -> logging.listLogEntries(ListLogEntriesRequest.newBuilder().build()).iterateAll().iterator().hasNext())
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void logsCanBeDeleted() {
        logging.writeLogEntries(WriteLogEntriesRequest.newBuilder()
                .addEntries(entry("doomed", LogSeverity.INFO, "bye", Instant.now())).build());
        logging.deleteLog(project + "/logs/doomed");
        assertThat(list("logName=\"" + project + "/logs/doomed\"", "")).isEmpty();
        assertThatThrownBy(() -> logging.deleteLog(project + "/logs/doomed")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void tailStreamsNewMatchingEntries() {
        BidiStream<TailLogEntriesRequest, TailLogEntriesResponse> tail = logging.tailLogEntriesCallable().call();
        List<LogEntry> received = new CopyOnWriteArrayList<>();
        tail.send(TailLogEntriesRequest.newBuilder().addResourceNames(project).setFilter("logName:tailed severity>=ERROR").build());
        Thread reader = new Thread(() -> tail.forEach(r -> received.addAll(r.getEntriesList())));
        reader.setDaemon(true);
        reader.start();
        // The stream is registered when the first request arrives; keep writing until something comes through.
        await().atMost(10, TimeUnit.SECONDS).pollInterval(100, TimeUnit.MILLISECONDS).until(() -> {
            logging.writeLogEntries(WriteLogEntriesRequest.newBuilder()
                    .addEntries(entry("tailed", LogSeverity.INFO, "quiet", Instant.now()))
                    .addEntries(entry("tailed", LogSeverity.ERROR, "loud", Instant.now()))
                    .build());
            return !received.isEmpty();
        });
        tail.closeSend();
        assertThat(received).extracting(LogEntry::getTextPayload).containsOnly("loud");
    }
}
