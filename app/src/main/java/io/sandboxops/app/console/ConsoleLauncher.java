package io.sandboxops.app.console;

import io.sandboxops.core.api.SandboxException;
import javafx.application.Application;

/**
 * The console's {@code main}. It does not extend {@link Application}: started from a plain classpath (the
 * shaded jar), the JavaFX launcher refuses a main class that does, because it expects JavaFX as modules.
 */
public final class ConsoleLauncher {
    private ConsoleLauncher() {
    }

    public static void main(String[] args) {
        try {
            if (java.util.Arrays.asList(args).contains(BareWindow.ARGUMENT)) {
                Application.launch(BareWindow.class, args);
                System.exit(0);
            }
            Application.launch(ConsoleApp.class, args);
            if (java.util.Arrays.stream(args).anyMatch(a -> a.equals(ConsoleApp.SMOKE) || a.equals(ConsoleApp.SMOKE_SESSIONS))) {
                // Threads of the local environment (engine client, emulator) must not hold the check up.
                System.exit(0);
            }
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            // Typically no display (an SSH session, a container): say so instead of a toolkit stack trace.
            String display = System.getenv("DISPLAY");
            System.err.println("console: cannot open a window: " + SandboxException.rootMessage(e)
                    + (display == null || display.isBlank() ? " (no DISPLAY is set; run it on a desktop, or use sandboxctl in a terminal)" : ""));
            System.exit(2);
        }
    }
}
