package io.sandboxops.app.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.preferences.ConsolePreferences;
import io.sandboxops.app.console.testing.FakeSandboxBackend;
import io.sandboxops.app.console.testing.FakeWorkspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The real window opens at the size and on the environment it was closed with, from a file of the test's. */
@ExtendWith(ApplicationExtension.class)
class RememberedWindowTest {
    private static final ConsoleEnvironment STAGING = new ConsoleEnvironment("staging", ConsoleEnvironment.Kind.GCP, false, false, "staging");

    @TempDir
    static Path home;

    private Path file;
    private ConsoleWindow window;

    @Start
    void start(Stage stage) throws Exception {
        file = home.resolve(".sandbox-ops/console.properties");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "window.width=1000\nwindow.height=700\nwindow.maximized=false\nenvironment.last=staging\n");
        FakeSandboxBackend backend = new FakeSandboxBackend();
        window = ConsoleWindow.show(stage, new ConsoleWindow.Options(() -> List.of(ConsoleEnvironment.local(), STAGING),
                env -> new FakeWorkspace(env, Map.of(FakeSandboxBackend.NAME, backend), List.of()), ConsolePreferences.load(file)));
    }

    @Test
    void opensAsItWasLeftAndRemembersTheNewSizeAndEnvironmentOnClose(FxRobot robot) {
        assertThat(window.stage().getScene().getWidth()).isEqualTo(1000);
        assertThat(window.stage().getScene().getHeight()).isEqualTo(700);
        assertThat(robot.lookup("#environmentChoice").queryComboBox().getValue()).isEqualTo(STAGING);

        robot.interact(() -> {
            window.stage().setWidth(1100);
            robot.lookup("#environmentChoice").queryComboBox().getSelectionModel().select(0);
        });
        WaitForAsyncUtils.asyncFx(window::close);
        WaitForAsyncUtils.waitForFxEvents();

        ConsolePreferences next = ConsolePreferences.load(file);
        assertThat(next.lastEnvironment()).contains("local");
        assertThat(next.windowSize()).hasValueSatisfying(size -> {
            assertThat(size.width()).isEqualTo(window.stage().getScene().getWidth());
            assertThat(size.height()).isEqualTo(700);
            assertThat(size.maximized()).isFalse();
        });
    }
}
