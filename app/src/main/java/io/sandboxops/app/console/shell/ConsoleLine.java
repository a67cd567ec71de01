package io.sandboxops.app.console.shell;

import io.sandboxops.core.env.ControlCharacters;
import java.util.List;

/**
 * One line of the session console's output.
 *
 * @param kind    what it is, which decides how it looks
 * @param text    the line, without its newline; its colour sequences taken out and its other control characters shown
 *                inert (the sandbox writes what it likes, and a list is no terminal: an ESC or a direction override
 *                would only hide or reorder what is shown)
 * @param colours where the program coloured the text ({@code ls --color}), in {@code text}'s positions
 */
public record ConsoleLine(Kind kind, String text, List<Colour> colours) {

    public ConsoleLine {
        // Escaping escaped text changes nothing, so the colour positions hold; raw text given here is made inert too.
        text = ControlCharacters.escape(text);
        colours = List.copyOf(colours);
    }

    /**
     * A line as the sandbox (or the console) wrote it, made inert; in a program's output its SGR colours are read. A
     * command is shown as it was typed, sequences and all.
     */
    public ConsoleLine(Kind kind, String text) {
        this(kind, kind.isOutput() ? SgrText.parse(text) : new SgrText.Parsed(ControlCharacters.escape(text), List.of()));
    }

    private ConsoleLine(Kind kind, SgrText.Parsed parsed) {
        this(kind, parsed.text(), parsed.colours());
    }

    /**
     * A coloured run of a line.
     *
     * @param start      the first character
     * @param end        past the last character
     * @param foreground one of the sixteen standard terminal colours (0–7, 8–15 bright), or -1 for the line's own
     * @param bold       whether it is bold
     */
    public record Colour(int start, int end, int foreground, boolean bold) {
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
        NOTE;

        /** What a program wrote, whose colours are its own. */
        boolean isOutput() {
            return this == STDOUT || this == STDERR || this == LIVE;
        }
    }
}
