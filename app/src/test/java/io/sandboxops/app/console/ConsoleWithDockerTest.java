package io.sandboxops.app.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.testfx.util.WaitForAsyncUtils.waitFor;

import io.sandboxops.app.console.environment.EnvironmentCatalog;
import io.sandboxops.app.console.environment.LocalWorkspaceOpener;
import io.sandboxops.app.console.files.FileNode;
import io.sandboxops.app.console.files.Transfer;
import io.sandboxops.app.console.processes.ProcessRow;
import io.sandboxops.app.console.sessions.SessionHandle;
import io.sandboxops.app.console.shell.ConsoleLine;
import io.sandboxops.app.console.testing.Screenshots;
import io.sandboxops.core.docker.DockerSandboxBackend;
import io.sandboxops.core.testing.RequiresDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The real window, headless, on the local Docker engine: create a session, run a command in it, start and kill
 * a background process, upload and download a file, close the session. Takes the screenshots of each view.
 */
@RequiresDocker
@ExtendWith(ApplicationExtension.class)
class ConsoleWithDockerTest {
    private static final int SLOW = 90;

    private ConsoleWindow window;
    private String sessionId;

    @TempDir
    Path local;

    @Start
    void start(Stage stage) {
        window = ConsoleWindow.show(stage, new ConsoleWindow.Options(EnvironmentCatalog.localOnly(), new LocalWorkspaceOpener(false)));
    }

    @AfterEach
    void cleanUp() {
        // As ConsoleApp.stop() does, on the JavaFX thread.
        org.testfx.util.WaitForAsyncUtils.asyncFx(window::close);
        org.testfx.util.WaitForAsyncUtils.waitForFxEvents();
        if (sessionId != null) {
            // A failed test must not leave its container behind.
            try (DockerSandboxBackend docker = DockerSandboxBackend.fromEnvironment()) {
                docker.get(sessionId).destroy();
            } catch (RuntimeException ignored) {
                // already closed by the test
            }
        }
    }

    @Test
    void createRunKillUploadDownloadAndClose(FxRobot robot) throws Exception {
        try {
            drive(robot);
        } catch (java.util.concurrent.TimeoutException e) {
            // Say what the console was doing when it stopped answering: its status line and its workers.
            System.err.println("status line: " + robot.lookup("#statusMessage").queryAs(Label.class).getText());
            Thread.getAllStackTraces().forEach((thread, stack) -> {
                if (thread.getName().startsWith("console-")) {
                    System.err.println(thread.getName() + " " + thread.getState());
                    for (StackTraceElement frame : stack) {
                        System.err.println("    at " + frame);
                    }
                }
            });
            throw e;
        }
    }

    private void drive(FxRobot robot) throws Exception {
        waitFor(SLOW, TimeUnit.SECONDS, () -> robot.lookup("#service-docker").tryQueryAs(Label.class)
                .map(l -> l.getText().equals("Docker: up")).orElse(false));

        robot.clickOn("#createSession");
        waitFor(SLOW, TimeUnit.SECONDS, () -> window.sessions().openSessionProperty().get() != null);
        SessionHandle session = window.sessions().openSessionProperty().get();
        sessionId = session.sessionId();
        // The tabs show once the FX thread has applied the opened session; wait for it rather than race it.
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#sessionTabs").query().isVisible());
        // The session's own command view goes into the window on that same pass.
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#liveOutput").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();

        // The console: output, and the cwd as the prompt. Live output is on by default; off, stderr comes apart.
        robot.clickOn("#liveOutput");
        robot.clickOn("#commandField").write("cd /tmp && echo hi").type(KeyCode.ENTER);
        ListView<ConsoleLine> output = robot.lookup("#consoleOutput").queryListView();
        waitFor(SLOW, TimeUnit.SECONDS, () -> output.getItems().contains(new ConsoleLine(ConsoleLine.Kind.STDOUT, "hi")));
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#consolePrompt").queryAs(Label.class).getText().equals("/tmp $"));
        robot.clickOn("#commandField").write("export API_TOKEN=not-for-screens; ls /nonexistent").type(KeyCode.ENTER);
        waitFor(SLOW, TimeUnit.SECONDS, () -> output.getItems().stream().anyMatch(l -> l.kind() == ConsoleLine.Kind.STDERR));
        assertThat(robot.lookup("#exitCode").queryAs(Label.class).getText()).isEqualTo("exit 2");
        // Stop: a long command ends at once, and the session keeps its cwd.
        robot.clickOn("#commandField").write("sleep 300").type(KeyCode.ENTER);
        waitFor(10, TimeUnit.SECONDS, () -> !robot.lookup("#stopCommand").queryButton().isDisabled());
        robot.clickOn("#stopCommand");
        waitFor(30, TimeUnit.SECONDS, () -> output.getItems().stream().anyMatch(l -> l.text().startsWith("stopped;")));
        waitFor(10, TimeUnit.SECONDS, () -> !robot.lookup("#commandField").query().isDisabled());
        robot.clickOn("#commandField").write("pwd").type(KeyCode.ENTER);
        waitFor(SLOW, TimeUnit.SECONDS, () -> output.getItems().get(output.getItems().size() - 2).equals(new ConsoleLine(ConsoleLine.Kind.STDOUT, "/tmp")));
        robot.clickOn("#commandField").write("sleep 100 &").type(KeyCode.ENTER);
        waitFor(SLOW, TimeUnit.SECONDS, () -> output.getItems().stream().anyMatch(l -> l.text().startsWith("started in the background")));
        WaitForAsyncUtils.waitForFxEvents();
        Screenshots.save(window.stage().getScene(), "session-console");

        // Live output: the first line shows while the command still runs; the shell keeps its cwd. The gap is far above
        // the live output's polling (300 ms), so a loaded machine cannot bring both lines in one look.
        robot.clickOn("#liveOutput");
        robot.clickOn("#commandField").write("echo first; sleep 5; echo second >&2").type(KeyCode.ENTER);
        waitFor(SLOW, TimeUnit.SECONDS, () -> output.getItems().contains(new ConsoleLine(ConsoleLine.Kind.LIVE, "first"))
                && !output.getItems().contains(new ConsoleLine(ConsoleLine.Kind.LIVE, "second")));
        waitFor(SLOW, TimeUnit.SECONDS, () -> robot.lookup("#exitCode").queryAs(Label.class).getText().equals("exit 0"));
        assertThat(output.getItems()).contains(new ConsoleLine(ConsoleLine.Kind.LIVE, "second"));
        robot.clickOn("#commandField").write("pwd").type(KeyCode.ENTER);
        waitFor(SLOW, TimeUnit.SECONDS, () -> output.getItems().get(output.getItems().size() - 2).equals(new ConsoleLine(ConsoleLine.Kind.LIVE, "/tmp")));
        robot.clickOn("#liveOutput");

        // Background processes: listed, then killed after confirming.
        robot.clickOn("#processesTab");
        TableView<ProcessRow> processes = robot.lookup("#processesTable").queryTableView();
        waitFor(SLOW, TimeUnit.SECONDS, () -> processes.getItems().stream().anyMatch(p -> p.command().equals("sleep 100") && p.running()));
        ProcessRow sleep = processes.getItems().stream().filter(p -> p.command().equals("sleep 100")).findFirst().orElseThrow();
        robot.interact(() -> processes.getSelectionModel().select(sleep));
        WaitForAsyncUtils.waitForFxEvents();
        Screenshots.save(window.stage().getScene(), "processes");
        robot.clickOn("#killProcess");
        clickDialogButton(robot, "Kill");
        waitFor(SLOW, TimeUnit.SECONDS, () -> processes.getItems().stream().anyMatch(p -> p.pid() == sleep.pid() && !p.running()));

        // Files: upload, listed, download back identical.
        byte[] content = new byte[300_000];
        new Random(7).nextBytes(content);
        Path original = Files.write(local.resolve("payload.bin"), content);
        Files.writeString(local.resolve("notes.txt"), "remember the milk\n");
        robot.clickOn("#filesTab");
        robot.interact(() -> {
            window.files().rootPathProperty().set("/tmp");
            window.files().openRoot();
        });
        waitFor(SLOW, TimeUnit.SECONDS, () -> window.files().rootProperty().get() != null && window.files().rootProperty().get().path().equals("/tmp"));
        robot.interact(() -> window.files().upload(List.of(original, local.resolve("notes.txt")), "/tmp"));
        waitFor(SLOW, TimeUnit.SECONDS, () -> window.files().transfers().stream().allMatch(t -> t.state() == Transfer.State.DONE));
        waitFor(SLOW, TimeUnit.SECONDS, () -> window.files().rootProperty().get().children().stream().anyMatch(n -> n.name().equals("payload.bin")));
        FileNode uploaded = window.files().rootProperty().get().children().stream().filter(n -> n.name().equals("payload.bin")).findFirst().orElseThrow();
        assertThat(uploaded.size()).isEqualTo(content.length);
        Path back = local.resolve("back.bin");
        robot.interact(() -> window.files().download(uploaded, back));
        waitFor(SLOW, TimeUnit.SECONDS, () -> window.files().transfers().get(0).state() == Transfer.State.DONE);
        assertThat(Files.readAllBytes(back)).isEqualTo(content);
        FileNode notes = window.files().rootProperty().get().children().stream().filter(n -> n.name().equals("notes.txt")).findFirst().orElseThrow();
        robot.interact(() -> window.files().open(notes));
        waitFor(SLOW, TimeUnit.SECONDS, () -> window.files().editorTextProperty().get().equals("remember the milk\n"));
        WaitForAsyncUtils.waitForFxEvents();
        Screenshots.save(window.stage().getScene(), "files");

        // Close the session: confirmed, then gone from the table.
        robot.clickOn("#closeSession");
        clickDialogButton(robot, "Close session");
        TableView<?> sessions = robot.lookup("#sessionsTable").queryTableView();
        waitFor(SLOW, TimeUnit.SECONDS, () -> window.sessions().allRows().stream().noneMatch(r -> r.id().equals(sessionId)));
        assertThat(sessions.getSelectionModel().getSelectedItem()).isNull();
        sessionId = null;
    }

    private static void clickDialogButton(FxRobot robot, String text) throws Exception {
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(".dialog-pane").tryQuery().isPresent());
        Node pane = robot.lookup(".dialog-pane").query();
        Button button = robot.from(pane).lookup((Button b) -> text.equals(b.getText())).queryButton();
        robot.clickOn(button);
    }
}
