package io.sandboxops.app.console.processes;

import io.sandboxops.app.console.dialog.ErrorMessages;
import io.sandboxops.app.console.environment.WriteGuard;
import io.sandboxops.app.console.sessions.SessionHandle;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.BackgroundTask;
import io.sandboxops.app.console.task.RefreshGate;
import io.sandboxops.app.console.task.TaskExecutor;
import io.sandboxops.app.console.task.TaskHandle;
import io.sandboxops.core.api.KillResult;
import io.sandboxops.core.api.KillTarget;
import io.sandboxops.core.env.ControlCharacters;
import io.sandboxops.core.env.Secrets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import javafx.beans.binding.BooleanBinding;
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

/**
 * The sandbox's background processes (those started with a trailing {@code &}): a table refreshed on a
 * timer, kill one / by pattern / all, and a live tail of the selected process's log.
 */
public final class ProcessesViewModel {
    public static final Duration REFRESH_PERIOD = Duration.ofSeconds(2);
    /** How much of a log the tail shows: the end is what matters when following it. */
    static final int TAIL_BYTES = 64 * 1024;

    private final TaskExecutor executor;
    private final StatusLine status;
    private final WriteGuard guard;
    private final ObservableValue<SessionHandle> session;

    private final ObservableList<ProcessRow> rows = FXCollections.observableArrayList();
    private final ObjectProperty<ProcessRow> selected = new SimpleObjectProperty<>(this, "selected");
    private final StringProperty pattern = new SimpleStringProperty(this, "pattern", "");
    private final ReadOnlyStringWrapper logTail = new ReadOnlyStringWrapper(this, "logTail", "");
    private final BooleanProperty onlyThisSession = new SimpleBooleanProperty(this, "onlyThisSession");
    private final RefreshGate listing = new RefreshGate(Duration.ofSeconds(30));
    private final RefreshGate tailing = new RefreshGate(Duration.ofSeconds(30));
    private TaskHandle timer = TaskHandle.DONE;

    public ProcessesViewModel(TaskExecutor executor, StatusLine status, WriteGuard guard, ObservableValue<SessionHandle> session) {
        this.executor = executor;
        this.status = status;
        this.guard = guard;
        this.session = session;
        session.addListener((obs, old, now) -> {
            rows.clear();
            selected.set(null);
            refresh();
        });
        selected.addListener((obs, old, now) -> {
            logTail.set("");
            tail();
        });
        onlyThisSession.addListener((obs, old, now) -> refresh());
    }

    public void start() {
        timer.cancel();
        timer = executor.every(REFRESH_PERIOD, () -> {
            refresh();
            tail();
        });
    }

    public void dispose() {
        timer.cancel();
    }

    public void refresh() {
        SessionHandle s = session.getValue();
        if (s == null) {
            return;
        }
        long entered = listing.tryEnter();
        if (entered == 0) {
            return;
        }
        Optional<String> only = onlyThisSession.get() ? Optional.of(s.sessionId()) : Optional.empty();
        executor.execute(BackgroundTask.of("list background processes", context -> s.sandbox().listBackgroundProcesses(only).stream()
                        .map(p -> new ProcessRow(p.pid(), p.sessionId(), Secrets.showCommand(p.command()), p.running(),
                                p.startedAt(), p.logFile()))
                        // Running first, newest first: what an on-call engineer is looking for.
                        .sorted(Comparator.comparing(ProcessRow::running).reversed().thenComparing(ProcessRow::started, Comparator.reverseOrder()))
                        .toList())
                .onSuccess(list -> {
                    if (s == session.getValue()) {
                        merge(list);
                    }
                })
                .onFailure(e -> status.warn("Could not list background processes: " + ErrorMessages.describe(e)))
                .onFinished(() -> listing.exit(entered)));
    }

    private void merge(List<ProcessRow> list) {
        Long selectedPid = selected.get() == null ? null : selected.get().pid();
        if (!rows.equals(list)) {
            rows.setAll(list);
        }
        if (selectedPid != null) {
            selected.set(rows.stream().filter(r -> r.pid() == selectedPid).findFirst().orElse(null));
        }
    }

    /** Reads the end of the selected process's log. */
    public void tail() {
        SessionHandle s = session.getValue();
        ProcessRow p = selected.get();
        if (s == null || p == null) {
            return;
        }
        long entered = tailing.tryEnter();
        if (entered == 0) {
            return;
        }
        executor.execute(BackgroundTask.of("read the log of pid " + p.pid(), context -> s.sandbox().backgroundLogs(p.pid(), TAIL_BYTES))
                .onSuccess(text -> {
                    if (selected.get() != null && selected.get().pid() == p.pid()) {
                        logTail.set(ControlCharacters.escapeKeepingLines(text));
                    }
                })
                .onFailure(e -> logTail.set("(could not read the log: " + ErrorMessages.describe(e) + ")"))
                .onFinished(() -> tailing.exit(entered)));
    }

    public void killSelected() {
        ProcessRow p = selected.get();
        if (p != null && guard.approve("Kill process " + p.pid(), "Kill " + p.pid() + " (" + p.command() + ")?", "Kill")) {
            kill(KillTarget.pid(p.pid()), "pid " + p.pid());
        }
    }

    public void killMatching() {
        String regex = pattern.get();
        if (regex == null || regex.isBlank()) {
            status.warn("Type a pattern (a regular expression matched against the command) first.");
            return;
        }
        KillTarget target;
        try {
            target = KillTarget.matching(regex);
        } catch (RuntimeException e) {
            status.error(ErrorMessages.describe(e));
            return;
        }
        long matching = rows.stream().filter(r -> r.running() && java.util.regex.Pattern.compile(regex).matcher(r.command()).find()).count();
        if (guard.approve("Kill processes matching " + regex, "Kill every running background process whose command matches \"" + regex
                + "\" (" + matching + " listed now)?", "Kill")) {
            kill(target, "processes matching \"" + regex + "\"");
        }
    }

    public void killAll() {
        long running = rows.stream().filter(ProcessRow::running).count();
        if (guard.approve("Kill all background processes", "Kill all " + running + " running background processes of this sandbox?", "Kill all")) {
            kill(KillTarget.all(), "all background processes");
        }
    }

    private void kill(KillTarget target, String what) {
        SessionHandle s = session.getValue();
        if (s == null) {
            return;
        }
        executor.execute(BackgroundTask.of("kill " + what, context -> s.sandbox().killBackgroundProcess(target))
                .onSuccess((KillResult r) -> status.info(r.killedCount() == 0 ? "Nothing was running that matched " + what + "."
                        : "Killed " + r.killedCount() + ": " + r.killedPids().stream().map(String::valueOf).collect(Collectors.joining(", ")) + "."))
                .onFailure(e -> status.error("Could not kill " + what + ": " + ErrorMessages.describe(e)))
                .onFinished(this::refresh));
    }

    public BooleanBinding canKillSelectedProperty() {
        return guard.writesAllowed().and(selected.isNotNull()).and(javafx.beans.binding.Bindings.createBooleanBinding(
                () -> selected.get() != null && selected.get().running(), selected));
    }

    public BooleanBinding canKillProperty() {
        return guard.writesAllowed().and(javafx.beans.binding.Bindings.createBooleanBinding(() -> session.getValue() != null, session));
    }

    public ObservableList<ProcessRow> rows() {
        return rows;
    }

    public ObjectProperty<ProcessRow> selectedProperty() {
        return selected;
    }

    public StringProperty patternProperty() {
        return pattern;
    }

    public ReadOnlyStringProperty logTailProperty() {
        return logTail.getReadOnlyProperty();
    }

    public BooleanProperty onlyThisSessionProperty() {
        return onlyThisSession;
    }
}
