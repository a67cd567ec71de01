package io.sandboxops.app.console;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import io.sandboxops.app.console.dialog.DialogService;
import io.sandboxops.app.console.dialog.FxDialogService;
import io.sandboxops.app.console.dialog.FxNotifier;
import io.sandboxops.app.console.dialog.Notifier;
import io.sandboxops.app.console.dialog.UncaughtExceptionHandler;
import io.sandboxops.app.console.environment.EnvironmentCatalog;
import io.sandboxops.app.console.environment.EnvironmentsViewModel;
import io.sandboxops.app.console.environment.WorkspaceOpener;
import io.sandboxops.app.console.environment.WriteGuard;
import io.sandboxops.app.console.files.FilesView;
import io.sandboxops.app.console.files.FilesViewModel;
import io.sandboxops.app.console.logs.LogsView;
import io.sandboxops.app.console.logs.LogsViewModel;
import io.sandboxops.app.console.main.MainView;
import io.sandboxops.app.console.main.MainViewModel;
import io.sandboxops.app.console.metrics.MetricsView;
import io.sandboxops.app.console.metrics.MetricsViewModel;
import io.sandboxops.app.console.preferences.ConsolePreferences;
import io.sandboxops.app.console.processes.ProcessesView;
import io.sandboxops.app.console.processes.ProcessesViewModel;
import io.sandboxops.app.console.rollout.Actor;
import io.sandboxops.app.console.rollout.RolloutView;
import io.sandboxops.app.console.rollout.RolloutViewModel;
import io.sandboxops.app.console.sessions.SessionsView;
import io.sandboxops.app.console.sessions.SessionsViewModel;
import io.sandboxops.app.console.shell.SessionConsoleView;
import io.sandboxops.app.console.shell.SessionConsoleViewModel;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.FxTaskExecutor;
import java.lang.management.ManagementFactory;
import java.util.List;
import javafx.application.Application;
import javafx.beans.binding.Bindings;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.stage.Stage;
import org.kordamp.ikonli.feather.Feather;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the console together: the one place that knows every view and view model, used by {@link ConsoleApp}
 * and by the TestFX tests (which hand it a different {@link WorkspaceOpener}).
 */
public final class ConsoleWindow {
    private static final Logger log = LoggerFactory.getLogger(ConsoleWindow.class);

    /**
     * What the window works on: where environments come from, how one is opened, and where the window's size and the
     * last environment are remembered.
     */
    public record Options(EnvironmentCatalog catalog, WorkspaceOpener opener, ConsolePreferences preferences) {
        /** Remembers nothing: the tests' windows leave the user's home alone. */
        public Options(EnvironmentCatalog catalog, WorkspaceOpener opener) {
            this(catalog, opener, ConsolePreferences.none());
        }
    }

    static final double DEFAULT_WIDTH = 1280;
    static final double DEFAULT_HEIGHT = 820;

    private final Stage stage;
    private final ConsolePreferences preferences;
    private final FxTaskExecutor executor;
    private final MainViewModel main;
    private final SessionsViewModel sessions;
    private final ProcessesViewModel processes;
    private final FilesViewModel files;
    private final RolloutViewModel rollout;
    private final MetricsViewModel metrics;
    private final LogsViewModel logs;

    private ConsoleWindow(Stage stage, Options options) {
        this.stage = stage;
        this.preferences = options.preferences();
        DialogService dialogs = new FxDialogService(stage);
        Notifier notifier = new FxNotifier(stage);
        new UncaughtExceptionHandler(dialogs).install();
        executor = new FxTaskExecutor(failed -> dialogs.showException("Could not " + failed.title(), failed.error()));
        StatusLine status = new StatusLine();
        EnvironmentsViewModel environments = new EnvironmentsViewModel(options.catalog(), preferences);
        WriteGuard guard = new WriteGuard(environments.selectedProperty(), dialogs);
        main = new MainViewModel(executor, status, environments, options.opener());
        sessions = new SessionsViewModel(executor, status, guard, main.workspaceProperty());

        var session = sessions.openSessionProperty();
        SessionConsoleViewModel console = new SessionConsoleViewModel(executor, status, guard, session);
        processes = new ProcessesViewModel(executor, status, guard, session);
        files = new FilesViewModel(executor, dialogs, notifier, status, guard, session);

        String actor = Actor.current();
        rollout = new RolloutViewModel(executor, status, dialogs, notifier, main.workspaceProperty(), actor);
        metrics = new MetricsViewModel(executor, status, main.workspaceProperty());
        logs = new LogsViewModel(executor, status, main.workspaceProperty());

        MainView view = new MainView(main, new MainView.SessionViews(new SessionsView(sessions), new SessionConsoleView(console),
                new ProcessesView(processes), new FilesView(files),
                Bindings.isNotNull(session)), List.of(
                new MainView.Page("rolloutTab", "Rollout", Feather.GIT_BRANCH,
                        "Where the rollout stands, change it, roll back (Alt+2)", new RolloutView(rollout), rollout.shownProperty()),
                new MainView.Page("metricsTab", "Metrics", Feather.BAR_CHART_2,
                        "Success rate, latency, errors, running executions and cost against the plan (Alt+3)", new MetricsView(metrics), metrics.shownProperty()),
                new MainView.Page("logsTab", "Logs & audit", Feather.FILE_TEXT,
                        "Execution logs, the prepared queries, and who changed the rollout (Alt+4)", new LogsView(logs), logs.shownProperty())));

        applyTheme(main.darkThemeProperty().get());
        main.darkThemeProperty().addListener((obs, old, dark) -> applyTheme(dark));
        ConsolePreferences.WindowSize size = preferences.windowSize()
                .orElse(new ConsolePreferences.WindowSize(DEFAULT_WIDTH, DEFAULT_HEIGHT, false));
        Scene scene = new Scene(view, size.width(), size.height());
        installShortcuts(scene);
        scene.getStylesheets().add(ConsoleWindow.class.getResource("console.css").toExternalForm());
        stage.setScene(scene);
        stage.setTitle("Sandbox Ops");
        stage.setMinWidth(ConsolePreferences.WindowSize.MIN_WIDTH);
        stage.setMinHeight(ConsolePreferences.WindowSize.MIN_HEIGHT);
        stage.setMaximized(size.maximized());
        var icon = ConsoleWindow.class.getResourceAsStream("icon.png");
        if (icon != null) {
            stage.getIcons().add(new Image(icon));
        }
    }

    /** Builds the window, shows it, and starts opening the selected environment. */
    public static ConsoleWindow show(Stage stage, Options options) {
        ConsoleWindow window = new ConsoleWindow(stage, options);
        logFirstFrame(stage.getScene());
        stage.show();
        window.main.start();
        window.sessions.start();
        window.processes.start();
        window.rollout.start();
        window.metrics.start();
        window.logs.start();
        return window;
    }

    /** The frequent actions from the keyboard; each does what its button does, and only when the button could. */
    private void installShortcuts(Scene scene) {
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.F5), sessions::refresh);
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.N, KeyCombination.SHORTCUT_DOWN), () -> {
            if (sessions.canCreateProperty().get()) {
                sessions.create();
            }
        });
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.F, KeyCombination.SHORTCUT_DOWN), () -> focus(scene, "#sessionsFilter"));
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.L, KeyCombination.SHORTCUT_DOWN), () -> focus(scene, "#commandField"));
    }

    private static void focus(Scene scene, String selector) {
        var node = scene.lookup(selector);
        if (node != null && node.isVisible() && !node.isDisabled()) {
            node.requestFocus();
        }
    }

    /** Launch to first frame is a goal (≤ 2.5 s, issue 6); the log says what this start took. */
    private static void logFirstFrame(Scene scene) {
        Runnable[] once = new Runnable[1];
        once[0] = () -> {
            scene.removePostLayoutPulseListener(once[0]);
            long sinceJvmStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            log.info("first frame {} ms after the JVM started", sinceJvmStart);
        };
        scene.addPostLayoutPulseListener(once[0]);
    }

    private static void applyTheme(boolean dark) {
        Application.setUserAgentStylesheet(dark ? new PrimerDark().getUserAgentStylesheet() : new PrimerLight().getUserAgentStylesheet());
    }

    public Stage stage() {
        return stage;
    }

    /** For the UI tests: uploads and downloads, which go through native file choosers a headless test cannot drive. */
    FilesViewModel files() {
        return files;
    }

    SessionsViewModel sessions() {
        return sessions;
    }

    RolloutViewModel rollout() {
        return rollout;
    }

    /** The size the window had before it was maximized stays the size it opens at when it is not. */
    private void rememberWindow() {
        Scene scene = stage.getScene();
        if (scene != null && scene.getWidth() > 0 && scene.getHeight() > 0) {
            ConsolePreferences.WindowSize was = preferences.windowSize().orElse(new ConsolePreferences.WindowSize(DEFAULT_WIDTH, DEFAULT_HEIGHT, false));
            preferences.windowSize(stage.isMaximized() ? new ConsolePreferences.WindowSize(was.width(), was.height(), true)
                    : new ConsolePreferences.WindowSize(scene.getWidth(), scene.getHeight(), false));
        }
        // A few hundred bytes, once, as the application exits: nothing is left to keep responsive.
        preferences.save();
    }

    /** Stops timers and background work and closes the environment (the emulator, backend connections). */
    public void close() {
        rememberWindow();
        sessions.dispose();
        processes.dispose();
        rollout.dispose();
        metrics.dispose();
        logs.dispose();
        executor.shutdown();
        main.shutdown();
    }
}
