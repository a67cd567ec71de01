package io.sandboxops.app.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.testfx.util.WaitForAsyncUtils.waitFor;

import com.techsenger.jeditermfx.core.TextStyle;
import com.techsenger.jeditermfx.core.model.TerminalTextBuffer;
import io.sandboxops.app.console.environment.EnvironmentCatalog;
import io.sandboxops.app.console.environment.LocalWorkspaceOpener;
import io.sandboxops.app.console.sessions.SessionRow;
import io.sandboxops.app.console.shell.ConsoleLine;
import io.sandboxops.app.console.shell.SessionConsoleView;
import io.sandboxops.app.console.terminal.SessionTerminalView;
import io.sandboxops.app.console.testing.Screenshots;
import io.sandboxops.core.docker.DockerSandboxBackend;
import io.sandboxops.core.testing.RequiresDocker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
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
 * The console's terminal on the local Docker engine (issue 14), in the real window, headless: Tab completes in the
 * sandbox's bash, {@code ls --color=always} leaves coloured cells in the widget's buffer, Ctrl-C interrupts and Ctrl-L
 * clears there instead of acting on the window, and two sessions open as tabs keep their command output and their
 * terminal's screen across a switch. Takes the screenshots of the terminal and of the session tabs.
 */
@RequiresDocker
@ExtendWith(ApplicationExtension.class)
class TerminalWithDockerTest {
    private static final int SLOW = 90;

    private ConsoleWindow window;
    private final List<String> created = new ArrayList<>();

    @Start
    void start(Stage stage) {
        window = ConsoleWindow.show(stage, new ConsoleWindow.Options(EnvironmentCatalog.localOnly(), new LocalWorkspaceOpener(false)));
    }

    @AfterEach
    void cleanUp() {
        WaitForAsyncUtils.asyncFx(window::close);
        WaitForAsyncUtils.waitForFxEvents();
        // A failed test must not leave its containers behind.
        try (DockerSandboxBackend docker = DockerSandboxBackend.fromEnvironment()) {
            for (String id : created) {
                try {
                    docker.get(id).destroy();
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
        }
    }

    @Test
    void aRealTerminalPerSessionKeptAcrossASwitch(FxRobot robot) throws Exception {
        waitFor(SLOW, TimeUnit.SECONDS, () -> robot.lookup("#service-docker").tryQueryAs(Label.class)
                .map(l -> l.getText().equals("Docker: up")).orElse(false));
        String first = create(robot);

        // The command view: live output (on by default), then what it printed stays in view.
        robot.clickOn("#commandField").write("for i in $(seq 1 60); do echo \"row $i\"; done; printf '\\033[32mgreen\\033[0m\\n'").type(KeyCode.ENTER);
        waitFor(SLOW, TimeUnit.SECONDS, () -> output(robot).getItems().stream().anyMatch(l -> l.text().equals("green") && !l.colours().isEmpty()));
        waitFor(SLOW, TimeUnit.SECONDS, () -> robot.lookup("#exitCode").queryAs(Label.class).getText().equals("exit 0"));
        waitFor(10, TimeUnit.SECONDS, () -> commandView(robot).lastLineVisible());

        // The terminal: opened, the keyboard in it.
        robot.clickOn("#terminalTab");
        robot.clickOn("#openTerminal");
        waitFor(SLOW, TimeUnit.SECONDS, () -> buffer(robot) != null && screen(robot).contains("$"));
        robot.write("ech").type(KeyCode.TAB);
        waitFor(30, TimeUnit.SECONDS, () -> screen(robot).contains("echo"));
        robot.write("\"completed\"").type(KeyCode.ENTER);
        waitFor(30, TimeUnit.SECONDS, () -> screen(robot).contains("\ncompleted"));

        // Ctrl-C reaches the program in the terminal; the window's own Ctrl-L (go to the command line) stays out of it.
        robot.write("sleep 100").type(KeyCode.ENTER);
        robot.press(KeyCode.CONTROL).type(KeyCode.C).release(KeyCode.CONTROL);
        robot.write("echo after$((6*7))").type(KeyCode.ENTER);
        waitFor(30, TimeUnit.SECONDS, () -> screen(robot).contains("after42"));
        robot.press(KeyCode.CONTROL).type(KeyCode.L).release(KeyCode.CONTROL);
        waitFor(30, TimeUnit.SECONDS, () -> !screen(robot).contains("after42"));
        assertThat(robot.targetWindow().getScene().getFocusOwner()).isInstanceOf(javafx.scene.canvas.Canvas.class);

        // The size follows the pane: the shell sees as many rows and columns as the widget shows.
        TerminalTextBuffer shown = buffer(robot);
        String size = shown.getHeight() + " " + shown.getWidth();
        robot.write("stty size").type(KeyCode.ENTER);
        waitFor(30, TimeUnit.SECONDS, () -> screen(robot).contains("\n" + size));
        assertThat(shown.getWidth()).as("columns the pane holds, not the 80 it opened with").isGreaterThan(80);

        robot.write("ls --color=always /").type(KeyCode.ENTER);
        waitFor(30, TimeUnit.SECONDS, () -> colouredCells(buffer(robot)) > 0);
        WaitForAsyncUtils.waitForFxEvents();
        Screenshots.save(window.stage().getScene(), "terminal");
        int coloured = colouredCells(buffer(robot));

        // A second session: its own tab, its own command view, no terminal yet.
        String second = create(robot);
        robot.clickOn("#consoleTab");
        waitFor(10, TimeUnit.SECONDS, () -> output(robot).getItems().stream().noneMatch(l -> l.text().equals("row 60")));
        robot.clickOn("#commandField").write("echo second session").type(KeyCode.ENTER);
        waitFor(SLOW, TimeUnit.SECONDS, () -> output(robot).getItems().stream().anyMatch(l -> l.text().equals("second session")));
        robot.clickOn("#commandField").type(KeyCode.UP).type(KeyCode.UP);
        assertThat(robot.lookup("#commandField").queryAs(TextField.class).getText()).as("the second session's history").isEqualTo("echo second session");
        robot.clickOn("#commandField").type(KeyCode.DOWN);
        WaitForAsyncUtils.waitForFxEvents();
        Screenshots.save(window.stage().getScene(), "session-tabs");
        robot.clickOn("#terminalTab");
        assertThat(buffer(robot)).as("the second session has no terminal yet").isNull();
        // Its own terminal, whose shell's end and exit status are said; what it showed stays.
        robot.clickOn("#openTerminal");
        waitFor(SLOW, TimeUnit.SECONDS, () -> buffer(robot) != null && screen(robot).contains("$"));
        robot.write("exit 3").type(KeyCode.ENTER);
        waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#terminalMessage").queryAs(Label.class).getText().contains("exited with status 3"));
        assertThat(screen(robot)).contains("exit 3");

        // Back to the first: its output and its terminal's screen, colours included, are where they were.
        robot.clickOn("#session-" + first);
        waitFor(10, TimeUnit.SECONDS, () -> buffer(robot) != null && colouredCells(buffer(robot)) == coloured);
        assertThat(screen(robot)).contains("ls --color=always /");
        robot.clickOn("#consoleTab");
        assertThat(output(robot).getItems()).anyMatch(l -> l.text().equals("row 60")).noneMatch(l -> l.text().equals("second session"));
        waitFor(10, TimeUnit.SECONDS, () -> commandView(robot).lastLineVisible());
        assertThat(window.sessions().openSessions()).extracting(h -> h.sessionId()).containsExactly(first, second);

        // Closing a tab ends its terminal and lets its client go; the session itself runs on.
        var terminalOfFirst = window.sessionTabs().shownProperty().get().terminal();
        robot.interact(() -> window.sessionTabs().close(window.sessionTabs().shownProperty().get()));
        assertThat(window.sessions().openSessions()).extracting(h -> h.sessionId()).containsExactly(second);
        assertThat(terminalOfFirst.stateProperty().get()).isEqualTo(io.sandboxops.app.console.terminal.SessionTerminalViewModel.State.CLOSED);
        assertThat(window.sessions().allRows()).anyMatch(r -> r.id().equals(first));
    }

    /** Creates a session on Docker and waits until its tab shows it. */
    private String create(FxRobot robot) throws Exception {
        int before = window.sessions().openSessions().size();
        robot.clickOn("#createSession");
        waitFor(SLOW, TimeUnit.SECONDS, () -> window.sessions().openSessions().size() == before + 1);
        String id = window.sessions().openSessions().get(before).sessionId();
        created.add(id);
        waitFor(10, TimeUnit.SECONDS, () -> window.sessions().openSessionProperty().get() != null
                && window.sessions().openSessionProperty().get().sessionId().equals(id)
                && robot.lookup("#session-" + id).tryQuery().isPresent() && robot.lookup("#sessionTabs").query().isVisible());
        try {
            waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#commandField").tryQuery().isPresent());
        } catch (java.util.concurrent.TimeoutException e) {
            System.err.println("DEBUG host " + robot.lookup("#consoleHost").tryQuery().map(n -> ((javafx.scene.layout.Pane) n).getChildren().toString()).orElse("none")
                    + " shown " + window.sessionTabs().shownProperty().get() + " open " + window.sessions().openSessionProperty().get()
                    + " consoleTab selected " + robot.lookup("#sessionTabs").queryAs(javafx.scene.control.TabPane.class).getSelectionModel().getSelectedItem().getId());
            throw e;
        }
        // Seen from this thread while the FX thread still puts the views in: let it finish.
        WaitForAsyncUtils.waitForFxEvents();
        return id;
    }

    @SuppressWarnings("unchecked")
    private static ListView<ConsoleLine> output(FxRobot robot) {
        return robot.lookup("#consoleOutput").queryAs(ListView.class);
    }

    private static SessionConsoleView commandView(FxRobot robot) {
        return robot.lookup(".session-console").queryAs(SessionConsoleView.class);
    }

    private static TerminalTextBuffer buffer(FxRobot robot) {
        return robot.lookup(".session-terminal").tryQueryAs(SessionTerminalView.class).map(SessionTerminalView::buffer).orElse(null);
    }

    private static String screen(FxRobot robot) {
        TerminalTextBuffer b = buffer(robot);
        if (b == null) {
            return "";
        }
        b.lock();
        try {
            return b.getScreenLines();
        } finally {
            b.unlock();
        }
    }

    /** Cells the programs coloured: a foreground other than the terminal's default, read from the widget's buffer. */
    private static int colouredCells(TerminalTextBuffer b) {
        if (b == null) {
            return 0;
        }
        b.lock();
        try {
            int n = 0;
            for (int y = 0; y < b.getHeight(); y++) {
                for (int x = 0; x < b.getWidth(); x++) {
                    TextStyle style = b.getStyleAt(x, y);
                    if (style != null && style.getForeground() != null && b.getCharAt(x, y) != ' ') {
                        n++;
                    }
                }
            }
            return n;
        } finally {
            b.unlock();
        }
    }
}
