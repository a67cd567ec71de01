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
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/** Execution logs (query, follow, filter, columns) above the rollout's audit trail; a selected entry opens whole in its place. */
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
    private TableColumn<LogRow, String> eventColumn;
    @FXML
    private TableColumn<LogRow, String> backendColumn;
    @FXML
    private TableColumn<LogRow, String> sessionColumn;
    @FXML
    private TableColumn<LogRow, String> operationColumn;
    @FXML
    private TableColumn<LogRow, String> durationColumn;
    @FXML
    private TableColumn<LogRow, String> exitColumn;
    @FXML
    private TableColumn<LogRow, String> messageColumn;
    @FXML
    private VBox auditPane;
    @FXML
    private VBox detailsPane;
    @FXML
    private TextArea detailsText;
    @FXML
    private Button copyEntryButton;
    @FXML
    private Button closeDetailsButton;
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

    /** Where a long tooltip wraps: about 70 characters, read at a glance. */
    static final double TOOLTIP_WIDTH = 520;

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
        queryChoice.setTooltip(wrapped("Every execution's log, the client's events of both backends, or one of the prepared queries of deploy/log-queries.json; sandboxctl logs --query takes the same names"));
        followToggle.selectedProperty().bindBidirectional(viewModel.followProperty());
        followToggle.setGraphic(new FontIcon(Feather.PLAY));
        followToggle.setTooltip(wrapped("Read new entries every few seconds, as tail -f does"));
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
        runButton.setTooltip(wrapped(Shortcut.RUN_QUERY.hint("Run the query")));
        logsMessage.textProperty().bind(viewModel.logsMessageProperty());

        logsTable.setItems(viewModel.visibleRows());
        logsTable.setPlaceholder(new Label("No log entries to show."));
        timeColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().time()));
        timeColumn.setCellFactory(c -> text(HumanReadable::time, t -> ""));
        severityColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().severity()));
        severityColumn.setCellFactory(c -> text(s -> s, s -> "severity-" + s.toLowerCase()));
        resourceColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().resource()));
        resourceColumn.setCellFactory(c -> text(s -> s, s -> ""));
        column(eventColumn, LogRow::event, "");
        column(backendColumn, LogRow::backend, "");
        column(sessionColumn, LogRow::session, "log-message");
        column(operationColumn, LogRow::operation, "");
        column(durationColumn, LogRow::duration, "");
        column(exitColumn, LogRow::exit, "");
        column(messageColumn, LogRow::message, "log-message");
        details();
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

    private static void column(TableColumn<LogRow, String> column, Function<LogRow, String> value, String style) {
        column.setCellValueFactory(c -> new ReadOnlyStringWrapper(value.apply(c.getValue())));
        column.setCellFactory(c -> text(s -> s, s -> style));
    }

    /**
     * The details pane: once an entry is selected it takes the audit's place below the table (which keeps its full
     * width), with the whole entry and Copy; its close button brings the audit back.
     */
    private void details() {
        logsTable.getSelectionModel().selectedItemProperty().addListener((obs, old, now) -> viewModel.selectedRowProperty().set(now));
        viewModel.selectedRowProperty().addListener((obs, old, now) -> show(now == null ? auditPane : detailsPane));
        detailsText.textProperty().bind(viewModel.detailsProperty());
        copyEntryButton.setGraphic(new FontIcon(Feather.COPY));
        copyEntryButton.setTooltip(wrapped("Copy the whole entry, as JSON, to the clipboard"));
        copyEntryButton.setOnAction(e -> {
            ClipboardContent content = new ClipboardContent();
            content.putString(viewModel.detailsProperty().get());
            Clipboard.getSystemClipboard().setContent(content);
        });
        closeDetailsButton.setGraphic(new FontIcon(Feather.X));
        closeDetailsButton.setTooltip(wrapped("Close the details"));
        closeDetailsButton.setOnAction(e -> logsTable.getSelectionModel().clearSelection());
    }

    private void show(VBox lower) {
        if (getItems().get(1) != lower) {
            double[] dividers = getDividerPositions();
            getItems().set(1, lower);
            setDividerPositions(dividers);
        }
    }

    /** A tooltip that wraps at {@value #TOOLTIP_WIDTH} px, shown long enough to read a long message. */
    private static Tooltip wrapped(String text) {
        Tooltip t = new Tooltip(text);
        t.setWrapText(true);
        t.setMaxWidth(TOOLTIP_WIDTH);
        t.setShowDuration(javafx.util.Duration.seconds(30));
        t.getStyleClass().add("log-tooltip");
        return t;
    }

    /** A cell that shows {@code format(value)}, styled with {@code styleOf(value)}, the full text in a wrapped tooltip. */
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
                setTooltip(getText().length() > 40 ? wrapped(getText()) : null);
                style = styleOf.apply(value);
                if (!style.isEmpty()) {
                    getStyleClass().add(style);
                }
            }
        };
    }
}
