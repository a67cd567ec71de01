package io.sandboxops.app.console.logs;

import io.sandboxops.app.console.fx.Shortcut;
import io.sandboxops.app.console.fx.ViewLoader;
import io.sandboxops.app.console.status.HumanReadable;
import java.time.Instant;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/** Execution logs (query, follow, filter) above the rollout's audit trail. */
public final class LogsView extends SplitPane {

    @FXML
    private ComboBox<QueryChoice> queryChoice;
    @FXML
    private ToggleButton followToggle;
    @FXML
    private TextField filterField;
    @FXML
    private TextArea queryField;
    @FXML
    private Button runButton;
    @FXML
    private Label logsMessage;
    @FXML
    private TableView<LogRow> logsTable;
    @FXML
    private TableColumn<LogRow, Instant> timeColumn;
    @FXML
    private TableColumn<LogRow, String> severityColumn;
    @FXML
    private TableColumn<LogRow, String> resourceColumn;
    @FXML
    private TableColumn<LogRow, String> executionColumn;
    @FXML
    private TableColumn<LogRow, String> messageColumn;
    @FXML
    private Label auditMessage;
    @FXML
    private Button refreshAuditButton;
    @FXML
    private TableView<AuditRow> auditTable;
    @FXML
    private TableColumn<AuditRow, Instant> auditTimeColumn;
    @FXML
    private TableColumn<AuditRow, String> auditActorColumn;
    @FXML
    private TableColumn<AuditRow, String> auditActionColumn;
    @FXML
    private TableColumn<AuditRow, String> auditChangeColumn;
    @FXML
    private TableColumn<AuditRow, String> auditReasonColumn;
    @FXML
    private TableColumn<AuditRow, String> auditOutcomeColumn;
    @FXML
    private TableColumn<AuditRow, String> auditSourceColumn;

    private final LogsViewModel viewModel;

    public LogsView(LogsViewModel viewModel) {
        this.viewModel = viewModel;
        ViewLoader.load(this);
        getStylesheets().add(LogsView.class.getResource("logs.css").toExternalForm());
    }

    @FXML
    private void initialize() {
        queryChoice.setItems(viewModel.queries());
        queryChoice.valueProperty().bindBidirectional(viewModel.selectedQueryProperty());
        queryChoice.setTooltip(new Tooltip("Every execution's log, or one of the prepared queries of deploy/log-queries.json"));
        followToggle.selectedProperty().bindBidirectional(viewModel.followProperty());
        followToggle.setGraphic(new FontIcon(Feather.PLAY));
        followToggle.setTooltip(new Tooltip("Read new entries every few seconds, as tail -f does"));
        filterField.textProperty().bindBidirectional(viewModel.filterProperty());
        queryField.textProperty().bindBidirectional(viewModel.queryProperty());
        // A Cloud Logging filter spans lines (a line break is an AND), so Enter breaks a line and Ctrl+Enter runs it.
        queryField.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, e -> {
            if (Shortcut.RUN_QUERY.matches(e)) {
                viewModel.run();
                e.consume();
            }
        });
        runButton.setGraphic(new FontIcon(Feather.SEARCH));
        runButton.setOnAction(e -> viewModel.run());
        runButton.setTooltip(new Tooltip(Shortcut.RUN_QUERY.hint("Run the query")));
        logsMessage.textProperty().bind(viewModel.logsMessageProperty());

        logsTable.setItems(viewModel.visibleRows());
        logsTable.setPlaceholder(new Label("No log entries to show."));
        timeColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().time()));
        timeColumn.setCellFactory(c -> text(HumanReadable::time, t -> ""));
        severityColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().severity()));
        severityColumn.setCellFactory(c -> text(s -> s, s -> "severity-" + s.toLowerCase()));
        resourceColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().resource()));
        executionColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().execution()));
        messageColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().message()));
        messageColumn.setCellFactory(c -> text(s -> s, s -> "log-message"));
        // The newest entries are at the end: show them after a query runs, and keep them in view while following.
        viewModel.visibleRows().addListener((javafx.collections.ListChangeListener<LogRow>) c -> {
            boolean freshQuery = false;
            while (c.next()) {
                freshQuery |= c.wasAdded() && c.getFrom() == 0;
            }
            if ((freshQuery || viewModel.followProperty().get()) && !logsTable.getItems().isEmpty()) {
                logsTable.scrollTo(logsTable.getItems().size() - 1);
            }
        });

        auditMessage.textProperty().bind(viewModel.auditMessageProperty());
        refreshAuditButton.setGraphic(new FontIcon(Feather.REFRESH_CW));
        refreshAuditButton.setOnAction(e -> viewModel.refreshAudit());
        auditTable.setItems(viewModel.audit());
        auditTable.setPlaceholder(new Label("No rollout changes recorded yet."));
        auditTimeColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().time()));
        auditTimeColumn.setCellFactory(c -> text(HumanReadable::time, t -> ""));
        auditActorColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().actor()));
        auditActionColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().action()));
        auditActionColumn.setCellFactory(c -> text(s -> s, s -> s.equals("rollback") ? "audit-rollback" : ""));
        auditChangeColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().change()));
        auditReasonColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().reason()));
        auditOutcomeColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().outcome()));
        auditOutcomeColumn.setCellFactory(c -> text(s -> s, s -> s.startsWith("failed") || s.startsWith("not_serving") ? "outcome-bad" : ""));
        auditSourceColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().source()));
    }

    /** A cell that shows {@code format(value)}, styled with {@code styleOf(value)}, the full text in a tooltip. */
    private static <S, T> TableCell<S, T> text(Function<T, String> format, Function<T, String> styleOf) {
        return new TableCell<>() {
            private String style = "";

            @Override
            protected void updateItem(T value, boolean empty) {
                super.updateItem(value, empty);
                if (!style.isEmpty()) {
                    getStyleClass().remove(style);
                }
                if (empty || value == null) {
                    setText(null);
                    setTooltip(null);
                    style = "";
                    return;
                }
                setText(format.apply(value));
                setTooltip(getText().length() > 40 ? new Tooltip(getText()) : null);
                style = styleOf.apply(value);
                if (!style.isEmpty()) {
                    getStyleClass().add(style);
                }
            }
        };
    }
}
