package io.sandboxops.app.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.testfx.util.WaitForAsyncUtils.waitFor;

import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.testing.EmulatedControlPlane;
import io.sandboxops.app.console.testing.Screenshots;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.rollout.AuditEntry;
import io.sandboxops.core.rollout.EnvValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The rollout view in the real window, headless, driving the real controller against the embedded emulator: apply
 * 10 %, then roll back with a reason and see it verified; in production, Apply waits for the service name.
 */
@ExtendWith(ApplicationExtension.class)
class RolloutWindowTest {

    private static final Environment PROD = new Environment("prod", Environment.Kind.LOCAL, "local-project", "us-central1",
            "manus-backend", "", "", "", true, false);

    private EmulatedControlPlane cloud;
    private ConsoleWindow window;

    @Start
    void start(Stage stage) throws Exception {
        Path home = Files.createTempDirectory("rollout-window");
        cloud = new EmulatedControlPlane(home.resolve("audit.jsonl"));
        ConsoleEnvironment local = ConsoleEnvironment.local();
        ConsoleEnvironment prod = ConsoleEnvironment.of(PROD);
        window = ConsoleWindow.show(stage, new ConsoleWindow.Options(() -> List.of(local, prod),
                env -> cloud.workspace(env)));
    }

    @AfterEach
    void close() {
        WaitForAsyncUtils.asyncFx(window::close);
        WaitForAsyncUtils.waitForFxEvents();
        cloud.close();
    }

    @Test
    void applyTenPercentThenRollBackWithAReasonAndSeeItVerified(FxRobot robot) throws Exception {
        openRolloutTab(robot);
        Label headline = robot.lookup("#rolloutHeadline").queryAs(Label.class);
        waitFor(15, TimeUnit.SECONDS, () -> headline.getText().startsWith("Cloud Run OFF"));

        robot.interact(() -> robot.lookup("#percentageSlider").queryAs(Slider.class).setValue(2));
        robot.clickOn("#flagSwitch");
        assertThat(robot.lookup("#percentageLabel").queryAs(Label.class).getText()).isEqualTo("10 %");
        robot.clickOn("#previewChange");
        waitFor(15, TimeUnit.SECONDS, () -> robot.lookup("#diffList").query().isVisible());
        Button apply = robot.lookup("#applyChange").queryButton();
        assertThat(apply.isDisabled()).as("no reason given yet").isTrue();
        robot.clickOn("#reasonField").write("start the rollout at 10 %");
        assertThat(apply.isDisabled()).isFalse();
        robot.clickOn(apply);
        waitFor(20, TimeUnit.SECONDS, () -> headline.getText().equals("Cloud Run ON for 10 % of new sessions"));
        assertThat(cloud.plane.rollout().status().template()).isEqualTo(new EnvValues("true", "10"));
        waitFor(15, TimeUnit.SECONDS, () -> robot.lookup("#planStep10").tryQuery().map(n -> n.getStyleClass().contains("step-current")).orElse(false)
                && robot.lookup("#planAdvice").queryAs(Label.class).getText().startsWith("Hold"));
        Screenshots.save(window.stage().getScene(), "rollout-at-10");

        robot.clickOn("#reasonField").write("error rate alert at 10 %");
        robot.clickOn("#rollbackButton");
        robot.clickOn("Roll back");
        Label outcome = robot.lookup("#rollbackOutcome").queryAs(Label.class);
        waitFor(30, TimeUnit.SECONDS, () -> outcome.getText().startsWith("VERIFIED in "));
        waitFor(15, TimeUnit.SECONDS, () -> headline.getText().startsWith("Cloud Run OFF"));
        assertThat(cloud.plane.rollout().status().template()).isEqualTo(new EnvValues("false", "0"));
        assertThat(robot.lookup("#rollbackStage2").queryAs(Label.class).getStyleClass()).contains("stage-done");
        assertThat(cloud.audit.read()).extracting(AuditEntry::action, AuditEntry::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("set", "start the rollout at 10 %"),
                org.assertj.core.groups.Tuple.tuple("rollback", "error rate alert at 10 %"));
        Screenshots.save(window.stage().getScene(), "rollout-rolled-back");
    }

    @Test
    void inProductionApplyStaysDisabledUntilTheServiceNameIsTyped(FxRobot robot) throws Exception {
        robot.interact(() -> robot.lookup("#environmentChoice").queryComboBox().getSelectionModel().select(1));
        openRolloutTab(robot);
        Label headline = robot.lookup("#rolloutHeadline").queryAs(Label.class);
        waitFor(15, TimeUnit.SECONDS, () -> headline.getText().startsWith("Cloud Run OFF"));
        robot.interact(() -> robot.lookup("#percentageSlider").queryAs(Slider.class).setValue(1));
        robot.clickOn("#flagSwitch");
        robot.clickOn("#previewChange");
        waitFor(15, TimeUnit.SECONDS, () -> robot.lookup("#confirmField").query().isVisible());
        robot.clickOn("#reasonField").write("start the rollout");
        Button apply = robot.lookup("#applyChange").queryButton();
        assertThat(apply.isDisabled()).isTrue();
        robot.clickOn("#confirmField").write("prod");
        assertThat(apply.isDisabled()).as("the environment's name is not the service's").isTrue();
        Screenshots.save(window.stage().getScene(), "rollout-production-confirm");
        robot.doubleClickOn("#confirmField").eraseText(4).write("manus-backend");
        assertThat(apply.isDisabled()).isFalse();
    }

    private void openRolloutTab(FxRobot robot) {
        robot.interact(() -> {
            TabPane tabs = robot.lookup("#mainTabs").queryAs(TabPane.class);
            tabs.getSelectionModel().select(tabs.getTabs().stream().filter(t -> "rolloutTab".equals(t.getId())).findFirst().orElseThrow());
        });
    }
}
