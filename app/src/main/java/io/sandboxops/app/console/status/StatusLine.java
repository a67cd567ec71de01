package io.sandboxops.app.console.status;

import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * The status bar's message: what the console last did or failed to do, in words. View models write it;
 * the main view shows it. Property changes must happen on the UI thread, as task callbacks do.
 */
public final class StatusLine {

    public enum Severity { INFO, WARNING, ERROR }

    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "");
    private final ReadOnlyObjectWrapper<Severity> severity = new ReadOnlyObjectWrapper<>(this, "severity", Severity.INFO);

    public void info(String text) {
        set(Severity.INFO, text);
    }

    public void warn(String text) {
        set(Severity.WARNING, text);
    }

    public void error(String text) {
        set(Severity.ERROR, text);
    }

    private void set(Severity s, String text) {
        severity.set(s);
        message.set(text);
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Severity> severityProperty() {
        return severity.getReadOnlyProperty();
    }

    public String message() {
        return message.get();
    }

    public Severity severity() {
        return severity.get();
    }
}
