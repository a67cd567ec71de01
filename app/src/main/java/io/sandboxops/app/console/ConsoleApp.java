package io.sandboxops.app.console;

import io.sandboxops.app.console.environment.EnvironmentCatalog;
import io.sandboxops.app.console.environment.LocalWorkspaceOpener;
import io.sandboxops.app.console.preferences.ConsolePreferences;
import io.sandboxops.core.env.Environments;
import java.util.Optional;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * The desktop console. Opens on the {@code local} environment: the local Docker engine when one answers and
 * the emulator started embedded ({@code -Dsandboxops.console.emulator=false} skips it). With {@code --smoke}
 * it quits after its first frame: the installer check that the packaged console really starts. The window's size and the
 * environment last open are remembered in {@code ~/.sandbox-ops/console.properties}.
 */
public final class ConsoleApp extends Application {
    /** The argument that makes the console quit after its first frame. */
    public static final String SMOKE = "--smoke";

    private ConsoleWindow window;

    @Override
    public void start(Stage stage) {
        long started = System.nanoTime();
        boolean emulator = Boolean.parseBoolean(System.getProperty("sandboxops.console.emulator", "true"));
        boolean smoke = getParameters().getRaw().contains(SMOKE);
        // The installer's check must not change the size and environment the person sees next time.
        ConsolePreferences preferences = smoke ? ConsolePreferences.none() : ConsolePreferences.load(ConsolePreferences.defaultFile());
        window = ConsoleWindow.show(stage, new ConsoleWindow.Options(EnvironmentCatalog.fromFile(Environments.defaultFile()),
                new LocalWorkspaceOpener(emulator), preferences, Optional.of(Environments.defaultFile())));
        if (smoke) {
            Scene scene = stage.getScene();
            scene.addPostLayoutPulseListener(new Runnable() {
                @Override
                public void run() {
                    scene.removePostLayoutPulseListener(this);
                    // After this pulse the frame is on screen; quit on the next turn of the event loop.
                    Platform.runLater(() -> {
                        System.out.printf("console: first frame after %d ms%n", (System.nanoTime() - started) / 1_000_000);
                        Platform.exit();
                    });
                }
            });
        }
    }

    @Override
    public void stop() {
        if (window != null) {
            window.close();
        }
    }
}
