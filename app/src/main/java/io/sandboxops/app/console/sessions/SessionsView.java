package io.sandboxops.app.console.sessions;

import io.sandboxops.app.console.fx.Shortcut;
import io.sandboxops.app.console.fx.ViewLoader;
import io.sandboxops.app.console.status.HumanReadable;
import java.time.Duration;
import java.time.Instant;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/** The sessions table with its filter and actions. */
public final class SessionsView extends VBox {

    @FXML
    private TextField filterField;
    @FXML
    private ComboBox<String> backendChoice;
    @FXML
    private TextField stickyKeyField;
    @FXML
    private Label ruleChoiceLabel;
    @FXML
    private Label poolLabel;
    @FXML
    private Label staleLabel;
    @FXML
    private Button createButton;
    @FXML
    private Button closeButton;
    @FXML
    private Button cleanupButton;
    @FXML
    private Button refreshButton;
    @FXML
    private TableView<SessionRow> table;
    @FXML
    private TableColumn<SessionRow, String> idColumn;
    @FXML
    private TableColumn<SessionRow, String> backendColumn;
    @FXML
    private TableColumn<SessionRow, String> stateColumn;
    @FXML
    private TableColumn<SessionRow, Instant> createdColumn;
    @FXML
    private TableColumn<SessionRow, String> lastCommandColumn;
    @FXML
    private TableColumn<SessionRow, String> cwdColumn;
    @FXML
    private TableColumn<SessionRow, Duration> ageColumn;

    private static final javafx.css.PseudoClass UNAVAILABLE = javafx.css.PseudoClass.getPseudoClass("unavailable");

    private final SessionsViewModel viewModel;

    public SessionsView(SessionsViewModel viewModel) {
        this.viewModel = viewModel;
        ViewLoader.load(this);
    }

    @FXML
    private void initialize() {
        filterField.textProperty().bindBidirectional(viewModel.filterProperty());
        filterField.setOnKeyPressed(e -> {
            if (Shortcut.CLEAR_FILTER.matches(e)) {
                filterField.clear();
            }
        });
        backendChoice.setItems(viewModel.backendNames());
        backendChoice.valueProperty().bindBidirectional(viewModel.createBackendProperty());
        stickyKeyField.textProperty().bindBidirectional(viewModel.stickyKeyProperty());
        stickyKeyField.visibleProperty().bind(viewModel.byRolloutRuleProperty());
        stickyKeyField.managedProperty().bind(stickyKeyField.visibleProperty());
        ruleChoiceLabel.textProperty().bind(viewModel.ruleChoiceProperty());
        ruleChoiceLabel.visibleProperty().bind(viewModel.ruleChoiceProperty().isNotEmpty());
        ruleChoiceLabel.managedProperty().bind(ruleChoiceLabel.visibleProperty());
        viewModel.ruleChoiceUnavailableProperty().addListener((obs, old, unavailable) ->
                ruleChoiceLabel.pseudoClassStateChanged(UNAVAILABLE, unavailable));
        ruleChoiceLabel.setGraphic(new FontIcon(Feather.GIT_BRANCH));
        staleLabel.textProperty().bind(viewModel.staleNoteProperty());
        staleLabel.visibleProperty().bind(viewModel.staleNoteProperty().isNotEmpty());
        staleLabel.managedProperty().bind(staleLabel.visibleProperty());
        staleLabel.setGraphic(new FontIcon(Feather.CLOCK));
        staleLabel.setTooltip(new Tooltip("The sessions listed when the console last ran; replaced by the live list once the environment answers"));
        poolLabel.textProperty().bind(viewModel.poolSummaryProperty());
        poolLabel.visibleProperty().bind(viewModel.poolSummaryProperty().isNotEmpty());
        poolLabel.managedProperty().bind(poolLabel.visibleProperty());
        poolLabel.setGraphic(new FontIcon(Feather.LAYERS));
        Tooltip poolTip = new Tooltip();
        poolTip.textProperty().bind(viewModel.poolDetailsProperty());
        poolLabel.setTooltip(poolTip);

        createButton.setGraphic(new FontIcon(Feather.PLUS));
        createButton.disableProperty().bind(viewModel.canCreateProperty().not());
        createButton.setOnAction(e -> viewModel.create());
        createButton.setTooltip(new Tooltip(Shortcut.NEW_SESSION.hint("Create a session on the chosen backend") + "; \"" + SessionsViewModel.BY_ROLLOUT_RULE
                + "\" lets the environment's rollout pick it for the key"));
        closeButton.setGraphic(new FontIcon(Feather.X_CIRCLE));
        closeButton.disableProperty().bind(viewModel.canCloseProperty().not());
        closeButton.setOnAction(e -> viewModel.closeSelected());
        closeButton.setTooltip(new Tooltip("Close the selected session: its sandbox is removed"));
        cleanupButton.setGraphic(new FontIcon(Feather.TRASH_2));
        cleanupButton.disableProperty().bind(viewModel.canCloseProperty().not());
        cleanupButton.setOnAction(e -> viewModel.cleanupAllButSelected());
        cleanupButton.setTooltip(new Tooltip("Remove every session except the selected one, other people's too; asks you to type how many"));
        refreshButton.setGraphic(new FontIcon(Feather.REFRESH_CW));
        refreshButton.setOnAction(e -> viewModel.refresh());
        refreshButton.setTooltip(new Tooltip(Shortcut.REFRESH.hint("Refresh now") + "; the table also refreshes every "
                + SessionsViewModel.REFRESH_PERIOD.toSeconds() + " s"));

        idColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().id()));
        backendColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().backend()));
        stateColumn.setCellValueFactory(c -> c.getValue().stateProperty());
        stateColumn.setCellFactory(c -> new StateCell());
        createdColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().created()));
        createdColumn.setCellFactory(c -> new FormattedCell<>(HumanReadable::time));
        lastCommandColumn.setCellValueFactory(c -> c.getValue().lastCommandProperty());
        cwdColumn.setCellValueFactory(c -> c.getValue().cwdProperty());
        ageColumn.setCellValueFactory(c -> c.getValue().ageProperty());
        ageColumn.setCellFactory(c -> new FormattedCell<>(HumanReadable::age));

        table.setItems(viewModel.rows());
        viewModel.rows().comparatorProperty().bind(table.comparatorProperty());
        Label placeholder = new Label();
        placeholder.textProperty().bind(viewModel.placeholderProperty());
        placeholder.setWrapText(true);
        table.setPlaceholder(placeholder);
        table.getSelectionModel().selectedItemProperty().addListener((obs, old, now) -> {
            if (now != viewModel.selectedProperty().get()) {
                viewModel.selectedProperty().set(now);
            }
        });
        viewModel.selectedProperty().addListener((obs, old, now) -> {
            if (now == null) {
                table.getSelectionModel().clearSelection();
            } else if (table.getSelectionModel().getSelectedItem() != now) {
                table.getSelectionModel().select(now);
                table.scrollTo(now);
            }
        });
    }

    /** The state as a coloured word, so a dead session stands out without reading. */
    private static final class StateCell extends TableCell<SessionRow, String> {
        @Override
        protected void updateItem(String state, boolean empty) {
            super.updateItem(state, empty);
            getStyleClass().removeAll("state-running", "state-stopped", "state-other");
            if (empty || state == null) {
                setText(null);
                setGraphic(null);
                return;
            }
            setText(state);
            boolean running = "running".equalsIgnoreCase(state);
            boolean stopped = state.matches("(?i)exited|dead|removing|failed|stopped");
            getStyleClass().add(running ? "state-running" : stopped ? "state-stopped" : "state-other");
            FontIcon dot = new FontIcon(running ? Feather.CHECK_CIRCLE : stopped ? Feather.X_OCTAGON : Feather.ALERT_TRIANGLE);
            dot.getStyleClass().add("state-icon");
            setGraphic(dot);
        }
    }

    private static final class FormattedCell<T> extends TableCell<SessionRow, T> {
        private final java.util.function.Function<T, String> format;

        FormattedCell(java.util.function.Function<T, String> format) {
            this.format = format;
        }

        @Override
        protected void updateItem(T value, boolean empty) {
            super.updateItem(value, empty);
            setText(empty || value == null ? null : format.apply(value));
        }
    }
}
