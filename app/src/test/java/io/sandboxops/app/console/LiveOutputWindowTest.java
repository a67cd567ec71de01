package io.sandboxops.app.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.testfx.util.WaitForAsyncUtils.waitFor;

import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.ServiceStatus;
import io.sandboxops.app.console.shell.ConsoleLine;
import io.sandboxops.app.console.testing.FakeSandbox;
import io.sandboxops.app.console.testing.FakeSandboxBackend;
import io.sandboxops.app.console.testing.FakeWorkspace;
import io.sandboxops.app.console.testing.Screenshots;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The session console with live output on, in the real window, over a sandbox whose interactive shell is scripted. */
@ExtendWith(ApplicationExtension.class)
class LiveOutputWindowTest {
    private final FakeSandboxBackend backend = new FakeSandboxBackend();
    private FakeSandbox sandbox;
    private ConsoleWindow window;

    @Start
    void start(Stage stage) {
        sandbox = backend.add("sbx-agent-run-1850", Instant.now().minusSeconds(90));
        sandbox.scriptInteractive(1, "collecting 42 items\n",
                "collecting 42 items\ntests/test_api.py ........",
                "collecting 42 items\ntests/test_api.py ........F\nFAILED tests/test_api.py::test_login - AssertionError\n1 failed, 41 passed in 3.2s\n");
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
    void theOutputShowsWhileTheCommandRunsThenItsExitCode(FxRobot robot) throws Exception {
        TableView<?> table = robot.lookup("#sessionsTable").queryAs(TableView.class);
        waitFor(10, TimeUnit.SECONDS, () -> table.getItems().size() == 1);
        robot.interact(() -> table.getSelectionModel().select(0));
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#sessionTabs").query().isVisible());
        assertThat(robot.lookup("#liveOutput").queryAs(CheckBox.class).isSelected()).as("live output is on by default").isTrue();
        robot.clickOn("#commandField").write("pytest -q tests/test_api.py");
        robot.type(javafx.scene.input.KeyCode.ENTER);

        ListView<ConsoleLine> output = robot.lookup("#consoleOutput").queryAs(ListView.class);
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#exitCode").queryAs(Label.class).getText().equals("exit 1"));
        assertThat(output.getItems()).filteredOn(l -> l.kind() == ConsoleLine.Kind.LIVE).extracting(ConsoleLine::text)
                .containsExactly("collecting 42 items", "tests/test_api.py ........F",
                        "FAILED tests/test_api.py::test_login - AssertionError", "1 failed, 41 passed in 3.2s");
        assertThat(sandbox.interactiveCalls).first().isEqualTo("exec: pytest -q tests/test_api.py");
        Screenshots.save(window.stage().getScene(), "session-console-live");
    }
}
