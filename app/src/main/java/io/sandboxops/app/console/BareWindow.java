package io.sandboxops.app.console;

import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;

/**
 * The reference the console's first frame is held to: an empty JavaFX window of the console's size, started by the same
 * launcher ({@code console --bare-window}), so the same runtime, jar, JVM options and class-data archive; it prints its
 * first frame as {@code --smoke} does and quits.
 */
public final class BareWindow extends Application {
    /** The launcher argument that starts this window instead of the console. */
    public static final String ARGUMENT = "--bare-window";

    @Override
    public void start(Stage stage) {
        long started = System.nanoTime();
        Scene scene = new Scene(new StackPane(), ConsoleWindow.DEFAULT_WIDTH, ConsoleWindow.DEFAULT_HEIGHT);
        scene.addPostLayoutPulseListener(new Runnable() {
            @Override
            public void run() {
                scene.removePostLayoutPulseListener(this);
                Platform.runLater(() -> {
                    System.out.printf("bare window: first frame after %d ms%n", (System.nanoTime() - started) / 1_000_000);
                    System.out.flush();
                    Platform.exit();
                });
            }
        });
        stage.setScene(scene);
        stage.setTitle("bare window");
        stage.show();
    }
}
