package io.sandboxops.app.console.shell;

import io.sandboxops.core.env.ControlCharacters;

/**
 * One line of the session console's output.
 *
 * @param kind what it is, which decides how it looks
 * @param text the line, without its newline; its control characters shown inert (the sandbox writes what it likes, and
 *             a list is no terminal: an ESC or a direction override would only hide or reorder what is shown)
 */
public record ConsoleLine(Kind kind, String text) {

    public ConsoleLine {
        text = ControlCharacters.escape(text);
    }

    public enum Kind {
        /** The prompt and the command as typed (secrets masked). */
        COMMAND,
        STDOUT,
        STDERR,
        /** Live output of a running command: stdout and stderr interleaved, as the interactive shell gives them. */
        LIVE,
        /** What the console says about a command: exit code and duration, a timeout, dropped output. */
        SUCCESS,
        FAILURE,
        NOTE
    }
}
