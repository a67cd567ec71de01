package io.sandboxops.core.api;

/**
 * Lines of a text file, 1-based and inclusive. {@code end} of {@link #TO_END} means "to the last line".
 */
public record LineRange(int start, int end) {
    public static final int TO_END = -1;

    public LineRange {
        if (start < 1) {
            throw new SandboxInvalidInputException("start line must be 1 or more, not " + start);
        }
        if (end != TO_END && end < start) {
            throw new SandboxInvalidInputException("end line " + end + " is before start line " + start);
        }
    }

    public static LineRange all() {
        return new LineRange(1, TO_END);
    }

    public static LineRange of(int start, int end) {
        return new LineRange(start, end);
    }

    public static LineRange from(int start) {
        return new LineRange(start, TO_END);
    }

    public boolean contains(int line) {
        return line >= start && (end == TO_END || line <= end);
    }
}
