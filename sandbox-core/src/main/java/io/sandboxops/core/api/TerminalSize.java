package io.sandboxops.core.api;

/**
 * The size of a terminal in character cells.
 *
 * @param columns characters per line, 1 to {@value #MAX}
 * @param rows    lines, 1 to {@value #MAX}
 */
public record TerminalSize(int columns, int rows) {
    /** The most columns or rows a terminal may have. */
    public static final int MAX = 1000;

    /** The size a terminal opens with when its viewer does not say: 80×24, as xterm. */
    public static final TerminalSize DEFAULT = new TerminalSize(80, 24);

    public TerminalSize {
        if (columns < 1 || columns > MAX || rows < 1 || rows > MAX) {
            throw new SandboxInvalidInputException("a terminal has 1 to " + MAX + " columns and rows, not " + columns + "×" + rows);
        }
    }

    @Override
    public String toString() {
        return columns + "×" + rows;
    }
}
