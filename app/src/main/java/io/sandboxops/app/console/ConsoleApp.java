package io.sandboxops.app.console;

import io.sandboxops.app.console.environment.EnvironmentCatalog;
import io.sandboxops.app.console.environment.LocalWorkspaceOpener;
import javafx.application.Application;
import javafx.stage.Stage;

/**
 * The desktop console. Opens on the {@code local} environment: the local Docker engine when one answers and
 * the emulator started embedded ({@code -Dsandboxops.console.emulator=false} skips it).
 */
public final class ConsoleApp extends Application {

    private ConsoleWindow window;

    @Override
    public void start(Stage stage) {
        boolean emulator = Boolean.parseBoolean(System.getProperty("sandboxops.console.emulator", "true"));
        window = ConsoleWindow.show(stage, new ConsoleWindow.Options(EnvironmentCatalog.localOnly(), new LocalWorkspaceOpener(emulator)));
    }

    @Override
    public void stop() {
        if (window != null) {
            window.close();
        }
    }
}
