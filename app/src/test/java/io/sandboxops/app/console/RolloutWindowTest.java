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
        // Apply needs a passed, fresh preflight; applyIsRefusedWithoutAFreshPreflightUnlessSkippedWithAReason checks the refusal.
        cloud.recordPassedPreflight();
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
        // The dry run of a jump from 0 to 10 % says it skips the 1 % step, and asks for a reason.
        Label warning = robot.lookup("#planWarning").queryAs(Label.class);
        waitFor(10, TimeUnit.SECONDS, warning::isVisible);
        assertThat(warning.getText()).startsWith("This change departs from the plan: going from 0 % to 10 % skips the plan's 1 % step")
                .endsWith("Say why in the reason.");
        Button apply = robot.lookup("#applyChange").queryButton();
        assertThat(apply.isDisabled()).as("no reason given yet").isTrue();
        robot.clickOn("#reasonField").write("a reason under Rollback");
        assertThat(apply.isDisabled()).as("Apply has its own reason, not the one under Rollback").isTrue();
        robot.interact(() -> robot.lookup("#reasonField").queryAs(javafx.scene.control.TextField.class).clear());
        typeInto(robot, "#applyReasonField", "1 % ran a week on staging");
        assertThat(apply.isDisabled()).isFalse();
        scrollToTheChange(robot);
        Screenshots.save(window.stage().getScene(), "rollout-dry-run-warning");
        robot.clickOn(apply);
        // Apply asks first, naming what changes, the warning and the reason.
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(".dialog-pane").tryQuery().isPresent());
        javafx.scene.Node dialog = robot.lookup(".dialog-pane").query();
        assertThat(((javafx.scene.control.DialogPane) dialog).getContentText()).startsWith("Set flag=true, 10 % on manus-backend in local")
                .contains("skips the plan's 1 % step").endsWith("Reason: 1 % ran a week on staging");
        assertThat(cloud.plane.rollout().status().template()).as("nothing written before the confirmation").isEqualTo(new EnvValues("false", "0"));
        Screenshots.save(dialog.getScene(), "apply-confirmation");
        robot.clickOn(robot.from(dialog).lookup((Button b) -> "Apply".equals(b.getText())).queryButton());
        waitFor(20, TimeUnit.SECONDS, () -> headline.getText().equals("Cloud Run ON for 10 % of new sessions"));
        assertThat(cloud.plane.rollout().status().template()).isEqualTo(new EnvValues("true", "10"));
        waitFor(15, TimeUnit.SECONDS, () -> robot.lookup("#planStep10").tryQuery().map(n -> n.getStyleClass().contains("step-current")).orElse(false)
                && robot.lookup("#planAdvice").queryAs(Label.class).getText().startsWith("Hold"));
        // 1 % was never reached: skipped, not done.
        javafx.scene.Node one = robot.lookup("#planStep1").query();
        assertThat(one.getStyleClass()).contains("step-skipped").doesNotContain("step-done");
        assertThat(robot.from(one).lookup(".timeline-gate").queryAs(Label.class).getText()).isEqualTo("skipped");
        Screenshots.save(window.stage().getScene(), "rollout-plan-skipped");

        robot.clickOn("#reasonField").write("error rate alert at 10 %");
        robot.clickOn("#rollbackButton");
        robot.clickOn("Roll back");
        Label outcome = robot.lookup("#rollbackOutcome").queryAs(Label.class);
        waitFor(30, TimeUnit.SECONDS, () -> outcome.getText().startsWith("VERIFIED in "));
        waitFor(15, TimeUnit.SECONDS, () -> headline.getText().startsWith("Cloud Run OFF"));
        assertThat(cloud.plane.rollout().status().template()).isEqualTo(new EnvValues("false", "0"));
        assertThat(robot.lookup("#rollbackStage2").queryAs(Label.class).getStyleClass()).contains("stage-done");
        assertThat(cloud.audit.read()).extracting(AuditEntry::action, AuditEntry::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("set", "1 % ran a week on staging"),
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
        scrollToTheChange(robot);
        typeInto(robot, "#applyReasonField", "start the rollout");
        Button apply = robot.lookup("#applyChange").queryButton();
        assertThat(apply.isDisabled()).isTrue();
        robot.clickOn("#confirmField").write("prod");
        assertThat(apply.isDisabled()).as("the environment's name is not the service's").isTrue();
        Screenshots.save(window.stage().getScene(), "rollout-production-confirm");
        robot.doubleClickOn("#confirmField").eraseText(4).write("manus-backend");
        assertThat(apply.isDisabled()).isFalse();
    }

    @Test
    void theHealthStripShowsOnEveryTab(FxRobot robot) throws Exception {
        cloud.plane.rollout().apply(new io.sandboxops.core.rollout.RolloutChange("set", java.util.Optional.of(true), java.util.OptionalInt.of(10)),
                "1 % ran a week on staging", "alice", io.sandboxops.core.rollout.RolloutProgress.NONE);
        Label step = robot.lookup("#healthStep").queryAs(Label.class);
        Label gate = robot.lookup("#healthGate").queryAs(Label.class);
        // The console reads every 15 s; the gate is measured on the read after the one that sees the step changed.
        waitFor(30, TimeUnit.SECONDS, () -> {
            robot.interact(() -> window.rollout().refresh());
            return step.getText().startsWith("10 % · ") && gate.getText().startsWith("too few");
        });
        TabPane tabs = robot.lookup("#mainTabs").queryAs(TabPane.class);
        for (javafx.scene.control.Tab tab : List.copyOf(tabs.getTabs())) {
            robot.interact(() -> tabs.getSelectionModel().select(tab));
            WaitForAsyncUtils.waitForFxEvents();
            javafx.scene.Node strip = robot.lookup("#healthStrip").query();
            assertThat(strip.isVisible()).as("on the tab " + tab.getText()).isTrue();
            assertThat(strip.getScene()).isSameAs(window.stage().getScene());
            assertThat(robot.lookup("#healthFlag").queryAs(Label.class).getText()).isEqualTo("on");
            assertThat(robot.lookup("#healthPercentage").queryAs(Label.class).getText()).isEqualTo("10 %");
            assertThat(step.getText()).matches("10 % · 4[78] h \\d+ min left \\(skipped 1 %\\)");
            assertThat(robot.lookup("#healthGate").queryAs(Label.class).getText()).isEqualTo("too few samples (0 of 100)");
            assertThat(robot.lookup("#healthErrors").queryAs(Label.class).getText()).startsWith("Cloud Run ").contains(" · Docker ");
            assertThat(robot.lookup("#healthLastChange").queryAs(Label.class).getText()).startsWith("alice, ")
                    .endsWith("“1 % ran a week on staging”");
        }
        robot.interact(() -> tabs.getSelectionModel().select(0));
        Screenshots.save(window.stage().getScene(), "health-strip");
    }

    @Test
    void applyIsRefusedWithoutAFreshPreflightUnlessSkippedWithAReason(FxRobot robot) throws Exception {
        cloud.recordPreflight(java.time.Instant.now().minus(java.time.Duration.ofHours(30)), io.sandboxops.core.preflight.PreflightCheck.Outcome.PASS);
        openRolloutTab(robot);
        Label headline = robot.lookup("#rolloutHeadline").queryAs(Label.class);
        waitFor(15, TimeUnit.SECONDS, () -> headline.getText().startsWith("Cloud Run OFF"));
        robot.interact(() -> robot.lookup("#percentageSlider").queryAs(Slider.class).setValue(1));
        robot.clickOn("#flagSwitch");
        robot.clickOn("#previewChange");
        Label preflight = robot.lookup("#preflightWarning").queryAs(Label.class);
        waitFor(15, TimeUnit.SECONDS, preflight::isVisible);
        assertThat(preflight.getText()).startsWith("Preflight: the last preflight of local passed at ").contains("30 h ago, older than the allowed 24 h")
                .contains("Run Check environment");
        typeInto(robot, "#applyReasonField", "drill on the emulator");
        scrollToTheChange(robot);
        robot.clickOn("#applyChange");
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(".dialog-pane").tryQuery().isPresent());
        javafx.scene.Node refused = robot.lookup(".dialog-pane").query();
        assertThat(((javafx.scene.control.DialogPane) refused).getContentText()).startsWith("Not applied: the last preflight of local passed at ")
                .contains("run Check environment");
        robot.clickOn(robot.from(refused).lookup((Button b) -> "OK".equals(b.getText()) || "Close".equals(b.getText())).queryButton());
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(".dialog-pane").tryQuery().isEmpty());
        assertThat(cloud.plane.rollout().status().template()).isEqualTo(new EnvValues("false", "0"));

        scrollToTheChange(robot);
        robot.clickOn("#skipPreflight");
        robot.clickOn("#applyChange");
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(".dialog-pane").tryQuery().isPresent());
        javafx.scene.Node dialog = robot.lookup(".dialog-pane").query();
        assertThat(((javafx.scene.control.DialogPane) dialog).getContentText()).contains("Preflight SKIPPED: the last preflight of local passed at ")
                .endsWith("Reason: drill on the emulator");
        robot.clickOn(robot.from(dialog).lookup((Button b) -> "Apply".equals(b.getText())).queryButton());
        waitFor(20, TimeUnit.SECONDS, () -> headline.getText().equals("Cloud Run ON for 1 % of new sessions"));
        assertThat(cloud.audit.read()).extracting(io.sandboxops.core.rollout.AuditEntry::action).containsExactly("preflight-skipped", "set");
    }

    /** Scrolls the rollout view down to the change card, as a person would to reach Apply. */
    private static void scrollToTheChange(FxRobot robot) {
        robot.interact(() -> robot.lookup(".rollout-view").queryAs(javafx.scene.control.ScrollPane.class).setVvalue(1));
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Types into a field the scroll pane may hold below its fold, where a click would miss it. */
    private static void typeInto(FxRobot robot, String field, String text) {
        robot.interact(() -> robot.lookup(field).query().requestFocus());
        robot.write(text);
    }

    private void openRolloutTab(FxRobot robot) {
        robot.interact(() -> {
            TabPane tabs = robot.lookup("#mainTabs").queryAs(TabPane.class);
            tabs.getSelectionModel().select(tabs.getTabs().stream().filter(t -> "rolloutTab".equals(t.getId())).findFirst().orElseThrow());
        });
    }
}
