package io.sandboxops.app.console;

import io.sandboxops.app.console.environment.EnvironmentCatalog;
import io.sandboxops.app.console.environment.LocalWorkspaceOpener;
import io.sandboxops.app.console.preferences.ConsolePreferences;
import io.sandboxops.app.console.sessions.LastKnownSessions;
import io.sandboxops.core.env.Environments;
import java.util.Optional;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.beans.value.ObservableBooleanValue;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * The desktop console. Opens on the {@code local} environment: the local Docker engine when one answers and
 * the emulator started embedded ({@code -Dsandboxops.console.emulator=false} skips it). The window shows at once, light
 * ({@link ConsoleWindow#showShell}), and the console is built in it on the next turn of the event loop. With
 * {@code --smoke} it quits once the console is on screen: the installer check that the packaged console really starts;
 * with {@code --smoke=sessions} it waits for the sessions to be listed too and says when, then for the environment to
 * finish opening and says its resident memory then (what {@code ProcessStartBenchmark} reads). Both print when the
 * first frame (the light window) and the console's own first frame were on screen. The window's size and the
 * environment last open are remembered in {@code ~/.sandbox-ops/console.properties}, and each environment's last listed
 * sessions in {@code ~/.sandbox-ops/console-sessions/}, shown (marked stale) the moment the console is built.
 */
public final class ConsoleApp extends Application {
    /** The argument that makes the console quit after its first frame. */
    public static final String SMOKE = "--smoke";
    /** As {@link #SMOKE}, quitting once the sessions are listed instead. */
    public static final String SMOKE_SESSIONS = "--smoke=sessions";

    private ConsoleWindow window;

    @Override
    public void start(Stage stage) {
        long started = System.nanoTime();
        boolean emulator = Boolean.parseBoolean(System.getProperty("sandboxops.console.emulator", "true"));
        boolean untilListed = getParameters().getRaw().contains(SMOKE_SESSIONS);
        boolean smoke = untilListed || getParameters().getRaw().contains(SMOKE);
        // The installer's check must not change the size and environment the person sees next time.
        ConsolePreferences preferences = smoke ? ConsolePreferences.none() : ConsolePreferences.load(ConsolePreferences.defaultFile());
        ConsoleWindow.showShell(stage, preferences);
        afterFrame(stage.getScene(), () -> {
            long shellFrame = System.nanoTime();
            if (smoke) {
                System.out.printf("console: first frame after %d ms%n", (shellFrame - started) / 1_000_000);
                System.out.flush();
            }
            window = ConsoleWindow.show(stage, new ConsoleWindow.Options(EnvironmentCatalog.fromFile(Environments.defaultFile()),
                    new LocalWorkspaceOpener(emulator), preferences, Optional.of(Environments.defaultFile()))
                    .withLastKnownSessions(LastKnownSessions.inUserHome()));
            if (smoke) {
                afterFrame(stage.getScene(), () -> {
                    System.out.printf("console: full window after %d ms%n", (System.nanoTime() - started) / 1_000_000);
                    System.out.flush();
                    if (untilListed) {
                        quitWhenListed(shellFrame);
                    } else {
                        Platform.exit();
                    }
                });
            }
        });
    }

    /** Runs {@code then} on the turn of the event loop after the scene's next frame: that frame is on screen by then. */
    private static void afterFrame(Scene scene, Runnable then) {
        scene.addPostLayoutPulseListener(new Runnable() {
            @Override
            public void run() {
                scene.removePostLayoutPulseListener(this);
                Platform.runLater(then);
            }
        });
    }

    private void quitWhenListed(long firstFrame) {
        whenTrue(window.sessionsListed(), () -> {
            System.out.printf("console: sessions listed %d ms after the first frame%n", (System.nanoTime() - firstFrame) / 1_000_000);
            System.out.flush();
            // Sessions are listed once the Docker engine answers; the memory figure is of the whole environment open.
            whenTrue(window.environmentOpened(), () -> {
                System.out.println("console: " + residentMemory());
                System.out.flush();
                Platform.exit();
            });
        });
    }

    private static void whenTrue(ObservableBooleanValue value, Runnable then) {
        if (value.get()) {
            then.run();
            return;
        }
        value.addListener(new javafx.beans.value.ChangeListener<Boolean>() {
            @Override
            public void changed(javafx.beans.value.ObservableValue<? extends Boolean> obs, Boolean was, Boolean now) {
                if (now) {
                    value.removeListener(this);
                    then.run();
                }
            }
        });
    }

    /** The VmRSS line of /proc/self/status (Linux), or that there is none. */
    private static String residentMemory() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).findFirst().map(l -> l.replaceAll("\\s+", " ")).orElse("VmRSS: unknown");
        } catch (java.io.IOException e) {
            return "VmRSS: unknown (" + e.getMessage() + ")";
        }
    }

    @Override
    public void stop() {
        if (window != null) {
            window.close();
        }
    }
}
