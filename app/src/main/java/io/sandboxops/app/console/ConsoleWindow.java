package io.sandboxops.app.console;

import io.sandboxops.core.env.Actor;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import io.sandboxops.app.console.dialog.DialogService;
import io.sandboxops.app.console.dialog.FxDialogService;
import io.sandboxops.app.console.dialog.FxNotifier;
import io.sandboxops.app.console.dialog.Notifier;
import io.sandboxops.app.console.dialog.UncaughtExceptionHandler;
import io.sandboxops.app.console.environment.AddEnvironmentView;
import io.sandboxops.app.console.environment.AddEnvironmentViewModel;
import io.sandboxops.app.console.environment.EnvironmentCheckView;
import io.sandboxops.app.console.environment.EnvironmentCheckViewModel;
import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.app.console.environment.EnvironmentCatalog;
import io.sandboxops.app.console.fx.Shortcut;
import io.sandboxops.app.console.main.ShortcutSheet;
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
import io.sandboxops.app.console.rollout.HealthStrip;
import io.sandboxops.app.console.rollout.RolloutView;
import io.sandboxops.app.console.rollout.RolloutViewModel;
import io.sandboxops.app.console.sessions.LastKnownSessions;
import io.sandboxops.app.console.sessions.SessionsView;
import io.sandboxops.app.console.sessions.SessionsViewModel;
import io.sandboxops.app.console.workspace.SessionTabsView;
import io.sandboxops.app.console.workspace.SessionTabsViewModel;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.FxTaskExecutor;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javafx.application.Application;
import javafx.beans.binding.Bindings;
import javafx.scene.Scene;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.stage.WindowEvent;
import javafx.scene.image.Image;
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
     * What the window works on: where environments come from, how one is opened, where the window's size and the
     * last environment are remembered, which environments file "Add environment…" writes, and where each environment's
     * last listed sessions are kept to show at the next start.
     */
    public record Options(EnvironmentCatalog catalog, WorkspaceOpener opener, ConsolePreferences preferences, Optional<Path> environmentsFile,
                          Optional<LastKnownSessions> lastKnownSessions) {
        public Options(EnvironmentCatalog catalog, WorkspaceOpener opener, ConsolePreferences preferences, Optional<Path> environmentsFile) {
            this(catalog, opener, preferences, environmentsFile, Optional.empty());
        }

        /** Remembers nothing: the tests' windows leave the user's home alone (and add no environment). */
        public Options(EnvironmentCatalog catalog, WorkspaceOpener opener) {
            this(catalog, opener, ConsolePreferences.none());
        }

        public Options(EnvironmentCatalog catalog, WorkspaceOpener opener, ConsolePreferences preferences) {
            this(catalog, opener, preferences, Optional.empty());
        }

        /** The environments file that "Add environment…" writes, or none for a window that must not. */
        public Options withEnvironmentsFile(Path file) {
            return new Options(catalog, opener, preferences, Optional.of(file), lastKnownSessions);
        }

        /** Shows each environment's last listed sessions while it opens, and keeps its live list in {@code store}. */
        public Options withLastKnownSessions(LastKnownSessions store) {
            return new Options(catalog, opener, preferences, environmentsFile, Optional.of(store));
        }
    }

    static final double DEFAULT_WIDTH = 1280;
    static final double DEFAULT_HEIGHT = 820;

    private final Stage stage;
    private final ConsolePreferences preferences;
    private final FxTaskExecutor executor;
    private final MainViewModel main;
    private final SessionsViewModel sessions;
    private final SessionTabsViewModel sessionTabs;
    private final javafx.beans.property.BooleanProperty terminalShown = new javafx.beans.property.SimpleBooleanProperty();
    private final ProcessesViewModel processes;
    private final FilesViewModel files;
    private final RolloutViewModel rollout;
    private final MetricsViewModel metrics;
    private final LogsViewModel logs;
    private final MainView view;
    private final EnvironmentsViewModel environments;
    private final StatusLine status;
    private final Optional<Path> environmentsFile;
    // Kept: a binding only its listeners refer to could be collected, as its sources hold it weakly.
    private final javafx.beans.binding.BooleanBinding environmentOpened;

    private ConsoleWindow(Stage stage, Options options) {
        this.stage = stage;
        this.preferences = options.preferences();
        DialogService dialogs = new FxDialogService(stage);
        Notifier notifier = new FxNotifier(stage);
        new UncaughtExceptionHandler(dialogs).install();
        executor = new FxTaskExecutor(failed -> dialogs.showException("Could not " + failed.title(), failed.error()));
        status = new StatusLine();
        environmentsFile = options.environmentsFile();
        environments = new EnvironmentsViewModel(options.catalog(), preferences);
        WriteGuard guard = new WriteGuard(environments.selectedProperty(), dialogs);
        main = new MainViewModel(executor, status, environments, options.opener());
        environmentOpened = main.openingProperty().not().and(main.workspaceProperty().isNotNull());
        sessions = new SessionsViewModel(executor, status, guard, main.workspaceProperty());
        options.lastKnownSessions().ifPresent(store -> sessions.rememberIn(store, environments.selectedProperty()));

        var session = sessions.openSessionProperty();
        sessionTabs = new SessionTabsViewModel(executor, status, guard, sessions);
        SessionTabsView openSessions = new SessionTabsView(sessionTabs);
        processes = new ProcessesViewModel(executor, status, guard, session);
        files = new FilesViewModel(executor, dialogs, notifier, status, guard, session);

        String actor = Actor.current();
        rollout = new RolloutViewModel(executor, status, dialogs, notifier, main.workspaceProperty(), actor);
        metrics = new MetricsViewModel(executor, status, main.workspaceProperty());
        logs = new LogsViewModel(executor, status, main.workspaceProperty());

        terminalShown.addListener((obs, was, now) -> {
            if (now) {
                javafx.application.Platform.runLater(openSessions::focusTerminal);
            }
        });
        view = new MainView(main, new MainView.SessionViews(new SessionsView(sessions), openSessions, openSessions.consoleHost(),
                openSessions.terminalHost(), () -> new ProcessesView(processes), () -> new FilesView(files),
                Bindings.isNotNull(session), terminalShown), List.of(
                new MainView.Page("rolloutTab", "Rollout", Feather.GIT_BRANCH,
                        Shortcut.PAGE_ROLLOUT.hint("Where the rollout stands, change it, roll back"), () -> new RolloutView(rollout),
                        // The health strip shows the rollout on every tab, so the rollout is read whichever tab is selected.
                        new javafx.beans.property.SimpleBooleanProperty(this, "rolloutTabShown")),
                new MainView.Page("metricsTab", "Metrics", Feather.BAR_CHART_2,
                        Shortcut.PAGE_METRICS.hint("Success rate, latency, errors, running executions and cost against the plan"), () -> new MetricsView(metrics), metrics.shownProperty()),
                new MainView.Page("logsTab", "Logs & audit", Feather.FILE_TEXT,
                        Shortcut.PAGE_LOGS.hint("Execution logs, the prepared queries, and who changed the rollout"), () -> new LogsView(logs), logs.shownProperty())));

        applyTheme(main.darkThemeProperty().get());
        main.darkThemeProperty().addListener((obs, old, dark) -> applyTheme(dark));
        ConsolePreferences.WindowSize size = preferences.windowSize()
                .orElse(new ConsolePreferences.WindowSize(DEFAULT_WIDTH, DEFAULT_HEIGHT, false));
        Scene scene = new Scene(view, size.width(), size.height());
        installShortcuts(scene);
        view.setMenuBar(menuBar());
        view.showAboveTheTabs(new HealthStrip(rollout));
        view.setOnAddEnvironment(environmentsFile.isPresent() ? this::addEnvironment : null);
        view.setOnCheckEnvironment(() -> EnvironmentCheckView.show(stage, new EnvironmentCheckViewModel(executor,
                () -> java.util.Optional.ofNullable(main.workspaceProperty().get()).flatMap(Workspace::environmentCheck),
                () -> guard.approveRoutine("Check environment", "The check's canary creates a session and runs the job; go on?"))));
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

    /**
     * What each window-wide {@link Shortcut} does; the accelerators and the menu are installed from this, and a key that
     * acts on something (create, refresh) does so only when its button could.
     */
    private Map<Shortcut, Runnable> actions(Scene scene) {
        Map<Shortcut, Runnable> a = new EnumMap<>(Shortcut.class);
        a.put(Shortcut.HELP, () -> ShortcutSheet.show(stage));
        a.put(Shortcut.QUIT, () -> stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST)));
        a.put(Shortcut.PAGE_SESSIONS, () -> view.selectPage(0));
        a.put(Shortcut.PAGE_ROLLOUT, () -> view.selectPage(1));
        a.put(Shortcut.PAGE_METRICS, () -> view.selectPage(2));
        a.put(Shortcut.PAGE_LOGS, () -> view.selectPage(3));
        a.put(Shortcut.SESSION_CONSOLE, () -> view.selectSessionTab(0));
        a.put(Shortcut.SESSION_PROCESSES, () -> view.selectSessionTab(1));
        a.put(Shortcut.SESSION_FILES, () -> view.selectSessionTab(2));
        a.put(Shortcut.SESSION_TERMINAL, () -> view.selectSessionTab(3));
        a.put(Shortcut.REFRESH, sessions::refresh);
        a.put(Shortcut.NEW_SESSION, () -> {
            if (sessions.canCreateProperty().get()) {
                sessions.create();
            }
        });
        a.put(Shortcut.FILTER_SESSIONS, () -> focus(scene, "#sessionsFilter"));
        a.put(Shortcut.COMMAND_LINE, () -> focus(scene, "#commandField"));
        return a;
    }

    private Map<Shortcut, Runnable> actions;

    /** The window-wide shortcuts, from the keyboard anywhere in the window. */
    private void installShortcuts(Scene scene) {
        actions = actions(scene);
        actions.forEach((shortcut, action) -> scene.getAccelerators().put(shortcut.combination(), action));
    }

    private MenuBar menuBar() {
        MenuItem newFile = new MenuItem("New file…");
        newFile.setOnAction(e -> files.newFile());
        MenuItem newFolder = new MenuItem("New folder…");
        newFolder.setOnAction(e -> files.newFolder());
        MenuItem upload = new MenuItem("Upload…");
        upload.setOnAction(e -> files.chooseAndUpload());
        for (MenuItem i : List.of(newFile, newFolder, upload)) {
            i.disableProperty().bind(files.canUploadProperty().not());
        }
        MenuItem addEnvironment = new MenuItem("Add environment…");
        addEnvironment.setId("addEnvironmentMenu");
        addEnvironment.setOnAction(e -> addEnvironment());
        addEnvironment.setDisable(environmentsFile.isEmpty());
        Menu file = new Menu("File", null, newFile, newFolder, upload, new SeparatorMenuItem(), addEnvironment, new SeparatorMenuItem(),
                item(Shortcut.QUIT, "Quit"));

        MenuItem close = new MenuItem("Close session…");
        close.setOnAction(e -> sessions.closeSelected());
        close.disableProperty().bind(sessions.canCloseProperty().not());
        MenuItem cleanup = new MenuItem("Clean up others…");
        cleanup.setOnAction(e -> sessions.cleanupAllButSelected());
        cleanup.disableProperty().bind(sessions.canCloseProperty().not());
        MenuItem create = item(Shortcut.NEW_SESSION, "New session");
        create.disableProperty().bind(sessions.canCreateProperty().not());
        Menu session = new Menu("Session", null, create, close, item(Shortcut.REFRESH, "Refresh"),
                item(Shortcut.FILTER_SESSIONS, "Filter sessions"), item(Shortcut.COMMAND_LINE, "Command line"), new SeparatorMenuItem(), cleanup);

        MenuItem theme = new MenuItem("Switch dark / light theme");
        theme.setOnAction(e -> main.darkThemeProperty().set(!main.darkThemeProperty().get()));
        Menu viewMenu = new Menu("View", null, item(Shortcut.PAGE_SESSIONS, "Sessions"), item(Shortcut.PAGE_ROLLOUT, "Rollout"),
                item(Shortcut.PAGE_METRICS, "Metrics"), item(Shortcut.PAGE_LOGS, "Logs & audit"), new SeparatorMenuItem(),
                item(Shortcut.SESSION_CONSOLE, "Session console"), item(Shortcut.SESSION_TERMINAL, "Session terminal"),
                item(Shortcut.SESSION_PROCESSES, "Session processes"),
                item(Shortcut.SESSION_FILES, "Session files"), new SeparatorMenuItem(), theme);

        MenuItem shortcuts = item(Shortcut.HELP, "Keyboard shortcuts");
        shortcuts.setId("shortcutsMenu");
        Menu help = new Menu("Help", null, shortcuts);
        MenuBar bar = new MenuBar(file, session, viewMenu, help);
        bar.setId("menuBar");
        return bar;
    }

    private MenuItem item(Shortcut shortcut, String text) {
        MenuItem item = new MenuItem(text);
        item.setAccelerator(shortcut.combination());
        item.setOnAction(e -> actions.get(shortcut).run());
        return item;
    }

    private void addEnvironment() {
        environmentsFile.ifPresent(file -> {
            AddEnvironmentViewModel form = new AddEnvironmentViewModel(executor, file, System.getenv(), Path.of(System.getProperty("user.home")));
            AddEnvironmentView.show(stage, form, added -> {
                environments.add(added);
                status.info(form.messageProperty().get());
            });
        });
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

    /**
     * Shows the window at once, empty, the size the console opens at and in its dark theme's background: what a person
     * sees while the console itself is built (its views, their FXML, the theme's CSS, about a second), which then fills
     * the same window. No text: the first text drawn loads the fonts, which would cost the first frame ~100 ms more
     * (measured with --smoke); the title bar says what is opening.
     */
    public static void showShell(Stage stage, ConsolePreferences preferences) {
        ConsolePreferences.WindowSize size = preferences.windowSize()
                .orElse(new ConsolePreferences.WindowSize(DEFAULT_WIDTH, DEFAULT_HEIGHT, false));
        javafx.scene.layout.Region root = new javafx.scene.layout.Region();
        root.setBackground(new javafx.scene.layout.Background(new javafx.scene.layout.BackgroundFill(
                javafx.scene.paint.Color.web("#0d1117"), null, null)));
        stage.setScene(new Scene(root, size.width(), size.height()));
        stage.setTitle("Sandbox Ops — opening…");
        stage.setMaximized(size.maximized());
        stage.show();
    }

    /** True once the environment has opened as far as it will (the embedded emulator too, for local). */
    public javafx.beans.value.ObservableBooleanValue environmentOpened() {
        return environmentOpened;
    }

    /** True once the sessions of the open environment are in the table. */
    public javafx.beans.value.ObservableBooleanValue sessionsListed() {
        return sessions.listedProperty();
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

    SessionTabsViewModel sessionTabs() {
        return sessionTabs;
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
