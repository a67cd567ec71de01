package io.sandboxops.app.console.dialog;

import java.util.Objects;

/**
 * Notices that pop up over the window and need no answer: a finished transfer, a finished rollback, a breached
 * gate. View models call it; their tests record what was said, with no toolkit.
 */
public interface Notifier {

    /** How loud a notice is: an alarm stays until it is closed, the others go away by themselves. */
    enum Level { DONE, WARNING, ALARM }

    /** @param title a few words; @param text one or two lines that say what happened and where */
    record Notice(Level level, String title, String text) {
        public Notice {
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(text, "text");
        }
    }

    void show(Notice notice);

    /** Something finished as asked. */
    default void done(String title, String text) {
        show(new Notice(Level.DONE, title, text));
    }

    /** Something finished, but not as asked (a failed transfer). */
    default void warn(String title, String text) {
        show(new Notice(Level.WARNING, title, text));
    }

    /** Someone must act now (a breached gate, a rollback that did not verify). */
    default void alarm(String title, String text) {
        show(new Notice(Level.ALARM, title, text));
    }
}
