package io.sandboxops.core.env;

/**
 * Makes text a sandbox controls inert before a terminal or a list shows it: a sandbox can put escape sequences in
 * file names, env values, its cwd, commands and log lines, and a terminal would obey them (clear the screen, retitle
 * the window, hide text, rewrite what was printed). Every such view shows that text through here, so ESC reads
 * {@code \e}, the other C0 and C1 controls and DEL read {@code \n}, {@code \a}, {@code \x7f}, {@code \u009b}…, and the
 * Unicode direction overrides that reorder what is shown ({@code U+202E}…) read {@code \u202e}. Tabs are kept:
 * they move the cursor forward and nothing else. A backslash is kept as it is, so ordinary text reads unchanged.
 */
public final class ControlCharacters {
    private ControlCharacters() {
    }

    /** {@code text} as one inert line: every control character escaped, line breaks too. */
    public static String escape(String text) {
        return escape(text, false);
    }

    /** {@code text} inert, its line breaks kept: for a view that shows several lines (a log tail). */
    public static String escapeKeepingLines(String text) {
        return escape(text, true);
    }

    private static String escape(String text, boolean keepLines) {
        if (text == null) {
            return null;
        }
        int first = 0;
        while (first < text.length() && !escaped(text.charAt(first), keepLines)) {
            first++;
        }
        if (first == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!escaped(c, keepLines)) {
                out.append(c);
                continue;
            }
            if (keepLines && c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                continue;
            }
            switch (c) {
                case 0x1B -> out.append("\\e");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case 0x07 -> out.append("\\a");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case 0x0B -> out.append("\\v");
                case 0x00 -> out.append("\\0");
                default -> out.append(c < 0x80 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    private static boolean escaped(char c, boolean keepLines) {
        if (c == '\t' || (keepLines && c == '\n')) {
            return false;
        }
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x061C || c == 0x200E || c == 0x200F
                || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
    }
}
