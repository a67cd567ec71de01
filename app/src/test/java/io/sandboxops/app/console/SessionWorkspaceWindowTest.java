package io.sandboxops.app.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.testfx.util.WaitForAsyncUtils.waitFor;

import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.ServiceStatus;
import io.sandboxops.app.console.shell.ConsoleLine;
import io.sandboxops.app.console.testing.FakeSandbox;
import io.sandboxops.app.console.testing.FakeSandboxBackend;
import io.sandboxops.app.console.testing.FakeWorkspace;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javafx.scene.control.IndexedCell;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.skin.VirtualFlow;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The command view of each session keeps its own output, history and place while another session is looked at
 * (issue 14: switching wiped the output and the history was shared), its lines are single-spaced, and new output
 * stays in view. Over sandboxes whose commands are scripted: what is under test is the window, not a backend.
 */
@ExtendWith(ApplicationExtension.class)
class SessionWorkspaceWindowTest {
    private static final String MANY_LINES = IntStream.rangeClosed(1, 80).mapToObj(i -> "line " + i).collect(Collectors.joining("\n", "", "\n"));

    private final FakeSandboxBackend backend = new FakeSandboxBackend();
    private ConsoleWindow window;

    @Start
    void start(Stage stage) {
        FakeSandbox a = backend.add("sbx-a", Instant.now().minusSeconds(60));
        a.onCommand(c -> c.equals("seq") ? FakeSandbox.result(0, MANY_LINES, "") : FakeSandbox.result(0, "", ""));
        backend.add("sbx-b", Instant.now().minusSeconds(30));
        window = ConsoleWindow.show(stage, new ConsoleWindow.Options(() -> List.of(ConsoleEnvironment.local()),
                env -> new FakeWorkspace(env, Map.of(FakeSandboxBackend.NAME, backend),
                        List.of(new ServiceStatus("Docker", ServiceStatus.Health.UP, "engine answers")))));
    }

    @AfterEach
    void close() {
        WaitForAsyncUtils.asyncFx(window::close);
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    @SuppressWarnings("unchecked")
    void eachSessionKeepsItsOutputAndHistoryAcrossASwitch(FxRobot robot) throws Exception {
        TableView<Object> table = robot.lookup("#sessionsTable").queryAs(TableView.class);
        waitFor(10, TimeUnit.SECONDS, () -> table.getItems().size() == 2);
        select(robot, table, "sbx-a");
        run(robot, "seq");
        waitFor(10, TimeUnit.SECONDS, () -> output(robot).getItems().stream().anyMatch(l -> l.text().equals("line 80")));
        waitFor(5, TimeUnit.SECONDS, () -> lastLineInView(robot));

        // Single-spaced: a line of output is about one line of its font high (it was 2.8 em, the theme's list cell).
        WaitForAsyncUtils.waitForFxEvents();
        ListCell<ConsoleLine> line = robot.lookup("#consoleOutput .list-cell").queryAllAs(ListCell.class).stream()
                .map(c -> (ListCell<ConsoleLine>) c)
                .filter(c -> c.getItem() != null && c.getItem().text().equals("line 79")).findFirst().orElseThrow();
        assertThat(line.getHeight()).as("height of one output line").isLessThanOrEqualTo(line.getFont().getSize() * 1.6);

        select(robot, table, "sbx-b");
        waitFor(10, TimeUnit.SECONDS, () -> output(robot).getItems().stream().anyMatch(l -> l.text().startsWith("Session sbx-b")));
        assertThat(output(robot).getItems()).noneMatch(l -> l.text().equals("line 80"));
        run(robot, "echo from b");
        waitFor(10, TimeUnit.SECONDS, () -> output(robot).getItems().stream().anyMatch(l -> l.text().equals("from b")));
        // History is the session's: Up twice in b finds only b's command, not a's "seq".
        robot.clickOn("#commandField").type(KeyCode.UP).type(KeyCode.UP);
        assertThat(robot.lookup("#commandField").queryAs(TextField.class).getText()).isEqualTo("echo from b");

        select(robot, table, "sbx-a");
        waitFor(10, TimeUnit.SECONDS, () -> output(robot).getItems().stream().anyMatch(l -> l.text().equals("line 80")));
        assertThat(output(robot).getItems()).noneMatch(l -> l.text().equals("from b"));
        waitFor(5, TimeUnit.SECONDS, () -> lastLineInView(robot));
        robot.clickOn("#commandField").type(KeyCode.UP);
        assertThat(robot.lookup("#commandField").queryAs(TextField.class).getText()).isEqualTo("seq");
        assertThat(robot.lookup("#exitCode").queryAs(Label.class).getText()).isEqualTo("exit 0");
    }

    private static void select(FxRobot robot, TableView<Object> table, String id) throws Exception {
        Object row = table.getItems().stream().filter(r -> r.toString().contains(id) || id.equals(rowId(r))).findFirst().orElseThrow();
        robot.interact(() -> table.getSelectionModel().select(row));
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#sessionTabs").query().isVisible()
                && robot.lookup("#consoleOutput").tryQuery().isPresent()
                && output(robot).getItems().stream().anyMatch(l -> l.text().startsWith("Session " + id)));
        // Seen from this thread while the FX thread may still be putting the session's views in: let it finish.
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static String rowId(Object row) {
        return ((io.sandboxops.app.console.sessions.SessionRow) row).id();
    }

    private static void run(FxRobot robot, String command) throws Exception {
        waitFor(10, TimeUnit.SECONDS, () -> !robot.lookup("#commandField").query().isDisabled());
        robot.clickOn("#commandField").write(command).type(KeyCode.ENTER);
    }

    @SuppressWarnings("unchecked")
    private static ListView<ConsoleLine> output(FxRobot robot) {
        return robot.lookup("#consoleOutput").queryAs(ListView.class);
    }

    private static boolean lastLineInView(FxRobot robot) {
        ListView<ConsoleLine> list = output(robot);
        VirtualFlow<?> flow = (VirtualFlow<?>) list.lookup(".virtual-flow");
        IndexedCell<?> last = flow.getLastVisibleCell();
        return last != null && last.getIndex() == list.getItems().size() - 1;
    }
}
