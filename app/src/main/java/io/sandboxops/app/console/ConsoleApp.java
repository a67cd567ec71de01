package io.sandboxops.app.console;

import io.sandboxops.app.console.environment.EnvironmentCatalog;
import io.sandboxops.app.console.environment.LocalWorkspaceOpener;
import io.sandboxops.core.env.Environments;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * The desktop console. Opens on the {@code local} environment: the local Docker engine when one answers and
 * the emulator started embedded ({@code -Dsandboxops.console.emulator=false} skips it). With {@code --smoke}
 * it quits after its first frame: the installer check that the packaged console really starts.
 */
public final class ConsoleApp extends Application {
    /** The argument that makes the console quit after its first frame. */
    public static final String SMOKE = "--smoke";

    private ConsoleWindow window;

    @Override
    public void start(Stage stage) {
        long started = System.nanoTime();
        boolean emulator = Boolean.parseBoolean(System.getProperty("sandboxops.console.emulator", "true"));
        window = ConsoleWindow.show(stage, new ConsoleWindow.Options(EnvironmentCatalog.fromFile(Environments.defaultFile()), new LocalWorkspaceOpener(emulator)));
        if (getParameters().getRaw().contains(SMOKE)) {
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
