package io.sandboxops.app.console.shell;

/**
 * One line of the session console's output.
 *
 * @param kind what it is, which decides how it looks
 * @param text the line, without its newline
 */
public record ConsoleLine(Kind kind, String text) {

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
