package io.sandboxops.app.console.shell;

import io.sandboxops.core.env.ControlCharacters;
import java.util.ArrayList;
import java.util.List;

/**
 * A line of sandbox output with its colours taken out: the SGR sequences ({@code ESC [ … m}, what {@code ls --color},
 * {@code grep --color} and test runners write) become {@link ConsoleLine.Colour colour runs} the view paints, and the
 * rest of the line is made inert by {@link ControlCharacters}. SGR is the only sequence read: it sets colours and
 * weight, nothing else; every other escape (moving the cursor, clearing, retitling) stays visible as {@code \e[…}.
 */
final class SgrText {
    /** Parameters longer than this are no colour a program writes: the sequence is left as text. */
    private static final int MAX_SGR = 64;

    /** The line's text with its SGR sequences removed and the rest escaped, and where each colour runs. */
    record Parsed(String text, List<ConsoleLine.Colour> colours) {
    }

    private SgrText() {
    }

    static Parsed parse(String raw) {
        if (raw == null || raw.indexOf('\u001b') < 0) {
            return new Parsed(ControlCharacters.escape(raw), List.of());
        }
        StringBuilder out = new StringBuilder(raw.length());
        List<ConsoleLine.Colour> colours = new ArrayList<>();
        Style style = new Style();
        int segmentStart = 0;
        int i = 0;
        while (i < raw.length()) {
            int end = sgrEnd(raw, i);
            if (end < 0) {
                i++;
                continue;
            }
            append(out, colours, style, raw.substring(segmentStart, i));
            style.apply(raw.substring(i + 2, end));
            i = end + 1;
            segmentStart = i;
        }
        append(out, colours, style, raw.substring(segmentStart));
        return new Parsed(out.toString(), List.copyOf(colours));
    }

    /** The index of the {@code m} ending an SGR sequence that starts at {@code at}, or -1. */
    private static int sgrEnd(String s, int at) {
        if (s.charAt(at) != '\u001b' || at + 1 >= s.length() || s.charAt(at + 1) != '[') {
            return -1;
        }
        for (int j = at + 2; j < s.length() && j - at <= MAX_SGR; j++) {
            char c = s.charAt(j);
            if (c == 'm') {
                return j;
            }
            if (!(c >= '0' && c <= '9') && c != ';' && c != ':') {
                return -1;
            }
        }
        return -1;
    }

    private static void append(StringBuilder out, List<ConsoleLine.Colour> colours, Style style, String segment) {
        if (segment.isEmpty()) {
            return;
        }
        int start = out.length();
        out.append(ControlCharacters.escape(segment));
        if (style.foreground >= 0 || style.bold) {
            colours.add(new ConsoleLine.Colour(start, out.length(), style.foreground, style.bold));
        }
    }

    /** The colour and weight in force: the sixteen standard colours (0–15), or -1 for the default. */
    private static final class Style {
        int foreground = -1;
        boolean bold;

        void apply(String params) {
            String[] p = params.isEmpty() ? new String[] {"0"} : params.split("[;:]", -1);
            for (int k = 0; k < p.length; k++) {
                int n = number(p[k]);
                if (n == 0) {
                    foreground = -1;
                    bold = false;
                } else if (n == 1) {
                    bold = true;
                } else if (n == 22) {
                    bold = false;
                } else if (n >= 30 && n <= 37) {
                    foreground = n - 30;
                } else if (n >= 90 && n <= 97) {
                    foreground = n - 90 + 8;
                } else if (n == 39) {
                    foreground = -1;
                } else if ((n == 38 || n == 48) && k + 1 < p.length) {
                    // 38;5;N (256 colours: the first sixteen are the standard ones) or 38;2;R;G;B; 48 is a background.
                    int kind = number(p[k + 1]);
                    if (kind == 5 && k + 2 < p.length) {
                        int index = number(p[k + 2]);
                        if (n == 38) {
                            foreground = index >= 0 && index < 16 ? index : -1;
                        }
                        k += 2;
                    } else if (kind == 2) {
                        // A colour outside the sixteen: the line's own, rather than the one before it.
                        if (n == 38) {
                            foreground = -1;
                        }
                        k += 4;
                    } else {
                        k += 1;
                    }
                }
            }
        }

        private static int number(String s) {
            if (s.isEmpty()) {
                return 0;
            }
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }
}
