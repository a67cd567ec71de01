package io.sandboxops.app.console.dialog;

import javafx.application.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last line: a failure no code caught is logged and shown in words with its stack trace behind a
 * disclosure, instead of vanishing into a terminal nobody watches, and the console keeps running.
 */
public final class UncaughtExceptionHandler implements Thread.UncaughtExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(UncaughtExceptionHandler.class);

    private final DialogService dialogs;
    private volatile boolean showing;

    public UncaughtExceptionHandler(DialogService dialogs) {
        this.dialogs = dialogs;
    }

    /** Installs it for every thread, the JavaFX thread included. */
    public void install() {
        Thread.setDefaultUncaughtExceptionHandler(this);
        if (Platform.isFxApplicationThread()) {
            Thread.currentThread().setUncaughtExceptionHandler(this);
        }
    }

    @Override
    public void uncaughtException(Thread thread, Throwable error) {
        log.error("uncaught on {}", thread.getName(), error);
        Platform.runLater(() -> {
            // One at a time: a failure in a layout pass repeats every frame and would stack dialogs.
            if (showing) {
                return;
            }
            showing = true;
            try {
                dialogs.showException("Something went wrong", error);
            } finally {
                showing = false;
            }
        });
    }
}
