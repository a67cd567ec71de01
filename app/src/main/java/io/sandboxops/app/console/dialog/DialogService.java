package io.sandboxops.app.console.dialog;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Every dialog the console shows goes through here, so view models can ask questions without knowing about
 * windows, and their tests can answer them. Notices that need no answer go through {@link Notifier}.
 */
public interface DialogService {

    /** An error a person can act on: what failed, and why, in words. */
    void showError(String title, String message);

    /** An unexpected failure: the message in words, the stack trace behind a disclosure. */
    void showException(String title, Throwable error);

    /** @return whether the person chose {@code confirmLabel} */
    boolean confirm(String title, String message, String confirmLabel);

    /**
     * A confirmation that needs a word typed, as production environments ask before a write.
     *
     * @return whether the person typed {@code expected} and confirmed
     */
    boolean confirmByTyping(String title, String message, String expected);

    /**
     * Asks for one line of text, e.g. a file's new name.
     *
     * @return what was typed, empty when cancelled
     */
    Optional<String> askText(String title, String message, String initial);

    /** @return the files chosen to open, empty when cancelled */
    List<Path> chooseFilesToOpen(String title);

    /** @return where to save, empty when cancelled */
    Optional<Path> chooseSaveFile(String title, String suggestedName);
}
