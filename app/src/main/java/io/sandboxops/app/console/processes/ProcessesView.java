package io.sandboxops.app.console.processes;

import io.sandboxops.app.console.fx.ViewLoader;
import io.sandboxops.app.console.status.HumanReadable;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/** The background processes table, its kill actions, and the tail of the selected one's log. */
public final class ProcessesView extends SplitPane {

    @FXML
    private TableView<ProcessRow> table;
    @FXML
    private TableColumn<ProcessRow, Number> pidColumn;
    @FXML
    private TableColumn<ProcessRow, String> commandColumn;
    @FXML
    private TableColumn<ProcessRow, Boolean> runningColumn;
    @FXML
    private TableColumn<ProcessRow, String> startedColumn;
    @FXML
    private TableColumn<ProcessRow, String> sessionColumn;
    @FXML
    private Button killButton;
    @FXML
    private TextField patternField;
    @FXML
    private Button killMatchingButton;
    @FXML
    private Button killAllButton;
    @FXML
    private CheckBox onlyThisSession;
    @FXML
    private Label tailTitle;
    @FXML
    private TextArea logArea;

    private final ProcessesViewModel viewModel;

    public ProcessesView(ProcessesViewModel viewModel) {
        this.viewModel = viewModel;
        ViewLoader.load(this);
    }

    @FXML
    private void initialize() {
        table.setItems(viewModel.rows());
        table.setPlaceholder(new Label("No background processes. A command ending in & starts one."));
        pidColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().pid()));
        commandColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().command()));
        runningColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().running()));
        runningColumn.setCellFactory(c -> new RunningCell());
        startedColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(HumanReadable.time(c.getValue().started())));
        sessionColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().sessionId()));
        table.getSelectionModel().selectedItemProperty().addListener((obs, old, now) -> {
            if (now != null) {
                viewModel.selectedProperty().set(now);
            }
        });
        viewModel.selectedProperty().addListener((obs, old, now) -> {
            if (now != null && table.getSelectionModel().getSelectedItem() != now) {
                table.getSelectionModel().select(now);
            }
        });

        killButton.setGraphic(new FontIcon(Feather.X_OCTAGON));
        killButton.disableProperty().bind(viewModel.canKillSelectedProperty().not());
        killButton.setOnAction(e -> viewModel.killSelected());
        patternField.textProperty().bindBidirectional(viewModel.patternProperty());
        patternField.setOnAction(e -> viewModel.killMatching());
        killMatchingButton.disableProperty().bind(viewModel.canKillProperty().not().or(viewModel.patternProperty().isEmpty()));
        killMatchingButton.setOnAction(e -> viewModel.killMatching());
        killMatchingButton.setTooltip(new Tooltip("Kill every running process whose command matches the regular expression"));
        killAllButton.setGraphic(new FontIcon(Feather.ZAP_OFF));
        killAllButton.disableProperty().bind(viewModel.canKillProperty().not());
        killAllButton.setOnAction(e -> viewModel.killAll());
        onlyThisSession.selectedProperty().bindBidirectional(viewModel.onlyThisSessionProperty());

        tailTitle.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> viewModel.selectedProperty().get() == null
                ? "Log: select a process" : "Log of " + viewModel.selectedProperty().get().pid() + " (live, last 64 kB)", viewModel.selectedProperty()));
        logArea.textProperty().bind(viewModel.logTailProperty());
        // Follow the end of the log as tail -f does.
        logArea.textProperty().addListener((obs, old, now) -> logArea.positionCaret(now.length()));
    }

    private static final class RunningCell extends TableCell<ProcessRow, Boolean> {
        @Override
        protected void updateItem(Boolean running, boolean empty) {
            super.updateItem(running, empty);
            getStyleClass().removeAll("state-running", "state-stopped");
            if (empty || running == null) {
                setText(null);
                setGraphic(null);
                return;
            }
            setText(running ? "running" : "ended");
            setGraphic(new FontIcon(running ? Feather.PLAY_CIRCLE : Feather.STOP_CIRCLE));
            getStyleClass().add(running ? "state-running" : "state-stopped");
        }
    }
}
