package io.sandboxops.app.console.dialog;

import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.env.ControlCharacters;

/** Turns a failure into a sentence for a status bar or a dialog; never a stack trace. */
public final class ErrorMessages {
    private ErrorMessages() {
    }

    public static String describe(Throwable error) {
        Throwable t = error;
        // Executors and reflection wrap the failure that says what happened; show that one.
        while ((t instanceof java.util.concurrent.ExecutionException || t instanceof java.lang.reflect.InvocationTargetException
                || (t.getClass() == RuntimeException.class && t.getMessage() == null)) && t.getCause() != null) {
            t = t.getCause();
        }
        // A message may quote what a sandbox controls (a path, a command): shown inert.
        if (t instanceof SandboxException) {
            // The core writes its messages for people: what happened and what to do.
            return ControlCharacters.escape(t.getMessage());
        }
        String message = t.getMessage();
        String kind = t.getClass().getSimpleName().replaceAll("(Exception|Error)$", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase();
        return message == null || message.isBlank() ? kind : kind + ": " + ControlCharacters.escape(message);
    }
}
