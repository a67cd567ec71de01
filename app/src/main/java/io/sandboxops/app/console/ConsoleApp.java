package io.sandboxops.app.console;

import io.sandboxops.app.console.environment.EnvironmentCatalog;
import io.sandboxops.app.console.environment.LocalWorkspaceOpener;
import io.sandboxops.app.console.preferences.ConsolePreferences;
import io.sandboxops.app.console.sessions.LastKnownSessions;
import io.sandboxops.core.env.Environments;
import java.util.Optional;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * The desktop console. Opens on the {@code local} environment: the local Docker engine when one answers and
 * the emulator started embedded ({@code -Dsandboxops.console.emulator=false} skips it). With {@code --smoke}
 * it quits after its first frame: the installer check that the packaged console really starts; with
 * {@code --smoke=sessions} it waits for the sessions to be listed too and says when, and its resident memory then (what
 * {@code ProcessStartBenchmark} reads). The window's size and the
 * environment last open are remembered in {@code ~/.sandbox-ops/console.properties}, and each environment's last listed
 * sessions in {@code ~/.sandbox-ops/console-sessions/}, shown (marked stale) the moment the window opens.
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
        window = ConsoleWindow.show(stage, new ConsoleWindow.Options(EnvironmentCatalog.fromFile(Environments.defaultFile()),
                new LocalWorkspaceOpener(emulator), preferences, Optional.of(Environments.defaultFile()))
                .withLastKnownSessions(LastKnownSessions.inUserHome()));
        if (smoke) {
            Scene scene = stage.getScene();
            scene.addPostLayoutPulseListener(new Runnable() {
                @Override
                public void run() {
                    scene.removePostLayoutPulseListener(this);
                    // After this pulse the frame is on screen; quit on the next turn of the event loop.
                    Platform.runLater(() -> {
                        long frame = System.nanoTime();
                        System.out.printf("console: first frame after %d ms%n", (frame - started) / 1_000_000);
                        System.out.flush();
                        if (untilListed) {
                            quitWhenListed(frame);
                        } else {
                            Platform.exit();
                        }
                    });
                }
            });
        }
    }

    private void quitWhenListed(long firstFrame) {
        Runnable report = () -> {
            System.out.printf("console: sessions listed %d ms after the first frame%n", (System.nanoTime() - firstFrame) / 1_000_000);
            System.out.println("console: " + residentMemory());
            System.out.flush();
            Platform.exit();
        };
        if (window.sessionsListed().get()) {
            report.run();
        } else {
            window.sessionsListed().addListener((obs, was, now) -> {
                if (now) {
                    report.run();
                }
            });
        }
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
