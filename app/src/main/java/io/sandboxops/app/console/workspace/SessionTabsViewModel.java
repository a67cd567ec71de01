package io.sandboxops.app.console.workspace;

import io.sandboxops.app.console.environment.WriteGuard;
import io.sandboxops.app.console.sessions.SessionHandle;
import io.sandboxops.app.console.sessions.SessionsViewModel;
import io.sandboxops.app.console.shell.SessionConsoleViewModel;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.TaskExecutor;
import io.sandboxops.app.console.terminal.SessionTerminalViewModel;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;

/**
 * The sessions open as tabs, each a workspace of its own: its command view (output, history, a command still running)
 * and its terminal stay as they are while another session is looked at. A tab opens when its session is picked in the
 * table, and closing it releases the session's client (the session keeps running).
 */
public final class SessionTabsViewModel {

    /**
     * One open session: its command view and its terminal, which live as long as the tab.
     *
     * @param session  the session and its client
     * @param console  the command view's state
     * @param terminal the terminal's state
     */
    public record SessionTab(SessionHandle session, SessionConsoleViewModel console, SessionTerminalViewModel terminal) {
        /** The tab's text: the session, and its backend. */
        public String title() {
            return session.sessionId() + " · " + session.backend();
        }
    }

    private final TaskExecutor executor;
    private final StatusLine status;
    private final WriteGuard guard;
    private final SessionsViewModel sessions;
    private final ObservableList<SessionTab> tabs = FXCollections.observableArrayList();
    // One read-only view, kept: a view made per call listens to the list weakly and would lose its listeners.
    private final ObservableList<SessionTab> tabsView = FXCollections.unmodifiableObservableList(tabs);
    private final ReadOnlyObjectWrapper<SessionTab> shown = new ReadOnlyObjectWrapper<>(this, "shown");

    public SessionTabsViewModel(TaskExecutor executor, StatusLine status, WriteGuard guard, SessionsViewModel sessions) {
        this.executor = executor;
        this.status = status;
        this.guard = guard;
        this.sessions = sessions;
        sessions.openSessions().addListener((ListChangeListener<SessionHandle>) change -> {
            while (change.next()) {
                change.getRemoved().forEach(this::closed);
                change.getAddedSubList().forEach(this::opened);
            }
        });
        sessions.openSessions().forEach(this::opened);
        sessions.openSessionProperty().addListener((obs, old, now) -> shown.set(tabOf(now)));
        shown.set(tabOf(sessions.openSessionProperty().get()));
    }

    private void opened(SessionHandle handle) {
        // Each workspace follows only its own session, so switching never clears it.
        SessionConsoleViewModel console = new SessionConsoleViewModel(executor, status, guard, new SimpleObjectProperty<>(handle));
        tabs.add(new SessionTab(handle, console, new SessionTerminalViewModel(executor, status, guard, handle)));
    }

    private void closed(SessionHandle handle) {
        SessionTab tab = tabOf(handle);
        if (tab != null) {
            // The terminal first: it is left to the client's close before its view lets the widget go.
            tab.terminal().dispose();
            tab.console().dispose();
            tabs.remove(tab);
        }
    }

    private SessionTab tabOf(SessionHandle handle) {
        return handle == null ? null : tabs.stream().filter(t -> t.session() == handle).findFirst().orElse(null);
    }

    /** Shows a tab's session: the table selects it, processes and files follow. */
    public void show(SessionTab tab) {
        if (tab != null && tab != shown.get()) {
            sessions.show(tab.session());
        }
    }

    /** Closes a tab: its terminal ends, a command running in it is left to finish in the sandbox. */
    public void close(SessionTab tab) {
        sessions.release(tab.session());
    }

    public ObservableList<SessionTab> tabs() {
        return tabsView;
    }

    /** The tab shown; null when none is. */
    public ReadOnlyObjectProperty<SessionTab> shownProperty() {
        return shown.getReadOnlyProperty();
    }
}
