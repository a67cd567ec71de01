package io.sandboxops.app.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.testfx.util.WaitForAsyncUtils.waitFor;

import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.ServiceStatus;
import io.sandboxops.app.console.sessions.SessionsViewModel;
import io.sandboxops.app.console.testing.EmulatedControlPlane;
import io.sandboxops.app.console.testing.FakeSandboxBackend;
import io.sandboxops.app.console.testing.FakeWorkspace;
import io.sandboxops.app.console.testing.Screenshots;
import io.sandboxops.core.rollout.RolloutChange;
import io.sandboxops.core.rollout.RolloutProgress;
import io.sandboxops.core.rollout.SandboxFactory;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import javafx.css.PseudoClass;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** "New session" by rollout rule in the real window: the rule's pick and why, and a pick this environment does not have. */
@ExtendWith(ApplicationExtension.class)
class SessionsByRolloutRuleWindowTest {

    private EmulatedControlPlane cloud;
    private ConsoleWindow window;
    private final FakeSandboxBackend docker = new FakeSandboxBackend(SandboxFactory.DOCKER);

    @Start
    void start(Stage stage) throws Exception {
        cloud = new EmulatedControlPlane(Files.createTempDirectory("rollout-rule").resolve("audit.jsonl"));
        window = ConsoleWindow.show(stage, new ConsoleWindow.Options(() -> List.of(ConsoleEnvironment.local()),
                env -> new FakeWorkspace(env, Map.of(SandboxFactory.DOCKER, docker), List.of(
                        new ServiceStatus("Docker", ServiceStatus.Health.UP, "engine answers"),
                        new ServiceStatus("Emulator", ServiceStatus.Health.UP, "embedded"))).withControlPlane(cloud.plane)));
    }

    @AfterEach
    void close() {
        WaitForAsyncUtils.asyncFx(window::close);
        WaitForAsyncUtils.waitForFxEvents();
        cloud.close();
    }

    @Test
    void theRulesPickIsShownThenTheSessionIsCreatedThereOrRefused(FxRobot robot) throws Exception {
        TextField key = robot.lookup("#stickyKey").queryAs(TextField.class);
        assertThat(key.isVisible()).isFalse();
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#backendChoice").queryComboBox().getItems().contains(SessionsViewModel.BY_ROLLOUT_RULE));
        robot.interact(() -> robot.lookup("#backendChoice").queryComboBox().getSelectionModel().select(SessionsViewModel.BY_ROLLOUT_RULE));
        assertThat(key.isVisible()).isTrue();
        robot.interact(() -> key.setText("user-42"));
        robot.clickOn("#createSession");

        Label choice = robot.lookup("#ruleChoice").queryAs(Label.class);
        waitFor(20, TimeUnit.SECONDS, () -> choice.getText().startsWith("By the rollout rule, \"user-42\" gets docker"));
        waitFor(10, TimeUnit.SECONDS, () -> docker.list().size() == 1);
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#sessionTabs").query().isVisible());
        Screenshots.save(window.stage().getScene(), "sessions-by-rollout-rule");

        cloud.plane.rollout().apply(new RolloutChange("set", Optional.of(true), OptionalInt.of(100)), "all on Cloud Run", "alice", RolloutProgress.NONE);
        robot.clickOn("#createSession");
        waitFor(20, TimeUnit.SECONDS, () -> choice.getPseudoClassStates().contains(PseudoClass.getPseudoClass("unavailable")));
        assertThat(choice.getText()).contains("gets cloudrun").contains("no session was created");
        assertThat(docker.list()).hasSize(1);
        Screenshots.save(window.stage().getScene(), "sessions-by-rollout-rule-unavailable");
    }
}
