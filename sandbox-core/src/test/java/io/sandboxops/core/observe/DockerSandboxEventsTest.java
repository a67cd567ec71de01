package io.sandboxops.core.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.logging.v2.ListLogEntriesRequest;
import com.google.logging.v2.LogEntry;
import com.google.protobuf.TextFormat;
import com.google.protobuf.Value;
import io.grpc.Status;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.KillTarget;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.TransferProgress;
import io.sandboxops.core.docker.DockerSandboxBackend;
import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.testing.LocalTargets;
import io.sandboxops.core.testing.RequiresDocker;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.faults.FaultRule;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The client's operation events on a real Docker engine, delivered to the emulator's Cloud Logging: one event per
 * operation with its fields, and delivery that fails never failing an operation.
 */
@RequiresDocker
class DockerSandboxEventsTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static final String WRITE_LOG_ENTRIES = "google.logging.v2.LoggingServiceV2/WriteLogEntries";

    private static LocalCloud cloud;
    private static CloudTarget target;
    private static GoogleClients clients;

    private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    private final Logger sinkLog = (Logger) LoggerFactory.getLogger(CloudLoggingEventSink.class);

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start();
        target = LocalTargets.of(cloud);
        clients = new GoogleClients(target);
    }

    @AfterAll
    static void stop() {
        if (clients != null) {
            clients.close();
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    @AfterEach
    void release() {
        cloud.faults().clear();
        sinkLog.detachAppender(warnings);
    }

    private static SandboxBackend observed(CloudLoggingEventSink sink) {
        return ObservedSandboxBackend.observe(DockerSandboxBackend.fromEnvironment(), sink, true);
    }

    private static SandboxSpec spec() {
        return SandboxSpec.newBuilder().label("purpose", "events-test").build();
    }

    @Test
    void everyOperationIsOneEventWithBackendModeOutcomeDurationAndAHashedSessionKey() {
        Instant from = Instant.now();
        String id;
        List<String> expected = new ArrayList<>();
        try (SandboxBackend backend = observed(new CloudLoggingEventSink(target))) {
            Sandbox sandbox = backend.create(spec());
            expected.add("create");
            id = sandbox.id();
            try {
                assertThat(sandbox.execStateful("echo hi", "main", T).exitCode()).isZero();
                assertThat(sandbox.execStateful("exit 3", "main", T).exitCode()).isEqualTo(3);
                ExecResult slow = sandbox.execStateful("sleep 20", "main", Duration.ofSeconds(1));
                assertThat(slow.timedOut()).isTrue();
                expected.addAll(List.of("exec", "exec", "exec"));
                sandbox.fileWrite("/workspace/a.txt", "hello", false, false, false);
                assertThat(sandbox.fileRead("/workspace/a.txt", LineRange.all())).isEqualTo("hello");
                assertThatThrownBy(() -> sandbox.fileRead("/workspace/missing.txt", LineRange.all())).isInstanceOf(SandboxNotFoundException.class);
                expected.addAll(List.of("file_write", "file_read", "file_read"));
                sandbox.fileUpload(new ByteArrayInputStream(new byte[10]), 10, "/workspace/b.bin", TransferProgress.NONE);
                sandbox.fileDownload("/workspace/b.bin", new ByteArrayOutputStream(), TransferProgress.NONE);
                expected.addAll(List.of("upload", "download"));
                sandbox.execStateful("sleep 100 &", "main", T);
                sandbox.killBackgroundProcess(new KillTarget.All());
                expected.addAll(List.of("exec", "bg_kill"));
            } finally {
                sandbox.destroy();
                expected.add("destroy");
            }
        }
        List<LogEntry> entries = clientEvents(from);
        entries.forEach(e -> System.out.println("EVENT | " + TextFormat.shortDebugString(e.getJsonPayload())));
        assertThat(entries).extracting(e -> field(e, "operation").getStringValue()).containsExactlyElementsOf(expected);
        String key = SandboxEvent.sessionKey(id);
        assertThat(key).hasSize(16).isNotEqualTo(id);
        assertThat(entries).allSatisfy(e -> {
            assertThat(e.getLogName()).isEqualTo("projects/" + target.projectId() + "/logs/" + SandboxEvent.LOG_ID);
            assertThat(e.getResource().getType()).isEqualTo("global");
            assertThat(field(e, "event").getStringValue()).isEqualTo(SandboxEvent.EVENT);
            assertThat(field(e, "schema_version").getNumberValue()).isEqualTo(SandboxEvent.SCHEMA_VERSION);
            assertThat(field(e, "backend").getStringValue()).isEqualTo("docker");
            assertThat(field(e, "mode").getStringValue()).isEqualTo("container");
            assertThat(field(e, "session_key").getStringValue()).isEqualTo(key);
            assertThat(field(e, "duration_ms").getNumberValue()).isGreaterThanOrEqualTo(0);
            assertThat(TextFormat.shortDebugString(e)).as("the raw session id is never in an event").doesNotContain(id);
        });
        assertThat(entries).extracting(e -> field(e, "outcome").getStringValue())
                .containsExactly("ok", "ok", "ok", "timed_out", "ok", "ok", "not_found", "ok", "ok", "ok", "ok", "ok");
        assertThat(entries.subList(1, 3)).extracting(e -> (int) field(e, "exit_code").getNumberValue()).containsExactly(0, 3);
        assertThat(entries.subList(7, 9)).extracting(e -> (long) field(e, "bytes").getNumberValue()).containsExactly(10L, 10L);
        assertThat(field(entries.get(3), "duration_ms").getNumberValue()).as("the timed-out exec waited for its timeout").isGreaterThanOrEqualTo(1000);
    }

    @Test
    void eventDeliveryThatFailsNeverFailsAnOperationAndIsSaidOnce() {
        warnings.start();
        sinkLog.addAppender(warnings);
        // Cloud Logging down, and slow to say so: every write waits 2 s, then fails.
        cloud.faults().add(FaultRule.forMethod(WRITE_LOG_ENTRIES).failWith(Status.Code.UNAVAILABLE).latency(Duration.ofSeconds(2)).build());
        CloudLoggingEventSink sink = new CloudLoggingEventSink(target,
                new CloudLoggingEventSink.Settings(8, 4, Duration.ofMillis(50), Duration.ofMillis(500)));
        int commands = 60;
        long t0 = System.nanoTime();
        try (SandboxBackend backend = observed(sink)) {
            Sandbox sandbox = backend.create(spec());
            try {
                for (int i = 0; i < commands; i++) {
                    ExecResult r = sandbox.execStateful("echo " + i, "main", T);
                    assertThat(r.exitCode()).isZero();
                    assertThat(r.stdout()).isEqualTo(i + "\n");
                }
                sandbox.fileWrite("/workspace/still.txt", "works", false, false, false);
                assertThat(sandbox.fileRead("/workspace/still.txt", LineRange.all())).isEqualTo("works");
            } finally {
                sandbox.destroy();
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        System.out.println("EVENTS DOWN | " + commands + " execs and a file write/read all succeeded in " + took.toMillis() + " ms while "
                + cloud.faults().injectedErrorCount() + " WriteLogEntries calls failed after 2 s each; " + sink.dropped() + " events dropped, "
                + sink.delivered() + " delivered");
        assertThat(cloud.faults().injectedErrorCount()).as("delivery was attempted and failed").isPositive();
        assertThat(sink.delivered()).isZero();
        // create, the execs, a write, a read, destroy: every one not delivered, and counted.
        assertThat(sink.dropped()).as("every event not delivered is counted").isEqualTo(commands + 4);
        // Had an operation waited for its event, 60 execs would have taken at least 60 × 2 s; they never waited.
        assertThat(took).isLessThan(Duration.ofSeconds(60));
        List<String> said = warnings.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(said).filteredOn(m -> m.contains("are being dropped")).hasSize(1);
        assertThat(said).filteredOn(m -> m.contains("were not delivered")).singleElement()
                .satisfies(m -> assertThat(m).startsWith((commands + 4) + " of " + (commands + 4)));
    }

    private static List<LogEntry> clientEvents(Instant since) {
        List<LogEntry> out = new ArrayList<>();
        clients.logging().listLogEntries(ListLogEntriesRequest.newBuilder()
                .addResourceNames("projects/" + target.projectId())
                .setFilter("logName=\"projects/" + target.projectId() + "/logs/" + SandboxEvent.LOG_ID + "\" AND timestamp>=\"" + since + "\"")
                .setOrderBy("timestamp asc").build()).iterateAll().forEach(out::add);
        return out;
    }

    private static Value field(LogEntry e, String name) {
        Map<String, Value> fields = e.getJsonPayload().getFieldsMap();
        assertThat(fields).as("field %s of %s", name, TextFormat.shortDebugString(e.getJsonPayload())).containsKey(name);
        return fields.get(name);
    }
}
