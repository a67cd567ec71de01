package io.sandboxops.app.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.testfx.util.WaitForAsyncUtils.waitFor;

import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.ServiceStatus;
import io.sandboxops.app.console.fx.Shortcut;
import io.sandboxops.app.console.testing.EmulatedControlPlane;
import io.sandboxops.app.console.testing.FakeSandbox;
import io.sandboxops.app.console.testing.FakeSandboxBackend;
import io.sandboxops.app.console.testing.FakeWorkspace;
import io.sandboxops.app.console.testing.Screenshots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Labeled;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import io.sandboxops.core.api.PoolStatus;
import io.sandboxops.core.observe.PriceTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The window at the smallest size a laptop gives it, 1024×700: every label, button, tab and timestamp shows its whole
 * text (each view is screenshotted to docs/screenshots for a person to look at too); F1 opens the shortcut sheet, and
 * "Clean up others" needs the count typed.
 */
@ExtendWith(ApplicationExtension.class)
class SmallWindowTest {
    static final double WIDTH = 1024;
    static final double HEIGHT = 700;

    private final FakeSandboxBackend backend = new FakeSandboxBackend();
    /** Sessions none, a warm pool of one worker: the pool line shows both backends' pools. */
    private final FakeSandboxBackend cloudRun = new FakeSandboxBackend("cloudrun");
    private EmulatedControlPlane cloud;
    private ConsoleWindow window;
    private Path home;

    @Start
    void start(Stage primary) throws Exception {
        // A window of its own: a size set on the shared primary stage would stay for the tests that run after this one.
        Stage stage = new Stage();
        home = Files.createTempDirectory("small-window");
        cloud = new EmulatedControlPlane(home.resolve("audit.jsonl"));
        Instant now = Instant.now();
        FakeSandbox agent = backend.add("sbx-agent-run-1842", now.minusSeconds(3 * 3600 + 120));
        agent.execStateful("cd /workspace/repo && pytest -q tests/test_api.py", "sbx-agent-run-1842", Duration.ofSeconds(5));
        agent.putFile("/workspace/README.md", "# agent workspace\n");
        agent.putFile("/workspace/src/main.py", "print('hello')\n");
        backend.add("sbx-agent-run-1843", now.minusSeconds(640));
        backend.add("sbx-agent-run-1844", now.minusSeconds(25));
        backend.add("sbx-crashed-0917", now.minusSeconds(26 * 3600));
        backend.setState("sbx-crashed-0917", "exited");
        backend.setPool(new PoolStatus("docker", 2, 2, 0, 0, "the local engine: no charge", List.of(
                new PoolStatus.Member("sbx-pool-7f3a", "idle", now.minusSeconds(40)), new PoolStatus.Member("sbx-pool-91c2", "idle", now.minusSeconds(12)))));
        PriceTable price = PriceTable.cloudRunJobsTier1();
        cloudRun.setPool(new PoolStatus("cloudrun", 1, 1, 0, price.cost(3600), price.source(), List.of(
                new PoolStatus.Member("sandbox-pool-x2k9p", "idle", now.minusSeconds(95)))));
        window = ConsoleWindow.show(stage, new ConsoleWindow.Options(() -> List.of(ConsoleEnvironment.local()),
                env -> new FakeWorkspace(env, orderedBackends(), List.of(
                        new ServiceStatus("Docker", ServiceStatus.Health.UP, "engine answers"),
                        new ServiceStatus("Emulator", ServiceStatus.Health.UP, "embedded"))).withControlPlane(cloud.plane))
                .withEnvironmentsFile(home.resolve(".sandbox-ops/environments.json")));
        stage.setWidth(WIDTH);
        stage.setHeight(HEIGHT);
        stage.toFront();
        stage.requestFocus();
    }

    private Map<String, io.sandboxops.core.api.SandboxBackend> orderedBackends() {
        Map<String, io.sandboxops.core.api.SandboxBackend> m = new java.util.LinkedHashMap<>();
        m.put(FakeSandboxBackend.NAME, backend);
        m.put("cloudrun", cloudRun);
        return m;
    }

    @AfterEach
    void close() {
        WaitForAsyncUtils.asyncFx(() -> {
            window.close();
            window.stage().close();
        });
        WaitForAsyncUtils.waitForFxEvents();
        cloud.close();
    }

    @Test
    void nothingIsCutAt1024By700(FxRobot robot) throws Exception {
        Scene scene = window.stage().getScene();
        waitFor(10, TimeUnit.SECONDS, () -> scene.getWidth() == WIDTH && scene.getHeight() == HEIGHT);
        TableView<?> table = robot.lookup("#sessionsTable").queryAs(TableView.class);
        waitFor(10, TimeUnit.SECONDS, () -> table.getItems().size() == 4);
        robot.interact(() -> table.getSelectionModel().select(0));
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#sessionTabs").query().isVisible());
        List<String> cut = new ArrayList<>();

        robot.type(KeyCode.ENTER);
        robot.interact(() -> window.sessions().refresh());
        WaitForAsyncUtils.waitForFxEvents();
        javafx.scene.control.Label pool = robot.lookup("#poolSummary").queryAs(javafx.scene.control.Label.class);
        waitFor(10, TimeUnit.SECONDS, () -> pool.isVisible() && pool.getText().startsWith("Pool: "));
        assertThat(pool.getText()).isEqualTo("Pool: Docker 2/2 idle · Cloud Run 1/1 idle · $0.0792/h");
        assertThat(pool.getTooltip().getText()).contains("at Cloud Run jobs list price, Tier 1 regions");
        cut.addAll(check(scene, "1024x700-sessions"));
        robot.press(KeyCode.CONTROL).press(KeyCode.DIGIT3).release(KeyCode.DIGIT3).release(KeyCode.CONTROL);
        waitFor(10, TimeUnit.SECONDS, () -> window.files().rootProperty().get() != null);
        cut.addAll(check(scene, "1024x700-files"));
        for (String page : List.of("rolloutTab", "metricsTab", "logsTab")) {
            robot.interact(() -> {
                var tabs = robot.lookup("#mainTabs").queryAs(javafx.scene.control.TabPane.class);
                tabs.getTabs().stream().filter(t -> page.equals(t.getId())).findFirst().ifPresent(t -> tabs.getSelectionModel().select(t));
            });
            if (page.equals("metricsTab")) {
                waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#tile-successRate").tryQuery().isPresent());
            } else if (page.equals("logsTab")) {
                waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#auditTable").tryQueryAs(TableView.class).map(t -> !t.getItems().isEmpty()).orElse(false));
            } else {
                waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#rolloutHeadline").tryQueryAs(javafx.scene.control.Label.class)
                        .map(l -> l.getText().startsWith("Cloud Run")).orElse(false));
            }
            cut.addAll(check(scene, "1024x700-" + page.replace("Tab", "")));
        }
        assertThat(cut).isEmpty();
    }

    @Test
    void f1OpensTheSheetOfEveryShortcut(FxRobot robot) throws Exception {
        robot.type(KeyCode.F1);
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#shortcutSheet").tryQuery().isPresent());
        @SuppressWarnings("unchecked")
        TableView<Shortcut> sheet = robot.lookup("#shortcutTable").queryAs(TableView.class);
        assertThat(sheet.getItems()).containsExactly(Shortcut.values());
        Screenshots.save(sheet.getScene(), "shortcut-sheet");
        assertThat(check(sheet.getScene(), null)).isEmpty();
    }

    @Test
    void cleanUpOthersNeedsTheCountTypedAndStandsApartFromClose(FxRobot robot) throws Exception {
        TableView<?> table = robot.lookup("#sessionsTable").queryAs(TableView.class);
        waitFor(10, TimeUnit.SECONDS, () -> table.getItems().size() == 4);
        robot.interact(() -> table.getSelectionModel().select(0));
        Button close = robot.lookup("#closeSession").queryButton();
        Button cleanup = robot.lookup("#cleanupSessions").queryButton();
        // Apart: the refresh button and a separator stand between them.
        assertThat(cleanup.localToScene(cleanup.getBoundsInLocal()).getMinX() - close.localToScene(close.getBoundsInLocal()).getMaxX())
                .isGreaterThan(40);
        robot.clickOn(cleanup);
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(".dialog-pane .text-field").tryQuery().isPresent());
        Node pane = robot.lookup(".dialog-pane").query();
        Button confirm = robot.from(pane).lookup((Button b) -> "Confirm".equals(b.getText())).queryButton();
        assertThat(confirm.isDisabled()).isTrue();
        TextField typed = robot.lookup(".dialog-pane .text-field").queryAs(TextField.class);
        robot.clickOn(typed).write("cleanup");
        assertThat(confirm.isDisabled()).as("only the count confirms").isTrue();
        assertThat(check(pane.getScene(), "cleanup-confirmation")).isEmpty();
        robot.interact(typed::clear);
        robot.clickOn(typed).write("3");
        assertThat(confirm.isDisabled()).isFalse();
        robot.clickOn(confirm);
        waitFor(10, TimeUnit.SECONDS, () -> table.getItems().size() == 1);
    }

    @Test
    void addEnvironmentChecksTheKeyThenListsTheNewEnvironment(FxRobot robot) throws Exception {
        Path key = io.sandboxops.app.console.testing.ServiceAccountKeys.write(home.resolve("key.json"));
        robot.clickOn("#addEnvironment");
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#addEnvironmentForm").tryQuery().isPresent());
        robot.clickOn("#envName").write("staging");
        robot.clickOn("#envProject").write("acme-staging");
        robot.clickOn("#envService").write("manus-backend-staging");
        robot.interact(() -> robot.lookup("#envCredentials").queryAs(TextField.class).setText(home.resolve("missing.json").toString()));
        Node form = robot.lookup("#addEnvironmentForm").query();
        Node dialogPane = robot.lookup(".dialog-pane").query();
        Button add = robot.from(dialogPane).lookup((Button b) -> "Check and add".equals(b.getText())).queryButton();
        robot.clickOn(add);
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#addEnvironmentMessage").queryAs(javafx.scene.control.Label.class).getText()
                .contains("There is no credentials file"));
        assertThat(home.resolve(".sandbox-ops/environments.json")).doesNotExist();
        assertThat(check(form.getScene(), "add-environment")).isEmpty();
        robot.interact(() -> robot.lookup("#envCredentials").queryAs(TextField.class).setText(key.toString()));
        robot.clickOn(add);
        waitFor(10, TimeUnit.SECONDS, () -> window.stage().getScene().getRoot().lookup("#environmentChoice") instanceof javafx.scene.control.ComboBox<?> c
                && c.getItems().stream().anyMatch(e -> e.toString().contains("staging")));
        assertThat(io.sandboxops.core.env.Environments.load(home.resolve(".sandbox-ops/environments.json")).get("staging").service())
                .isEqualTo("manus-backend-staging");
    }

    /** Screenshots the scene (when named) and lists every visible label whose text is shown cut. */
    private static List<String> check(Scene scene, String screenshot) {
        WaitForAsyncUtils.waitForFxEvents();
        if (screenshot != null) {
            Screenshots.save(scene, screenshot);
        }
        List<String> cut = new ArrayList<>();
        WaitForAsyncUtils.asyncFx(() -> collectCut(scene.getRoot(), cut, screenshot));
        WaitForAsyncUtils.waitForFxEvents();
        return cut;
    }

    /**
     * Columns of data of any length (a command, a path, a log message, a reason) are cut to their column by design, as
     * every table does; labels, buttons, tabs, timestamps, states and names must not be.
     */
    private static final java.util.Set<String> FREE_TEXT_COLUMNS = java.util.Set.of("lastCommandColumn", "cwdColumn", "messageColumn",
            "auditChangeColumn", "auditReasonColumn", "auditOutcomeColumn");

    private static void collectCut(Node node, List<String> cut, String where) {
        if (!node.isVisible() || (node.getId() != null && FREE_TEXT_COLUMNS.contains(node.getId()))) {
            return;
        }
        if (node instanceof Labeled labeled && labeled.getText() != null && !labeled.getText().isEmpty()) {
            for (Node child : labeled.getChildrenUnmodifiable()) {
                // The skin's LabeledText holds what is drawn: the text with an ellipsis when it did not fit.
                if (child instanceof Text shown && child.getClass().getSimpleName().equals("LabeledText") && !shown.getText().equals(labeled.getText())) {
                    cut.add(where + ": " + labeled.getClass().getSimpleName() + (labeled.getId() == null ? "" : "#" + labeled.getId())
                            + " \"" + labeled.getText() + "\" shows as \"" + shown.getText() + "\"");
                }
            }
        }
        if (node instanceof Parent parent) {
            for (Node child : parent.getChildrenUnmodifiable()) {
                collectCut(child, cut, where);
            }
        }
    }
}
