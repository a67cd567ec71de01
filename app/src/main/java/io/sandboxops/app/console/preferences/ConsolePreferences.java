package io.sandboxops.app.console.preferences;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the console remembers between launches: the window's size and the environment last open. Kept in a small
 * properties file ({@code ~/.sandbox-ops/console.properties}, next to the environments file); a file that is missing
 * or unreadable means the defaults, never a failed start. Not thread-safe: the FX thread reads and writes it.
 */
public final class ConsolePreferences {
    private static final Logger log = LoggerFactory.getLogger(ConsolePreferences.class);

    static final String WIDTH = "window.width";
    static final String HEIGHT = "window.height";
    static final String MAXIMIZED = "window.maximized";
    static final String ENVIRONMENT = "environment.last";

    /** The window as it was left; sizes below these are not restored, so a window never opens unusably small. */
    public record WindowSize(double width, double height, boolean maximized) {
        public static final double MIN_WIDTH = 900;
        public static final double MIN_HEIGHT = 600;
    }

    private final Path file;
    private final Properties values;

    private ConsolePreferences(Path file, Properties values) {
        this.file = file;
        this.values = values;
    }

    /** The user's file: {@code ~/.sandbox-ops/console.properties}. */
    public static Path defaultFile() {
        return Path.of(System.getProperty("user.home"), ".sandbox-ops", "console.properties");
    }

    /** Reads {@code file}; when it is missing or unreadable, the defaults, which {@link #save()} writes there. */
    public static ConsolePreferences load(Path file) {
        Properties values = new Properties();
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                values.load(in);
            } catch (IOException | IllegalArgumentException e) {
                log.warn("could not read {}, starting with the defaults: {}", file, e.toString());
                values.clear();
            }
        }
        return new ConsolePreferences(file, values);
    }

    /** Remembers nothing across launches and writes no file: for tests and for runs that must leave the home alone. */
    public static ConsolePreferences none() {
        return new ConsolePreferences(null, new Properties());
    }

    public Optional<WindowSize> windowSize() {
        Optional<Double> width = number(WIDTH);
        Optional<Double> height = number(HEIGHT);
        if (width.isEmpty() || height.isEmpty() || width.get() < WindowSize.MIN_WIDTH || height.get() < WindowSize.MIN_HEIGHT) {
            return Optional.empty();
        }
        return Optional.of(new WindowSize(width.get(), height.get(), Boolean.parseBoolean(values.getProperty(MAXIMIZED))));
    }

    public void windowSize(WindowSize size) {
        values.setProperty(WIDTH, String.valueOf(Math.round(size.width())));
        values.setProperty(HEIGHT, String.valueOf(Math.round(size.height())));
        values.setProperty(MAXIMIZED, String.valueOf(size.maximized()));
    }

    /** @return the name of the environment open when the console was last closed */
    public Optional<String> lastEnvironment() {
        return Optional.ofNullable(values.getProperty(ENVIRONMENT)).filter(s -> !s.isBlank());
    }

    public void lastEnvironment(String name) {
        values.setProperty(ENVIRONMENT, name);
    }

    /**
     * Writes the file (through a temporary one, so a crash never leaves half of it).
     *
     * @return why it could not be written, when it could not; the console still closes
     */
    public Optional<String> save() {
        if (file == null) {
            return Optional.empty();
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path partial = file.resolveSibling(file.getFileName() + ".tmp");
            try (OutputStream out = Files.newOutputStream(partial)) {
                values.store(out, "Sandbox Ops console: window and last environment");
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
            return Optional.empty();
        } catch (IOException e) {
            log.warn("could not save the console's preferences to {}: {}", file, e.toString());
            return Optional.of("could not save " + file + ": " + e.getMessage());
        }
    }

    private Optional<Double> number(String key) {
        try {
            return Optional.ofNullable(values.getProperty(key)).map(Double::parseDouble).filter(d -> !d.isNaN() && !d.isInfinite());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
