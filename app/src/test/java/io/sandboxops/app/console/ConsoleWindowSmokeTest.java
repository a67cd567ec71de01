package io.sandboxops.app.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.testfx.util.WaitForAsyncUtils.waitFor;

import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.ServiceStatus;
import io.sandboxops.app.console.testing.FakeSandboxBackend;
import io.sandboxops.app.console.testing.FakeWorkspace;
import io.sandboxops.app.console.testing.Screenshots;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The real window, headless, over an in-memory backend: it opens on local and says what is unavailable. */
@ExtendWith(ApplicationExtension.class)
class ConsoleWindowSmokeTest {

    private static final ConsoleEnvironment PRODUCTION = new ConsoleEnvironment("prod-eu", ConsoleEnvironment.Kind.GCP, true, false,
            "project agents-prod, europe-west1");
    private static final ConsoleEnvironment AUDIT = new ConsoleEnvironment("audit", ConsoleEnvironment.Kind.GCP, false, true, "read-only");
    private final FakeSandboxBackend backend = new FakeSandboxBackend();
    private ConsoleWindow window;

    @Start
    void start(Stage stage) {
        Instant now = Instant.now();
        backend.add("sbx-agent-run-1842", now.minusSeconds(3 * 3600 + 120))
                .execStateful("cd /workspace/repo && pytest -q tests/test_api.py", "sbx-agent-run-1842", java.time.Duration.ofSeconds(5));
        backend.add("sbx-agent-run-1843", now.minusSeconds(640))
                .execStateful("export API_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789 && npm test", "sbx-agent-run-1843", java.time.Duration.ofSeconds(5));
        backend.add("sbx-agent-run-1844", now.minusSeconds(25));
        backend.add("sbx-crashed-0917", now.minusSeconds(26 * 3600));
        backend.setState("sbx-crashed-0917", "exited");
        window = ConsoleWindow.show(stage, new ConsoleWindow.Options(() -> List.of(ConsoleEnvironment.local(), PRODUCTION, AUDIT),
                env -> new FakeWorkspace(env, Map.of(FakeSandboxBackend.NAME, backend), List.of(
                        new ServiceStatus("Docker", ServiceStatus.Health.UP, "engine answers"),
                        new ServiceStatus("Emulator", ServiceStatus.Health.UNAVAILABLE, "port 8085 is in use")))));
    }

    @AfterEach
    void close() {
        // As ConsoleApp.stop() does, on the JavaFX thread.
        org.testfx.util.WaitForAsyncUtils.asyncFx(window::close);
        org.testfx.util.WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void opensOnLocalListsTheSessionsAndSaysWhatIsUnavailable(FxRobot robot) throws Exception {
        TableView<?> table = robot.lookup("#sessionsTable").queryAs(TableView.class);
        waitFor(10, TimeUnit.SECONDS, () -> table.getItems().size() == 4);
        assertThat(robot.lookup("#service-emulator").queryAs(Label.class).getText()).isEqualTo("Emulator: unavailable");
        assertThat(robot.lookup("#statusMessage").queryAs(Label.class).getText()).isEqualTo("Opened local. Emulator unavailable: port 8085 is in use");
        assertThat(robot.lookup("#environmentBanner").queryAs(Label.class).isVisible()).isFalse();
        assertThat(robot.lookup("#noSessionLabel").queryAs(Label.class).isVisible()).isTrue();
        Screenshots.save(window.stage().getScene(), "main-window");
    }

    @Test
    void aPageIsBuiltOnlyWhenItsTabIsFirstSelected(FxRobot robot) {
        var tabs = robot.lookup("#mainTabs").queryAs(javafx.scene.control.TabPane.class);
        javafx.scene.control.Tab rollout = tabs.getTabs().stream().filter(t -> "rolloutTab".equals(t.getId())).findFirst().orElseThrow();
        javafx.scene.control.Tab logs = tabs.getTabs().stream().filter(t -> "logsTab".equals(t.getId())).findFirst().orElseThrow();
        assertThat(rollout.getContent()).isNull();
        assertThat(logs.getContent()).isNull();
        assertThat(robot.lookup("#rolloutHeadline").tryQuery()).isEmpty();

        // Whoever selects the tab finds its nodes right after: the view is built within the selection.
        robot.interact(() -> {
            tabs.getSelectionModel().select(rollout);
            assertThat(rollout.getContent()).isNotNull();
        });
        assertThat(robot.lookup("#rolloutHeadline").tryQuery()).isPresent();
        // Built once: selecting it again keeps the same view, and the other pages are still not built.
        var built = rollout.getContent();
        robot.interact(() -> tabs.getSelectionModel().select(0));
        robot.interact(() -> tabs.getSelectionModel().select(rollout));
        assertThat(rollout.getContent()).isSameAs(built);
        assertThat(logs.getContent()).isNull();
    }

    @Test
    void aProductionEnvironmentShowsTheRedBannerAndAReadOnlyOneDisablesWrites(FxRobot robot) throws Exception {
        Label banner = robot.lookup("#environmentBanner").queryAs(Label.class);
        robot.interact(() -> robot.lookup("#environmentChoice").queryComboBox().getSelectionModel().select(PRODUCTION));
        waitFor(10, TimeUnit.SECONDS, banner::isVisible);
        assertThat(banner.getText()).startsWith("PRODUCTION — prod-eu");
        assertThat(banner.getStyleClass()).contains("banner-production");
        TableView<?> table = robot.lookup("#sessionsTable").queryAs(TableView.class);
        waitFor(10, TimeUnit.SECONDS, () -> table.getItems().size() == 4);
        robot.interact(() -> table.getSelectionModel().select(1));
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#sessionTabs").query().isVisible());
        robot.clickOn("#commandField").write("echo hello from the console");
        robot.type(javafx.scene.input.KeyCode.ENTER);
        // Production: a command runs only once the name is typed, as every write there (issue 12, attack 5).
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(".dialog-pane .text-field").tryQuery().isPresent());
        robot.clickOn(robot.lookup(".dialog-pane .text-field").queryAs(javafx.scene.control.TextField.class)).write("prod-eu");
        robot.clickOn("Confirm");
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#exitCode").queryAs(Label.class).getText().equals("exit 0"));
        Screenshots.save(window.stage().getScene(), "production-environment");

        robot.interact(() -> robot.lookup("#environmentChoice").queryComboBox().getSelectionModel().select(AUDIT));
        waitFor(10, TimeUnit.SECONDS, () -> banner.getText().startsWith("READ-ONLY"));
        waitFor(10, TimeUnit.SECONDS, () -> table.getItems().size() == 4);
        assertThat(robot.lookup("#createSession").queryButton().isDisabled()).isTrue();
        robot.interact(() -> robot.lookup("#themeToggle").queryButton().fire());
        robot.interact(() -> table.getSelectionModel().select(0));
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#sessionTabs").query().isVisible());
        assertThat(robot.lookup("#runCommand").queryButton().isDisabled()).isTrue();
        Screenshots.save(window.stage().getScene(), "read-only-light");
    }
}
