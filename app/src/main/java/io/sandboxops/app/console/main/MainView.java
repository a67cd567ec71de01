package io.sandboxops.app.console.main;

import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.ServiceStatus;
import io.sandboxops.app.console.fx.Shortcut;
import io.sandboxops.app.console.fx.ViewLoader;
import io.sandboxops.app.console.status.StatusLine;
import java.util.List;
import java.util.function.Supplier;
import javafx.beans.binding.Bindings;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.Node;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.MenuBar;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.Button;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The main window: production banner and environment switcher on top, the sessions table above the selected
 * session's console, processes and files, and the status bar with each service's health at the bottom.
 */
public final class MainView extends BorderPane {

    @FXML
    private VBox topBox;
    @FXML
    private Label banner;
    @FXML
    private Button addEnvironmentButton;
    @FXML
    private Button checkEnvironmentButton;
    @FXML
    private ComboBox<ConsoleEnvironment> environmentChoice;
    @FXML
    private ProgressIndicator openingIndicator;
    @FXML
    private Button themeToggle;
    @FXML
    private TabPane mainTabs;
    @FXML
    private Tab sessionsTab;
    @FXML
    private StackPane sessionsPane;
    @FXML
    private StackPane workspacePane;
    @FXML
    private TabPane sessionTabs;
    @FXML
    private StackPane openSessionsPane;
    @FXML
    private Tab consoleTab;
    @FXML
    private Tab terminalTab;
    @FXML
    private Tab processesTab;
    @FXML
    private Tab filesTab;
    @FXML
    private Label noSessionLabel;
    @FXML
    private HBox serviceStatuses;
    @FXML
    private Label statusMessage;
    @FXML
    private Label readOnlyBadge;

    private final MainViewModel viewModel;
    private final SessionViews sessionViews;
    private final List<Page> pages;

    /**
     * The views that work on the selected session, and whether one is open.
     *
     * @param sessions     the sessions table
     * @param openSessions the open sessions as tabs, above the session's views
     * @param console      the shown session's command view
     * @param terminal     the shown session's terminal
     * @param processes    its background processes, built when its tab is first selected
     * @param files        its files, built when its tab is first selected
     * @param sessionOpen  whether a session is shown
     * @param terminalShown set while the Terminal tab is the one shown, so the terminal takes the keyboard
     */
    public record SessionViews(Node sessions, Node openSessions, Node console, Node terminal, Supplier<? extends Node> processes,
                               Supplier<? extends Node> files,
                               javafx.beans.value.ObservableBooleanValue sessionOpen, javafx.beans.property.BooleanProperty terminalShown) {
    }

    /**
     * A view of the whole environment, shown as a tab beside the sessions (rollout, metrics, logs).
     *
     * @param id      the tab's id, for tests and shortcuts
     * @param title   the tab's text
     * @param icon    the tab's icon
     * @param tooltip what the tab is for, and its shortcut
     * @param content builds the view, the first time its tab is selected: its FXML and CSS stay off the first frame
     * @param shown   set while the tab is the one shown, so a view reads its backend only when someone looks at it
     */
    public record Page(String id, String title, Feather icon, String tooltip, Supplier<? extends Node> content,
                       javafx.beans.property.BooleanProperty shown) {
    }

    private Runnable onAddEnvironment = () -> { };
    private Runnable onCheckEnvironment = () -> { };

    /** What "Check environment" beside the switcher does: the window opens the preflight's result and runs it. */
    public void setOnCheckEnvironment(Runnable action) {
        onCheckEnvironment = action == null ? () -> { } : action;
    }

    /** What the "+" beside the environment switcher does: the window opens the add-environment dialog. */
    public void setOnAddEnvironment(Runnable action) {
        onAddEnvironment = action == null ? () -> { } : action;
        addEnvironmentButton.setDisable(action == null);
    }

    public MainView(MainViewModel viewModel, SessionViews sessionViews, List<Page> pages) {
        this.viewModel = viewModel;
        this.sessionViews = sessionViews;
        this.pages = List.copyOf(pages);
        ViewLoader.load(this);
    }

    @FXML
    private void initialize() {
        var envs = viewModel.environments();
        banner.textProperty().bind(envs.bannerProperty());
        banner.visibleProperty().bind(envs.bannerProperty().isNotEmpty());
        banner.managedProperty().bind(banner.visibleProperty());
        banner.setGraphic(new FontIcon(Feather.ALERT_OCTAGON));
        envs.productionProperty().addListener((obs, old, now) -> updateBannerStyle(now));
        updateBannerStyle(envs.productionProperty().get());
        readOnlyBadge.visibleProperty().bind(envs.readOnlyProperty());
        readOnlyBadge.managedProperty().bind(readOnlyBadge.visibleProperty());
        readOnlyBadge.setGraphic(new FontIcon(Feather.LOCK));

        environmentChoice.setItems(envs.environments());
        environmentChoice.valueProperty().bindBidirectional(envs.selectedProperty());
        environmentChoice.setTooltip(new Tooltip());
        environmentChoice.getTooltip().textProperty().bind(Bindings.createStringBinding(
                () -> envs.selectedProperty().get() == null ? "" : envs.selectedProperty().get().description(), envs.selectedProperty()));
        openingIndicator.visibleProperty().bind(viewModel.openingProperty());
        addEnvironmentButton.setGraphic(new FontIcon(Feather.PLUS));
        addEnvironmentButton.setTooltip(new Tooltip("Add environment…: a GCP project, region and service, written to "
                + "~/.sandbox-ops/environments.json once its credentials check out"));
        addEnvironmentButton.setOnAction(e -> onAddEnvironment.run());
        checkEnvironmentButton.setGraphic(new FontIcon(Feather.CHECK_CIRCLE));
        checkEnvironmentButton.setTooltip(new Tooltip("Check environment: project, service, bucket, IAM, image, log metrics, alert "
                + "policies and a live canary session, as `sandboxctl env check`; a rollout step needs a passed one"));
        checkEnvironmentButton.disableProperty().bind(viewModel.openingProperty());
        checkEnvironmentButton.setOnAction(e -> onCheckEnvironment.run());

        themeToggle.setOnAction(e -> viewModel.darkThemeProperty().set(!viewModel.darkThemeProperty().get()));
        themeToggle.graphicProperty().bind(Bindings.createObjectBinding(
                () -> new FontIcon(viewModel.darkThemeProperty().get() ? Feather.SUN : Feather.MOON), viewModel.darkThemeProperty()));
        themeToggle.setTooltip(new Tooltip("Switch between the dark and the light theme"));

        sessionsPane.getChildren().setAll(sessionViews.sessions());
        sessionsTab.setGraphic(new FontIcon(Feather.LAYERS));
        sessionsTab.setTooltip(new Tooltip(Shortcut.PAGE_SESSIONS.hint("Sandbox sessions on every backend")));
        for (Page page : pages) {
            Tab tab = new Tab(page.title());
            tab.setId(page.id());
            buildWhenFirstSelected(tab, page.content());
            tab.setGraphic(new FontIcon(page.icon()));
            tab.setTooltip(new Tooltip(page.tooltip()));
            mainTabs.getTabs().add(tab);
            page.shown().bind(tab.selectedProperty());
        }
        openSessionsPane.getChildren().setAll(sessionViews.openSessions());
        consoleTab.setContent(sessionViews.console());
        consoleTab.setGraphic(new FontIcon(Feather.CHEVRONS_RIGHT));
        terminalTab.setContent(sessionViews.terminal());
        terminalTab.setGraphic(new FontIcon(Feather.TERMINAL));
        sessionViews.terminalShown().bind(terminalTab.selectedProperty());
        buildWhenFirstSelected(processesTab, sessionViews.processes());
        processesTab.setGraphic(new FontIcon(Feather.ACTIVITY));
        buildWhenFirstSelected(filesTab, sessionViews.files());
        filesTab.setGraphic(new FontIcon(Feather.FOLDER));
        sessionTabs.visibleProperty().bind(Bindings.createBooleanBinding(sessionViews.sessionOpen()::get, sessionViews.sessionOpen()));
        openSessionsPane.visibleProperty().bind(sessionTabs.visibleProperty());
        noSessionLabel.visibleProperty().bind(sessionTabs.visibleProperty().not());

        consoleTab.setTooltip(new Tooltip(Shortcut.SESSION_CONSOLE.hint("Run commands in the session")));
        terminalTab.setTooltip(new Tooltip(Shortcut.SESSION_TERMINAL.hint("A terminal in the session's sandbox: bash on a pseudo-terminal")));
        processesTab.setTooltip(new Tooltip(Shortcut.SESSION_PROCESSES.hint("Its background processes and their logs")));
        filesTab.setTooltip(new Tooltip(Shortcut.SESSION_FILES.hint("Browse, edit, upload and download its files")));

        viewModel.services().addListener((ListChangeListener<ServiceStatus>) change -> showServices());
        showServices();
        statusMessage.textProperty().bind(viewModel.status().messageProperty());
        // A long reason is cut to the bar's width; the tooltip holds all of it.
        Tooltip fullMessage = new Tooltip();
        fullMessage.textProperty().bind(viewModel.status().messageProperty());
        fullMessage.setWrapText(true);
        fullMessage.setMaxWidth(640);
        statusMessage.setTooltip(fullMessage);
        viewModel.status().severityProperty().addListener((obs, old, now) -> styleStatus(now));
        styleStatus(viewModel.status().severity());
    }

    /**
     * Gives the tab its view when it is first selected (at once when it already is). Selecting a tab by code or by
     * key builds the view within that selection, on this thread, so whoever selected it finds its nodes right after.
     */
    private static void buildWhenFirstSelected(Tab tab, Supplier<? extends Node> content) {
        if (tab.isSelected()) {
            tab.setContent(content.get());
            return;
        }
        tab.selectedProperty().addListener(new ChangeListener<Boolean>() {
            @Override
            public void changed(ObservableValue<? extends Boolean> obs, Boolean was, Boolean now) {
                if (now) {
                    tab.selectedProperty().removeListener(this);
                    tab.setContent(content.get());
                }
            }
        });
    }

    /** Shows the sessions (0) or one of the environment's pages (1..). */
    public void selectPage(int index) {
        if (index < mainTabs.getTabs().size()) {
            mainTabs.getSelectionModel().select(index);
        }
    }

    /** Shows the sessions with the selected session's console (0), processes (1), files (2) or terminal (3). */
    public void selectSessionTab(int index) {
        mainTabs.getSelectionModel().select(sessionsTab);
        sessionTabs.getSelectionModel().select(List.of(consoleTab, processesTab, filesTab, terminalTab).get(index));
    }

    /** A strip under the environment switcher, above the tabs, so it shows whichever tab is selected. */
    public void showAboveTheTabs(javafx.scene.Node strip) {
        topBox.getChildren().add(strip);
    }

    /** The window's menu, above the banner and the environment switcher. */
    public void setMenuBar(MenuBar menuBar) {
        topBox.getChildren().add(0, menuBar);
    }

    private void updateBannerStyle(boolean production) {
        banner.getStyleClass().removeAll("banner-production", "banner-read-only");
        banner.getStyleClass().add(production ? "banner-production" : "banner-read-only");
    }

    private void showServices() {
        serviceStatuses.getChildren().clear();
        for (ServiceStatus s : viewModel.services()) {
            Label chip = new Label(s.service() + ": " + switch (s.health()) {
                case UP -> "up";
                case STARTING -> "starting";
                case UNAVAILABLE -> "unavailable";
            });
            Feather icon = switch (s.health()) {
                case UP -> Feather.CHECK_CIRCLE;
                case STARTING -> Feather.LOADER;
                case UNAVAILABLE -> Feather.X_CIRCLE;
            };
            chip.setGraphic(new FontIcon(icon));
            chip.getStyleClass().addAll("service-chip", "service-" + s.health().name().toLowerCase());
            chip.setTooltip(new Tooltip(s.service() + ": " + s.detail()));
            chip.setId("service-" + s.service().toLowerCase());
            serviceStatuses.getChildren().add(chip);
        }
    }

    private void styleStatus(StatusLine.Severity severity) {
        statusMessage.getStyleClass().removeAll("status-info", "status-warning", "status-error");
        statusMessage.getStyleClass().add("status-" + severity.name().toLowerCase());
    }
}
