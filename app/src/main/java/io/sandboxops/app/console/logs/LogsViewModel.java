package io.sandboxops.app.console.logs;

import io.sandboxops.app.console.dialog.ErrorMessages;
import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.BackgroundTask;
import io.sandboxops.app.console.task.RefreshGate;
import io.sandboxops.app.console.task.TaskExecutor;
import io.sandboxops.app.console.task.TaskHandle;
import io.sandboxops.core.env.ControlCharacters;
import io.sandboxops.core.observe.LogLine;
import io.sandboxops.core.observe.LogsService;
import io.sandboxops.core.rollout.AuditEntry;
import io.sandboxops.core.rollout.ControlPlane;
import io.sandboxops.core.rollout.RolloutHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/**
 * Execution logs and the rollout's audit trail. Logs: a Cloud Logging query (every sandbox execution, or one of the
 * prepared queries, editable), its newest entries, followed as they come when "follow" is on, narrowed by a filter
 * typed over the rows. Audit: who changed the rollout, when, from what to what and why, from this tool's log and
 * from Cloud Audit Logs (so changes made with gcloud show too).
 */
public final class LogsViewModel {
    /** How often a followed query is read again; Cloud Logging allows about 60 reads a minute per project. */
    public static final Duration FOLLOW_PERIOD = Duration.ofSeconds(5);
    public static final Duration AUDIT_PERIOD = Duration.ofSeconds(30);
    /** How far back a query looks: Cloud Logging's own default, said rather than implied. */
    static final Duration LOOKBACK = Duration.ofHours(24);
    static final int PAGE = 500;
    /** The most rows kept while following; the oldest go first. */
    static final int MAX_ROWS = 5000;
    static final int AUDIT_ROWS = 200;

    private final TaskExecutor executor;
    private final StatusLine status;
    private final ObservableValue<Workspace> workspace;

    private final ObservableList<QueryChoice> queries = FXCollections.observableArrayList();
    private final ObjectProperty<QueryChoice> selectedQuery = new SimpleObjectProperty<>(this, "selectedQuery");
    private final StringProperty query = new SimpleStringProperty(this, "query", "");
    private final StringProperty filter = new SimpleStringProperty(this, "filter", "");
    private final BooleanProperty follow = new SimpleBooleanProperty(this, "follow");
    private final BooleanProperty shown = new SimpleBooleanProperty(this, "shown");
    private final ObservableList<LogRow> rows = FXCollections.observableArrayList();
    private final FilteredList<LogRow> visibleRows = new FilteredList<>(rows);
    private final ReadOnlyStringWrapper logsMessage = new ReadOnlyStringWrapper(this, "logsMessage", "");
    private final ObjectProperty<LogRow> selectedRow = new SimpleObjectProperty<>(this, "selectedRow");
    private final ReadOnlyStringWrapper details = new ReadOnlyStringWrapper(this, "details", "");
    private final ObservableList<AuditRow> audit = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper auditMessage = new ReadOnlyStringWrapper(this, "auditMessage", "");
    private final RefreshGate reading = new RefreshGate(Duration.ofMinutes(1));
    private final RefreshGate auditing = new RefreshGate(Duration.ofMinutes(1));
    private final Set<String> shownIds = new HashSet<>();
    private long querySerial;
    private Instant newest;
    private TaskHandle followTimer = TaskHandle.DONE;
    private TaskHandle auditTimer = TaskHandle.DONE;

    public LogsViewModel(TaskExecutor executor, StatusLine status, ObservableValue<Workspace> workspace) {
        this.executor = executor;
        this.status = status;
        this.workspace = workspace;
        try {
            // The two everyday queries by what they show; the prepared ones with the name deploy/log-queries.json and the CLI use.
            LogsService.queries().forEach(q -> queries.add(new QueryChoice(q == LogsService.EXECUTIONS || q == LogsService.CLIENT_EVENTS
                    ? q.description() : q.description() + " (" + q.name() + ")", q.description(), q.filter())));
        } catch (RuntimeException e) {
            queries.add(new QueryChoice(LogsService.EXECUTIONS.description(), LogsService.EXECUTIONS.description(), LogsService.EXECUTIONS.filter()));
            logsMessage.set("The prepared queries are missing: " + ErrorMessages.describe(e));
        }
        selectedQuery.addListener((obs, old, now) -> {
            if (now != null) {
                query.set(now.filter());
                run();
            }
        });
        filter.addListener((obs, old, now) -> visibleRows.setPredicate(row -> row.matches(now)));
        selectedRow.addListener((obs, old, now) -> details.set(now == null ? "" : now.entry()));
        follow.addListener((obs, old, on) -> {
            followTimer.cancel();
            if (on) {
                followTimer = executor.every(FOLLOW_PERIOD, this::readNewer);
            }
        });
        workspace.addListener((obs, old, now) -> {
            rows.clear();
            audit.clear();
            run();
            refreshAudit();
        });
        shown.addListener((obs, old, now) -> {
            if (now) {
                run();
                refreshAudit();
            }
        });
        selectedQuery.set(queries.get(0));
    }

    public void start() {
        auditTimer.cancel();
        run();
        refreshAudit();
        auditTimer = executor.every(AUDIT_PERIOD, this::refreshAudit);
    }

    public void dispose() {
        followTimer.cancel();
        auditTimer.cancel();
    }

    // ---------------------------------------------------------------- logs

    /** Runs the query afresh, while the view is shown: its newest {@value #PAGE} entries of the last 24 hours. */
    public void run() {
        if (!shown.get()) {
            return;
        }
        Optional<ControlPlane> plane = controlPlane();
        if (plane.isEmpty()) {
            logsMessage.set(whyUnavailable("logs"));
            return;
        }
        long mine = ++querySerial;
        String q = query.get();
        Instant since = Instant.now().minus(LOOKBACK);
        logsMessage.set("Reading…");
        executor.execute(BackgroundTask.of("read the logs", context -> plane.get().logs().list(q, since, PAGE))
                .onSuccess(lines -> {
                    if (mine != querySerial) {
                        return;
                    }
                    rows.clear();
                    shownIds.clear();
                    newest = null;
                    append(lines);
                    logsMessage.set(lines.isEmpty() ? "No entries in the last 24 hours match the query."
                            : lines.size() + " entries" + (lines.size() == PAGE ? " (the newest " + PAGE + ")" : "") + " of the last 24 hours.");
                })
                .onFailure(e -> {
                    if (mine == querySerial) {
                        logsMessage.set("Could not read the logs: " + ErrorMessages.describe(e));
                    }
                }));
    }

    /** While following: the entries logged since the newest shown. */
    private void readNewer() {
        Optional<ControlPlane> plane = controlPlane();
        if (plane.isEmpty() || !shown.get()) {
            return;
        }
        long entered = reading.tryEnter();
        if (entered == 0) {
            return;
        }
        long mine = querySerial;
        String q = query.get();
        // Entries with the same timestamp as the newest shown are read again and dropped by id.
        Instant since = newest != null ? newest : Instant.now().minus(LOOKBACK);
        executor.execute(BackgroundTask.of("follow the logs", context -> plane.get().logs().list(q, since, PAGE))
                .onSuccess(lines -> {
                    if (mine == querySerial) {
                        append(lines);
                    }
                })
                .onFailure(e -> status.warn("Following the logs stopped for a moment: " + ErrorMessages.describe(e)))
                .onFinished(() -> reading.exit(entered)));
    }

    private void append(List<LogLine> lines) {
        List<LogRow> fresh = new ArrayList<>();
        for (LogLine l : lines) {
            if (shownIds.add(l.insertId())) {
                fresh.add(row(l));
            }
            if (newest == null || l.time().isAfter(newest)) {
                newest = l.time();
            }
        }
        rows.addAll(fresh);
        if (rows.size() > MAX_ROWS) {
            rows.subList(0, rows.size() - MAX_ROWS).forEach(r -> shownIds.remove(r.id()));
            rows.remove(0, rows.size() - MAX_ROWS);
        }
    }

    private static LogRow row(LogLine l) {
        String operation = l.outcome().isEmpty() ? l.operation() : l.operation().isEmpty() ? l.outcome() : l.operation() + " · " + l.outcome();
        return new LogRow(l.time(), inert(l.severity()), inert(l.resource()), inert(l.execution()), inert(l.event()), inert(l.backend()),
                inert(l.session()), inert(operation), l.durationText(), l.exitText(), inert(l.message()), l.insertId(),
                ControlCharacters.escapeKeepingLines(l.entry()));
    }

    private static String inert(String text) {
        return ControlCharacters.escape(text);
    }

    // ---------------------------------------------------------------- audit

    /** Reads the rollout history: this tool's log and Cloud Audit Logs together, newest first. */
    public void refreshAudit() {
        if (!shown.get()) {
            return;
        }
        Optional<ControlPlane> plane = controlPlane();
        if (plane.isEmpty()) {
            auditMessage.set(whyUnavailable("rollout history"));
            return;
        }
        long entered = auditing.tryEnter();
        if (entered == 0) {
            return;
        }
        Workspace ws = workspace.getValue();
        executor.execute(BackgroundTask.of("read the rollout history", context -> plane.get().rollout().history(AUDIT_ROWS))
                .onSuccess(history -> {
                    if (ws == workspace.getValue()) {
                        showAudit(history);
                    }
                })
                .onFailure(e -> auditMessage.set("Could not read the rollout history: " + ErrorMessages.describe(e)))
                .onFinished(() -> auditing.exit(entered)));
    }

    private void showAudit(RolloutHistory history) {
        audit.setAll(history.entries().stream().map(LogsViewModel::row).toList());
        String count = history.entries().isEmpty() ? "No rollout changes recorded yet." : history.entries().size() + " changes, newest first.";
        auditMessage.set(history.cloudAuditProblem().map(p -> count + " Only this tool's own records are shown: " + p).orElse(count));
    }

    private static AuditRow row(AuditEntry e) {
        String change = e.from().isEmpty() && e.to().isEmpty() ? "" : (e.from().isEmpty() ? "?" : e.from()) + " → " + (e.to().isEmpty() ? "?" : e.to());
        return new AuditRow(e.time(), e.source() == AuditEntry.Source.LOCAL ? "local" : "Cloud Audit Logs", e.actor(), e.action(), change,
                e.reason(), e.outcome(), e.revision());
    }

    // ---------------------------------------------------------------- helpers

    private Optional<ControlPlane> controlPlane() {
        Workspace ws = workspace.getValue();
        return ws == null ? Optional.empty() : ws.controlPlane();
    }

    private String whyUnavailable(String what) {
        Workspace ws = workspace.getValue();
        return ws == null ? "Opening the environment…" : "The " + what + " of " + ws.environment().name()
                + " cannot be shown: it has no Cloud Logging to read (see the status bar).";
    }

    /** Whether the view is shown: logs and history are read only then (Cloud Logging's read quota is small). */
    public BooleanProperty shownProperty() {
        return shown;
    }

    public ObservableList<QueryChoice> queries() {
        return queries;
    }

    public ObjectProperty<QueryChoice> selectedQueryProperty() {
        return selectedQuery;
    }

    /** The Cloud Logging filter that {@link #run()} reads; editable. */
    public StringProperty queryProperty() {
        return query;
    }

    /** Text that narrows the rows shown, in any column. */
    public StringProperty filterProperty() {
        return filter;
    }

    /** Whether new entries are read as they come. */
    public BooleanProperty followProperty() {
        return follow;
    }

    /** The rows the filter lets through, oldest first as a log is read. */
    public ObservableList<LogRow> visibleRows() {
        return visibleRows;
    }

    public ObservableList<LogRow> rows() {
        return rows;
    }

    /** The entry the details pane shows; none: the pane says how to pick one. */
    public ObjectProperty<LogRow> selectedRowProperty() {
        return selectedRow;
    }

    /** The selected entry whole, as indented JSON (what Copy puts on the clipboard); empty when none is selected. */
    public ReadOnlyStringProperty detailsProperty() {
        return details.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty logsMessageProperty() {
        return logsMessage.getReadOnlyProperty();
    }

    public ObservableList<AuditRow> audit() {
        return audit;
    }

    public ReadOnlyStringProperty auditMessageProperty() {
        return auditMessage.getReadOnlyProperty();
    }
}
