package io.sandboxops.app.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.testfx.util.WaitForAsyncUtils.waitFor;

import io.sandboxops.app.console.environment.EnvironmentCatalog;
import io.sandboxops.app.console.environment.LocalWorkspaceOpener;
import io.sandboxops.app.console.files.FileNode;
import io.sandboxops.app.console.sessions.SessionHandle;
import io.sandboxops.app.console.testing.Screenshots;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.docker.DockerSandboxBackend;
import io.sandboxops.core.testing.RequiresDocker;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
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
 * The file browser's operations in the real window on a real Docker sandbox: new file and folder, rename both (a
 * folder with what is in it), move by the same path as a drop, delete both after a confirmation that names them, and
 * the size read again after a save.
 */
@RequiresDocker
@ExtendWith(ApplicationExtension.class)
class ConsoleFileOperationsWithDockerTest {
    private static final int SLOW = 90;

    private ConsoleWindow window;
    private String sessionId;

    @Start
    void start(Stage stage) {
        window = ConsoleWindow.show(stage, new ConsoleWindow.Options(EnvironmentCatalog.localOnly(), new LocalWorkspaceOpener(false)));
    }

    @AfterEach
    void cleanUp() {
        WaitForAsyncUtils.asyncFx(window::close);
        WaitForAsyncUtils.waitForFxEvents();
        if (sessionId != null) {
            try (DockerSandboxBackend docker = DockerSandboxBackend.fromEnvironment()) {
                docker.get(sessionId).destroy();
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
    }

    /** Creates a Docker session from the console, as a person would, and opens its file browser on /tmp. */
    private SessionHandle newSessionWithItsFilesAtTmp(FxRobot robot) throws Exception {
        waitFor(SLOW, TimeUnit.SECONDS, () -> robot.lookup("#service-docker").tryQueryAs(Label.class)
                .map(l -> l.getText().equals("Docker: up")).orElse(false));
        robot.clickOn("#createSession");
        waitFor(SLOW, TimeUnit.SECONDS, () -> window.sessions().openSessionProperty().get() != null);
        SessionHandle session = window.sessions().openSessionProperty().get();
        sessionId = session.sessionId();
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#sessionTabs").query().isVisible());
        robot.clickOn("#filesTab");
        robot.interact(() -> {
            window.files().rootPathProperty().set("/tmp");
            window.files().openRoot();
        });
        waitFor(SLOW, TimeUnit.SECONDS, () -> node("/tmp").isPresent());
        return session;
    }

    @Test
    void createRenameMoveAndDeleteAFileAndAFolder(FxRobot robot) throws Exception {
        SessionHandle session = newSessionWithItsFilesAtTmp(robot);

        // New file, in the selected folder.
        select(robot, "/tmp");
        robot.clickOn("#newFile");
        answer(robot, "draft.txt");
        waitFor(SLOW, TimeUnit.SECONDS, () -> node("/tmp/draft.txt").isPresent());
        assertThat(session.sandbox().fileRead("/tmp/draft.txt", LineRange.all())).isEmpty();

        // New folder, and a file in it.
        select(robot, "/tmp");
        robot.clickOn("#newFolder");
        answer(robot, "box");
        waitFor(SLOW, TimeUnit.SECONDS, () -> node("/tmp/box").isPresent());
        assertThat(session.sandbox().fileList("/tmp/box")).isEmpty();
        select(robot, "/tmp/box");
        robot.clickOn("#newFile");
        answer(robot, "inner.txt");
        waitFor(SLOW, TimeUnit.SECONDS, () -> session.sandbox().fileExists("/tmp/box/inner.txt"));
        session.sandbox().fileWrite("/tmp/box/inner.txt", "kept across the rename", false, false, false);

        // Rename the file (F2) and the folder (the button); the folder keeps what is in it.
        select(robot, "/tmp/draft.txt");
        focusTree(robot);
        robot.type(KeyCode.F2);
        answer(robot, "notes.txt");
        waitFor(SLOW, TimeUnit.SECONDS, () -> node("/tmp/notes.txt").isPresent() && node("/tmp/draft.txt").isEmpty());
        assertThat(session.sandbox().fileExists("/tmp/draft.txt")).isFalse();
        select(robot, "/tmp/box");
        robot.clickOn("#renameFile");
        answer(robot, "crate");
        waitFor(SLOW, TimeUnit.SECONDS, () -> node("/tmp/crate").isPresent() && node("/tmp/box").isEmpty());
        assertThat(session.sandbox().fileRead("/tmp/crate/inner.txt", LineRange.all())).isEqualTo("kept across the rename");
        assertThat(session.sandbox().fileExists("/tmp/box")).isFalse();

        // A drop on a folder moves the entry into it.
        robot.interact(() -> window.files().move(node("/tmp/notes.txt").orElseThrow(), node("/tmp/crate").orElseThrow()));
        waitFor(SLOW, TimeUnit.SECONDS, () -> session.sandbox().fileExists("/tmp/crate/notes.txt") && !session.sandbox().fileExists("/tmp/notes.txt"));
        waitFor(SLOW, TimeUnit.SECONDS, () -> robot.lookup("#statusMessage").queryAs(Label.class).getText().startsWith("Moved /tmp/notes.txt"));
        // The move read /tmp again: wait until its new listing (without notes.txt) is the tree's before opening crate.
        waitFor(SLOW, TimeUnit.SECONDS, () -> node("/tmp/notes.txt").isEmpty());
        WaitForAsyncUtils.waitForFxEvents();

        // Save, and the tree shows the new size.
        robot.interact(() -> window.files().load(node("/tmp/crate").orElseThrow()));
        waitFor(SLOW, TimeUnit.SECONDS, () -> node("/tmp/crate/notes.txt").isPresent());
        robot.interact(() -> window.files().open(node("/tmp/crate/notes.txt").orElseThrow()));
        waitFor(SLOW, TimeUnit.SECONDS, () -> robot.lookup("#editor").query().isDisabled() == false);
        robot.interact(() -> window.files().editorTextProperty().set("twelve bytes"));
        robot.clickOn("#saveFile");
        waitFor(SLOW, TimeUnit.SECONDS, () -> node("/tmp/crate/notes.txt").map(FileNode::size).orElse(-1L) == 12L);
        select(robot, "/tmp/crate/notes.txt");
        WaitForAsyncUtils.waitForFxEvents();
        Screenshots.save(window.stage().getScene(), "files-operations");

        // Delete the file, then the folder with what is in it; each confirmation names what goes.
        select(robot, "/tmp/crate/notes.txt");
        robot.clickOn("#deleteFile");
        assertThat(dialogText(robot)).contains("Delete the file /tmp/crate/notes.txt");
        clickDialogButton(robot, "Delete");
        waitFor(SLOW, TimeUnit.SECONDS, () -> !session.sandbox().fileExists("/tmp/crate/notes.txt"));
        select(robot, "/tmp/crate");
        focusTree(robot);
        robot.type(KeyCode.DELETE);
        assertThat(dialogText(robot)).contains("Delete the folder /tmp/crate and everything in it");
        clickDialogButton(robot, "Delete");
        waitFor(SLOW, TimeUnit.SECONDS, () -> !session.sandbox().fileExists("/tmp/crate"));
        waitFor(SLOW, TimeUnit.SECONDS, () -> node("/tmp/crate").isEmpty());
    }

    @Test
    void aNameWithASlashIsRefusedAndAnExecutableOrLinkIsNotRenamedByCopy(FxRobot robot) throws Exception {
        SessionHandle session = newSessionWithItsFilesAtTmp(robot);
        select(robot, "/tmp");
        robot.clickOn("#newFile");
        answer(robot, "../etc/evil");
        assertThat(dialogText(robot)).contains("cannot contain \"/\"");
        clickDialogButton(robot, "OK");
        assertThat(session.sandbox().fileExists("/etc/evil")).isFalse();
        assertThat(session.sandbox().fileExists("/tmp/../etc/evil")).isFalse();

        // A rename copies content only: an executable or a link would silently change, so it is refused and left alone.
        session.sandbox().execStateful("mkdir -p /tmp/tools && printf 'echo hi' > /tmp/tools/run.sh && chmod 755 /tmp/tools/run.sh"
                + " && ln -s /etc/hostname /tmp/link", session.sessionId(), java.time.Duration.ofSeconds(30));
        robot.interact(() -> window.files().openRoot());
        waitFor(SLOW, TimeUnit.SECONDS, () -> node("/tmp/tools").isPresent() && node("/tmp/link").isPresent());
        select(robot, "/tmp/tools");
        robot.clickOn("#renameFile");
        answer(robot, "tools2");
        Label status = robot.lookup("#statusMessage").queryAs(Label.class);
        waitFor(SLOW, TimeUnit.SECONDS, () -> status.getText().contains("is executable"));
        assertThat(session.sandbox().fileExists("/tmp/tools/run.sh")).isTrue();
        assertThat(session.sandbox().fileExists("/tmp/tools2")).isFalse();
        select(robot, "/tmp/link");
        robot.clickOn("#renameFile");
        answer(robot, "link2");
        waitFor(SLOW, TimeUnit.SECONDS, () -> status.getText().contains("is a link"));
        assertThat(session.sandbox().fileExists("/tmp/link")).isTrue();
        assertThat(session.sandbox().fileExists("/tmp/link2")).isFalse();
    }

    /** Focus without a click: a click would select the row under the pointer. */
    private static void focusTree(FxRobot robot) {
        robot.interact(() -> robot.lookup("#fileTree").query().requestFocus());
    }

    private Optional<FileNode> node(String path) {
        FileNode root = window.files().rootProperty().get();
        return root == null ? Optional.empty() : find(root, path);
    }

    private static Optional<FileNode> find(FileNode node, String path) {
        if (node.path().equals(path)) {
            return Optional.of(node);
        }
        for (FileNode child : node.children()) {
            Optional<FileNode> found = find(child, path);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    @SuppressWarnings("unchecked")
    private static void select(FxRobot robot, String path) {
        TreeView<FileNode> tree = robot.lookup("#fileTree").queryAs(TreeView.class);
        robot.interact(() -> {
            TreeItem<FileNode> item = item(tree.getRoot(), path);
            if (item == null) {
                throw new AssertionError("no " + path + " in the tree");
            }
            for (TreeItem<FileNode> p = item.getParent(); p != null; p = p.getParent()) {
                p.setExpanded(true);
            }
            tree.getSelectionModel().select(item);
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static TreeItem<FileNode> item(TreeItem<FileNode> item, String path) {
        if (item.getValue().path().equals(path)) {
            return item;
        }
        for (TreeItem<FileNode> child : item.getChildren()) {
            TreeItem<FileNode> found = item(child, path);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** Types the name into the question's field (replacing what is there) and confirms. */
    private static void answer(FxRobot robot, String text) throws Exception {
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(".dialog-pane .text-field").tryQuery().isPresent());
        TextField field = robot.lookup(".dialog-pane .text-field").queryAs(TextField.class);
        robot.interact(() -> field.setText(text));
        clickDialogButton(robot, "OK");
    }

    private static String dialogText(FxRobot robot) throws Exception {
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(".dialog-pane").tryQuery().isPresent());
        return robot.lookup(".dialog-pane .content").queryAs(Label.class).getText();
    }

    private static void clickDialogButton(FxRobot robot, String text) throws Exception {
        waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(".dialog-pane").tryQuery().isPresent());
        Node pane = robot.lookup(".dialog-pane").query();
        Button button = robot.from(pane).lookup((Button b) -> text.equals(b.getText())).queryButton();
        robot.clickOn(button);
        WaitForAsyncUtils.waitForFxEvents();
    }
}
