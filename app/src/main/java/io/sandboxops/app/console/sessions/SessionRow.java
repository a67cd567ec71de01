package io.sandboxops.app.console.sessions;

import java.time.Duration;
import java.time.Instant;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * One line of the sessions table. Rows are updated in place on each refresh, so the selection and the
 * scroll position survive it.
 */
public final class SessionRow {
    private final String id;
    private final String backend;
    private final Instant created;
    private final ReadOnlyStringWrapper state = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper lastCommand = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper cwd = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<Duration> age = new ReadOnlyObjectWrapper<>(Duration.ZERO);

    public SessionRow(String id, String backend, Instant created, String state) {
        this.id = id;
        this.backend = backend;
        this.created = created;
        this.state.set(state);
    }

    public String id() {
        return id;
    }

    public String backend() {
        return backend;
    }

    public Instant created() {
        return created;
    }

    public ReadOnlyStringProperty stateProperty() {
        return state.getReadOnlyProperty();
    }

    public String state() {
        return state.get();
    }

    /** The last command, with secret-looking values masked. */
    public ReadOnlyStringProperty lastCommandProperty() {
        return lastCommand.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty cwdProperty() {
        return cwd.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Duration> ageProperty() {
        return age.getReadOnlyProperty();
    }

    public boolean isRunning() {
        return "running".equalsIgnoreCase(state.get());
    }

    void update(String newState, Instant now) {
        state.set(newState);
        age.set(Duration.between(created, now).isNegative() ? Duration.ZERO : Duration.between(created, now));
    }

    void updateDetails(String maskedLastCommand, String newCwd) {
        lastCommand.set(maskedLastCommand);
        cwd.set(newCwd);
    }

    boolean matches(String filter) {
        if (filter == null || filter.isBlank()) {
            return true;
        }
        String f = filter.strip().toLowerCase();
        return id.toLowerCase().contains(f) || backend.toLowerCase().contains(f) || state().toLowerCase().contains(f)
                || lastCommand.get().toLowerCase().contains(f) || cwd.get().toLowerCase().contains(f);
    }
}
