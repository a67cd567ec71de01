package io.sandboxops.app.console.terminal;

import com.techsenger.jeditermfx.core.TtyConnector;
import io.sandboxops.app.console.dialog.ErrorMessages;
import io.sandboxops.app.console.environment.WriteGuard;
import io.sandboxops.app.console.sessions.SessionHandle;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.BackgroundTask;
import io.sandboxops.app.console.task.TaskExecutor;
import io.sandboxops.core.api.Terminal;
import io.sandboxops.core.api.TerminalSize;
import java.time.Duration;
import java.util.OptionalInt;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * A session's terminal: a bash on a pseudo-terminal in the session's sandbox ({@link io.sandboxops.core.api.Sandbox#openTerminal}),
 * shown by a terminal-emulator widget that does the colours, cursor addressing, alternate screen and keys. What is typed
 * runs in the sandbox as typed, so opening one is a write: refused in a read-only environment, and in production only
 * after the service name is typed (the {@link WriteGuard}, as for running a command). Its own shell: a {@code cd} in it
 * does not move the session's commands, and closing it leaves the session running.
 */
public final class SessionTerminalViewModel {
    /** The size a terminal opens with; the widget then resizes it to the cells its pane holds. */
    public static final int OPENING_COLUMNS = TerminalSize.DEFAULT.columns();
    public static final int OPENING_ROWS = TerminalSize.DEFAULT.rows();

    /** How long the shell's exit status is waited for once its output has ended. */
    static final Duration EXIT_STATUS_WAIT = Duration.ofSeconds(2);

    public enum State {
        /** None open yet, or closed. */
        CLOSED,
        OPENING,
        OPEN,
        /** The shell exited (or the sandbox went away); what it showed stays on screen. */
        ENDED
    }

    private final TaskExecutor executor;
    private final StatusLine status;
    private final WriteGuard guard;
    private final SessionHandle session;
    private final ReadOnlyObjectWrapper<State> state = new ReadOnlyObjectWrapper<>(this, "state", State.CLOSED);
    private final ReadOnlyObjectWrapper<TtyConnector> connector = new ReadOnlyObjectWrapper<>(this, "connector");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message");
    private final BooleanBinding canOpen;
    private TerminalConnector open;
    private boolean disposed;

    public SessionTerminalViewModel(TaskExecutor executor, StatusLine status, WriteGuard guard, SessionHandle session) {
        this.executor = executor;
        this.status = status;
        this.guard = guard;
        this.session = session;
        this.canOpen = guard.writesAllowed().and(state.isNotEqualTo(State.OPENING)).and(state.isNotEqualTo(State.OPEN));
        message.set(guard.writesAllowed().get() ? "No terminal open. Open terminal starts a bash in " + session.sessionId() + "."
                : "Read-only environment: no terminal can be opened here.");
    }

    /** Opens a terminal, after the guard agrees; an open one is kept. */
    public void open() {
        TerminalSize size = TerminalSize.DEFAULT;
        if (disposed || state.get() == State.OPENING || state.get() == State.OPEN) {
            return;
        }
        if (!guard.writesAllowed().get()) {
            status.warn("This environment is read-only: no terminal can be opened.");
            return;
        }
        if (!guard.approveRoutine("Open a terminal", "Open a terminal in session " + session.sessionId()
                + "? What is typed in it runs in the sandbox as typed.")) {
            status.warn("No terminal opened: the service name was not typed.");
            return;
        }
        state.set(State.OPENING);
        message.set("Opening a terminal in " + session.sessionId() + "…");
        executor.execute(BackgroundTask.of("open a terminal in " + session.sessionId(),
                        context -> session.sandbox().openTerminal(session.sessionId(), size))
                .onSuccess(terminal -> {
                    if (disposed) {
                        closeInBackground(terminal);
                        return;
                    }
                    open = new TerminalConnector(terminal);
                    connector.set(open);
                    state.set(State.OPEN);
                    message.set("bash in " + session.sessionId() + " on " + session.backend() + " · its own shell: a cd here does not move the session's commands");
                })
                .onFailure(e -> {
                    state.set(State.CLOSED);
                    message.set("Could not open a terminal: " + ErrorMessages.describe(e));
                    status.warn("Could not open a terminal in " + session.sessionId() + ": " + ErrorMessages.describe(e));
                }));
    }

    /** The widget saw the terminal's output end: the shell exited, or the terminal was closed. */
    public void ended() {
        TerminalConnector c = open;
        if (c == null || state.get() != State.OPEN) {
            return;
        }
        state.set(State.ENDED);
        message.set("The shell has ended. Open terminal starts a new one.");
        executor.execute(BackgroundTask.of("read how the terminal ended", context -> {
                    OptionalInt exit = c.exitStatus();
                    long deadline = System.nanoTime() + EXIT_STATUS_WAIT.toNanos();
                    while (exit.isEmpty() && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                        exit = c.exitStatus();
                    }
                    return exit;
                })
                .onSuccess(exit -> {
                    if (open == c && state.get() == State.ENDED && exit.isPresent()) {
                        message.set("The shell exited with status " + exit.getAsInt() + ". Open terminal starts a new one.");
                    }
                })
                .onFailure(e -> { }));
    }

    /** Ends the terminal (SIGHUP to its shell); the session keeps running. */
    public void close() {
        TerminalConnector c = open;
        open = null;
        connector.set(null);
        if (state.get() != State.OPENING) {
            state.set(State.CLOSED);
        }
        if (!disposed) {
            message.set("Terminal closed. Open terminal starts a new one.");
        }
        if (c != null) {
            executor.execute(BackgroundTask.ofRunnable("close the terminal in " + session.sessionId(), c::close)
                    // The terminal ends with its sandbox anyway; a failed close leaves nothing to do.
                    .onFailure(e -> { }));
        }
    }

    /**
     * The session's tab was closed: the terminal goes with its client, whose close ends it (so the two closes never race
     * over the same streams), and one still opening is closed once it opens.
     */
    public void dispose() {
        disposed = true;
        if (open != null) {
            open.leaveToClient();
            open = null;
        }
        connector.set(null);
        if (state.get() != State.OPENING) {
            state.set(State.CLOSED);
        }
    }

    private void closeInBackground(Terminal terminal) {
        executor.execute(BackgroundTask.ofRunnable("close the terminal in " + session.sessionId(), terminal::close).onFailure(e -> { }));
    }

    public SessionHandle session() {
        return session;
    }

    public ReadOnlyObjectProperty<State> stateProperty() {
        return state.getReadOnlyProperty();
    }

    /** The widget's end of the open terminal; null while none is open. */
    public ReadOnlyObjectProperty<TtyConnector> connectorProperty() {
        return connector.getReadOnlyProperty();
    }

    /** What the terminal is, or why there is none. */
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public BooleanBinding canOpenProperty() {
        return canOpen;
    }
}
