package io.sandboxops.app.console.environment;

import io.sandboxops.app.console.dialog.DialogService;
import io.sandboxops.core.env.Environment;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.value.ObservableValue;

/**
 * Decides whether a write may happen in the current environment: never in a read-only one, after the service name
 * is typed in a production one (what the rollout and {@code sandboxctl --confirm} ask for; the environment's name for
 * an environment with no service), after a plain confirmation elsewhere. Every view model asks it before changing
 * anything (running a command, saving, uploading, killing, creating, closing, cleaning up), so the rule lives in one
 * place.
 */
public final class WriteGuard {

    private final ObservableValue<ConsoleEnvironment> environment;
    private final DialogService dialogs;
    private final BooleanBinding writesAllowed;

    public WriteGuard(ObservableValue<ConsoleEnvironment> environment, DialogService dialogs) {
        this.environment = environment;
        this.dialogs = dialogs;
        this.writesAllowed = Bindings.createBooleanBinding(() -> environment.getValue() != null && environment.getValue().writesAllowed(), environment);
    }

    /** For binding buttons: false in a read-only environment. */
    public BooleanBinding writesAllowed() {
        return writesAllowed;
    }

    /**
     * Checks an everyday write (save a file, upload): refused when read-only, the name typed in production,
     * no question elsewhere.
     *
     * @return whether to go ahead
     */
    public boolean approveRoutine(String title, String message) {
        ConsoleEnvironment env = environment.getValue();
        if (env == null || !env.writesAllowed()) {
            dialogs.showError(title, "The environment " + (env == null ? "" : "\"" + env.name() + "\" ") + "is read-only; nothing was changed.");
            return false;
        }
        return !env.production() || confirmInProduction(env, title, message);
    }

    /**
     * Asks before a destructive write (close a session, kill a process, overwrite a file).
     *
     * @return whether to go ahead
     */
    public boolean approve(String title, String message, String confirmLabel) {
        ConsoleEnvironment env = environment.getValue();
        if (readOnly(env, title)) {
            return false;
        }
        if (env.production()) {
            return confirmInProduction(env, title, message);
        }
        return dialogs.confirm(title, message, confirmLabel);
    }

    /**
     * Asks before a write that reaches beyond what the person is looking at (removing other people's sessions): a
     * word must be typed, as production asks for every write; in production the service name is that word.
     *
     * @return whether to go ahead
     */
    public boolean approveByTyping(String title, String message, String word) {
        ConsoleEnvironment env = environment.getValue();
        if (readOnly(env, title)) {
            return false;
        }
        if (env.production()) {
            return confirmInProduction(env, title, message);
        }
        return dialogs.confirmByTyping(title, message, word);
    }

    /** Says so, and is true, when {@code env} takes no writes (or none is open). */
    private boolean readOnly(ConsoleEnvironment env, String title) {
        if (env == null || !env.writesAllowed()) {
            dialogs.showError(title, "The environment " + (env == null ? "" : "\"" + env.name() + "\" ") + "is read-only; nothing was changed.");
            return true;
        }
        return false;
    }

    private boolean confirmInProduction(ConsoleEnvironment env, String title, String message) {
        String word = env.coreDefinition().map(Environment::service).orElse(env.name());
        return dialogs.confirmByTyping(title, message + "\n\nThis is the production environment \"" + env.name()
                + "\"; type the service name to go on.", word);
    }
}
