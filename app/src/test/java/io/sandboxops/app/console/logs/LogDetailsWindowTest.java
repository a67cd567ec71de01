package io.sandboxops.app.console.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.testfx.util.WaitForAsyncUtils.waitFor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandboxops.app.console.ConsoleWindow;
import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.testing.EmulatedControlPlane;
import io.sandboxops.app.console.testing.Screenshots;
import io.sandboxops.core.observe.CloudLoggingEventSink;
import io.sandboxops.core.observe.LogsService;
import io.sandboxops.core.observe.SandboxEvent;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.ComboBox;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.input.Clipboard;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The logs view in the real window: the client's events, written by the real sink to the emulator, open in the details pane. */
@ExtendWith(ApplicationExtension.class)
class LogDetailsWindowTest {

    private EmulatedControlPlane cloud;
    private ConsoleWindow window;
    private final String key = SandboxEvent.sessionKey("sbx-agent-run-1842");

    @Start
    void start(Stage stage) throws Exception {
        cloud = new EmulatedControlPlane(Files.createTempDirectory("log-details").resolve("audit.jsonl"));
        try (CloudLoggingEventSink sink = new CloudLoggingEventSink(cloud.target)) {
            sink.record(new SandboxEvent(Instant.now(), "docker", "session", "create", SandboxEvent.Outcome.OK, 840, key,
                    OptionalInt.empty(), OptionalLong.empty()));
            sink.record(new SandboxEvent(Instant.now(), "docker", "session", "exec", SandboxEvent.Outcome.OK, 1250, key,
                    OptionalInt.of(0), OptionalLong.empty()));
            sink.record(new SandboxEvent(Instant.now(), "cloudrun", "session", "exec", SandboxEvent.Outcome.OK, 2310, key,
                    OptionalInt.of(2), OptionalLong.empty()));
            sink.record(new SandboxEvent(Instant.now(), "cloudrun", "session", "file_read", SandboxEvent.Outcome.UNAVAILABLE, 15_020, key,
                    OptionalInt.empty(), OptionalLong.of(4096)));
        }
        window = ConsoleWindow.show(stage, new ConsoleWindow.Options(() -> List.of(ConsoleEnvironment.local()), env -> cloud.workspace(env)));
    }

    @AfterEach
    void close() {
        WaitForAsyncUtils.asyncFx(window::close);
        WaitForAsyncUtils.waitForFxEvents();
        cloud.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aLogEntryOpensInTheDetailsPaneAndCopyPutsItsJsonOnTheClipboard(FxRobot robot) throws Exception {
        robot.interact(() -> {
            TabPane tabs = robot.lookup("#mainTabs").queryAs(TabPane.class);
            tabs.getSelectionModel().select(tabs.getTabs().stream().filter(t -> "logsTab".equals(t.getId())).findFirst().orElseThrow());
        });
        ComboBox<QueryChoice> queries = robot.lookup("#queryChoice").queryAs(ComboBox.class);
        robot.interact(() -> queries.getSelectionModel().select(queries.getItems().stream()
                .filter(q -> q.filter().equals(LogsService.CLIENT_EVENTS.filter())).findFirst().orElseThrow()));
        TableView<LogRow> logs = robot.lookup("#logsTable").queryAs(TableView.class);
        waitFor(30, TimeUnit.SECONDS, () -> logs.getItems().size() == 4);
        assertThat(robot.lookup("#logDetails").tryQuery()).as("no details pane before an entry is picked").isEmpty();
        assertThat(logs.getItems()).extracting(LogRow::backend, LogRow::operation, LogRow::duration, LogRow::exit).containsExactly(
                org.assertj.core.groups.Tuple.tuple("docker", "create · ok", "840 ms", ""),
                org.assertj.core.groups.Tuple.tuple("docker", "exec · ok", "1,250 ms", "0"),
                org.assertj.core.groups.Tuple.tuple("cloudrun", "exec · ok", "2,310 ms", "2"),
                org.assertj.core.groups.Tuple.tuple("cloudrun", "file_read · unavailable", "15.0 s", ""));

        // A person clicks the failed read.
        robot.clickOn(robot.from(logs).lookup(".table-row-cell").nth(3).queryAs(javafx.scene.Node.class));
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#logDetails").tryQuery().map(javafx.scene.Node::isVisible).orElse(false));
        TextArea details = robot.lookup("#logEntryJson").queryAs(TextArea.class);
        JsonNode entry = new ObjectMapper().readTree(details.getText());
        assertThat(entry.path("jsonPayload").path("operation").asText()).isEqualTo("file_read");
        assertThat(entry.path("jsonPayload").path("outcome").asText()).isEqualTo("unavailable");
        assertThat(entry.path("jsonPayload").path("session_key").asText()).isEqualTo(key);
        assertThat(entry.path("jsonPayload").path("bytes").asDouble()).isEqualTo(4096);
        assertThat(entry.path("severity").asText()).isEqualTo("ERROR");
        assertThat(entry.path("insertId").asText()).isNotEmpty();
        assertThat(entry.path("timestamp").asText()).isNotEmpty();
        assertThat(entry.path("resource").path("labels").path("project_id").asText()).isEqualTo(cloud.target.projectId());
        Screenshots.save(window.stage().getScene(), "logs-details");

        robot.clickOn("#copyLogEntry");
        String copied = WaitForAsyncUtils.asyncFx(() -> Clipboard.getSystemClipboard().getString()).get(10, TimeUnit.SECONDS);
        assertThat(copied).isEqualTo(details.getText());
        assertThat(new ObjectMapper().readTree(copied)).isEqualTo(entry);

        robot.clickOn("#closeLogDetails");
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#logDetails").tryQuery().isEmpty());
        assertThat(logs.getSelectionModel().getSelectedItem()).isNull();
        assertThat(robot.lookup("#auditTable").tryQuery()).as("the audit is back in its place").isPresent();
    }
}
