package io.sandboxops.app.console.fx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import javafx.fxml.FXMLLoader;

/**
 * Loads a view's FXML by convention: {@code SessionsView} is described by {@code Sessions.fxml} in the same
 * package, with {@code <fx:root>} as its root, and the view object is both root and controller.
 */
public final class ViewLoader {
    private ViewLoader() {
    }

    public static void load(Object view) {
        Class<?> type = view.getClass();
        String name = type.getSimpleName().replaceFirst("View$", "") + ".fxml";
        URL fxml = type.getResource(name);
        if (fxml == null) {
            throw new IllegalStateException("no " + name + " next to " + type.getName() + " on the classpath");
        }
        FXMLLoader loader = new FXMLLoader(fxml);
        loader.setRoot(view);
        loader.setController(view);
        try {
            loader.load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load " + fxml, e);
        }
    }
}
