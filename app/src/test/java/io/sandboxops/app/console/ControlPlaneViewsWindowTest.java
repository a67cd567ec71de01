package io.sandboxops.app.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.testfx.util.WaitForAsyncUtils.waitFor;

import com.google.cloud.run.v2.Job;
import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.testing.EmulatedControlPlane;
import io.sandboxops.app.console.testing.Screenshots;
import io.sandboxops.core.rollout.RolloutChange;
import io.sandboxops.core.rollout.RolloutProgress;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The metrics and the logs and audit views in the real window, headless, over executions the emulator ran and
 * rollout changes the real controller made.
 */
@ExtendWith(ApplicationExtension.class)
class ControlPlaneViewsWindowTest {

    private EmulatedControlPlane cloud;
    private ConsoleWindow window;

    @Start
    void start(Stage stage) throws Exception {
        cloud = new EmulatedControlPlane(Files.createTempDirectory("control-plane-views").resolve("audit.jsonl"));
        Job job = cloud.shellJob("sbx-agent");
        for (int i = 0; i < 9; i++) {
            cloud.run(job, "echo 'restoring session state'; echo '{\"event\":\"command\",\"duration_ms\":" + (300 + 200 * i) + "}'");
        }
        cloud.run(job, "echo '{\"severity\":\"ERROR\",\"message\":\"state save failed: 503 from storage\"}'; exit 1");
        cloud.clientExecs(true, 300, 500, 700, 900, 1100, 1300, 1500, 1700, 1900, 2100);
        // Docker, the baseline, ran 60 commands in 150–268 ms; Cloud Run 50 more in 350–497 ms: slower beyond the plan's factor.
        cloud.clientExecs("docker", false, java.util.stream.IntStream.range(0, 60).mapToDouble(i -> 150 + 2 * i).toArray());
        cloud.clientExecs("cloudrun", false, java.util.stream.IntStream.range(0, 50).mapToDouble(i -> 350 + 3 * i).toArray());
        cloud.plane.rollout().apply(RolloutChange.enable(), "begin the Cloud Run rollout", "alice", RolloutProgress.NONE);
        cloud.plane.rollout().apply(RolloutChange.percentage(10), "1 % held 24 h, gate green", "alice", RolloutProgress.NONE);
        cloud.plane.rollout().rollback("error rate 10 % at 10 %", "bob", RolloutProgress.NONE);
        window = ConsoleWindow.show(stage, new ConsoleWindow.Options(() -> List.of(ConsoleEnvironment.local()), env -> cloud.workspace(env)));
    }

    @AfterEach
    void close() {
        WaitForAsyncUtils.asyncFx(window::close);
        WaitForAsyncUtils.waitForFxEvents();
        cloud.close();
    }

    @Test
    void metricsChartTheExecutionsAgainstThePlanAndTheAuditShowsWhoRolledBack(FxRobot robot) throws Exception {
        select(robot, "metricsTab");
        waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#tile-successRate").tryQuery().isPresent());
        Screenshots.save(window.stage().getScene(), "metrics");
        Node success = robot.lookup("#tile-successRate").query();
        assertThat(success.getStyleClass()).contains("tile-critical");
        assertThat(robot.lookup("#metricsSummary").queryAs(Label.class).getText()).startsWith("10 executions completed (9 succeeded, 1 failed");
        assertThat(robot.lookup("#chart-successRate").tryQuery()).isPresent();
        assertThat(robot.lookup("#baseline-docker-latencyP99").queryAs(Label.class).getText()).endsWith("(n=60)");
        assertThat(robot.lookup("#baseline-cloudrun-latencyP99").queryAs(Label.class).getText()).isEqualTo("2.100 s  (n=60)");
        assertThat(robot.lookup("#comparison-latencyP99").queryAs(Label.class).getText()).isEqualTo("BREACH");
        assertThat(robot.lookup("#comparison-errorRate").queryAs(Label.class).getText()).isEqualTo("INSUFFICIENT DATA");
        assertThat(robot.lookup("#comparison-detail-errorRate").queryAs(Label.class).getText()).contains("not significant");

        select(robot, "logsTab");
        TableView<?> logs = robot.lookup("#logsTable").queryAs(TableView.class);
        TableView<?> audit = robot.lookup("#auditTable").queryAs(TableView.class);
        waitFor(30, TimeUnit.SECONDS, () -> !logs.getItems().isEmpty() && audit.getItems().size() >= 3);
        robot.clickOn("#logsFilter").write("state");
        // Nine executions restored their state; one failed to save it.
        waitFor(10, TimeUnit.SECONDS, () -> logs.getItems().size() == 10);
        assertThat(robot.lookup("#auditTable").queryAs(TableView.class).getItems()).anySatisfy(row ->
                assertThat(row.toString()).contains("bob").contains("rollback").contains("error rate 10 % at 10 %"));
        Screenshots.save(window.stage().getScene(), "logs-audit");
    }

    private static void select(FxRobot robot, String id) {
        robot.interact(() -> {
            TabPane tabs = robot.lookup("#mainTabs").queryAs(TabPane.class);
            tabs.getSelectionModel().select(tabs.getTabs().stream().filter(t -> id.equals(t.getId())).findFirst().orElseThrow());
        });
    }
}
