package io.sandboxops.core.files;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A regex a person or an agent gave, compiled for RE2's engine (re2j): it runs in time linear in the text, without
 * backtracking or recursion, so no pattern can make a search spin or overflow the stack on a long line (java.util.regex
 * recurses once per repetition: {@code (a|b)*c} on a 200,000-character line overflows it).
 *
 * <p>re2j's own parser and compiler still recurse once per nested group and build a program as large as the product of
 * nested repetition counts ({@code ((a{1000}){1000}){1000}} fills any heap), so a regex is checked before it is
 * compiled: at most {@link #MAX_LENGTH} characters, {@link #MAX_NESTING} groups deep, and nested counted repetitions
 * making at most {@link #MAX_REPEAT_PRODUCT} copies (RE2's own limit). What RE2 does not do (backreferences, lookaround,
 * atomic groups, possessive quantifiers) is refused by name, with the alternative.
 */
public final class LinearRegex {
    public static final int MAX_LENGTH = 4096;
    public static final int MAX_NESTING = 100;
    public static final int MAX_REPEAT_PRODUCT = 1000;
    private static final String ALTERNATIVE = ". File search runs a linear-time engine (RE2 syntax), so that no regex can make it run"
            + " for ever; RE2 has no backreferences, lookaround, atomic groups or possessive quantifiers. Rewrite the regex without"
            + " it, or run grep -P inside the sandbox (exec \"grep -nP 'REGEX' FILE\"), which has them and runs under the command's"
            + " timeout";

    private LinearRegex() {
    }

    /** @throws SandboxInvalidInputException for a malformed regex, one too large, or one using a feature RE2 does not have */
    public static Pattern compile(String regex) {
        if (regex == null || regex.isEmpty()) {
            throw new SandboxInvalidInputException("a regex is required, e.g. ^def  or  TODO|FIXME");
        }
        if (regex.length() > MAX_LENGTH) {
            throw new SandboxInvalidInputException("the regex is " + regex.length() + " characters long; file search takes at most "
                    + MAX_LENGTH + ". Search for a shorter part of it");
        }
        check(regex);
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new SandboxInvalidInputException("invalid regex \"" + regex + "\": " + e.getMessage().replaceFirst("^error parsing regexp: ", ""), e);
        }
    }

    /** Walks the regex as RE2 will parse it, refusing what RE2 lacks and what would make its program too deep or too large. */
    private static void check(String re) {
        Deque<Integer> enclosing = new ArrayDeque<>();
        int group = 1; // the largest repetition product inside the group being read
        int atom = 1; // the repetition product inside the atom just read (a group's, after its ")")
        int i = 0;
        while (i < re.length()) {
            char c = re.charAt(i);
            switch (c) {
                case '\\' -> {
                    i = escape(re, i);
                    atom = 1;
                    continue;
                }
                case '[' -> {
                    i = skipClass(re, i);
                    atom = 1;
                    continue;
                }
                case '(' -> {
                    unsupportedGroup(re, i);
                    if (enclosing.size() >= MAX_NESTING) {
                        throw new SandboxInvalidInputException("the regex nests groups more than " + MAX_NESTING + " deep at index " + i
                                + "; file search takes at most that. Flatten it");
                    }
                    enclosing.push(group);
                    group = 1;
                    atom = 1;
                }
                case ')' -> {
                    if (enclosing.isEmpty()) {
                        return; // unbalanced: re2j says so
                    }
                    atom = group;
                    group = Math.max(enclosing.pop(), atom);
                }
                case '*', '+', '?' -> {
                    possessive(re, i);
                    group = Math.max(group, atom);
                }
                case '{' -> {
                    int end = re.indexOf('}', i);
                    int count = end < 0 ? -1 : repeatCount(re.substring(i + 1, end));
                    if (count >= 0) {
                        long product = (long) count * atom;
                        if (product > MAX_REPEAT_PRODUCT) {
                            throw new SandboxInvalidInputException("the regex repeats counted repetitions inside each other to more than "
                                    + MAX_REPEAT_PRODUCT + " copies (at index " + i + "); RE2 refuses that. Use * or + for the outer"
                                    + " repetition, or smaller counts");
                        }
                        atom = (int) product;
                        group = Math.max(group, atom);
                        possessive(re, end);
                        i = end + 1;
                        continue;
                    }
                    atom = 1;
                }
                default -> atom = 1;
            }
            i++;
        }
    }

    /** The index after the escape at {@code i}, refusing backreferences and anchors RE2 lacks. */
    private static int escape(String re, int i) {
        if (i + 1 >= re.length()) {
            return i + 1;
        }
        char d = re.charAt(i + 1);
        if (d >= '1' && d <= '9' || d == 'k' && i + 2 < re.length() && (re.charAt(i + 2) == '<' || re.charAt(i + 2) == '{')) {
            throw unsupported("a backreference (" + re.substring(i, Math.min(re.length(), i + 3)) + ")", i);
        }
        if (d == 'G' || d == 'Z' || d == 'R' || d == 'X') {
            throw unsupported("the escape \\" + d + (d == 'Z' ? " (use \\z or $)" : ""), i);
        }
        if (d == 'Q') {
            int end = re.indexOf("\\E", i + 2);
            return end < 0 ? re.length() : end + 2;
        }
        if ((d == 'p' || d == 'P' || d == 'x') && i + 2 < re.length() && re.charAt(i + 2) == '{') {
            int end = re.indexOf('}', i + 2);
            return end < 0 ? re.length() : end + 1;
        }
        return i + 2;
    }

    /** The index after the character class opening at {@code i} ({@code []a]} and {@code [[:alpha:]]} included). */
    private static int skipClass(String re, int i) {
        int j = i + 1;
        if (j < re.length() && re.charAt(j) == '^') {
            j++;
        }
        if (j < re.length() && re.charAt(j) == ']') {
            j++;
        }
        while (j < re.length()) {
            char c = re.charAt(j);
            if (c == '\\') {
                j += 2;
            } else if (c == '[' && j + 1 < re.length() && re.charAt(j + 1) == ':') {
                int end = re.indexOf(":]", j + 2);
                j = end < 0 ? j + 1 : end + 2;
            } else if (c == ']') {
                return j + 1;
            } else {
                j++;
            }
        }
        return j;
    }

    private static void unsupportedGroup(String re, int i) {
        String rest = re.substring(i, Math.min(re.length(), i + 4));
        if (rest.startsWith("(?=") || rest.startsWith("(?!") || rest.startsWith("(?<=") || rest.startsWith("(?<!")) {
            throw unsupported("lookaround (" + rest.substring(0, rest.startsWith("(?<") ? 4 : 3) + "…)", i);
        }
        if (rest.startsWith("(?>")) {
            throw unsupported("an atomic group ((?>…))", i);
        }
        if (rest.startsWith("(?<")) {
            throw new SandboxInvalidInputException("unsupported regex feature at index " + i + ": a named group written (?<name>…);"
                    + " write it (?P<name>…)");
        }
    }

    private static void possessive(String re, int quantifierEnd) {
        if (quantifierEnd + 1 < re.length() && re.charAt(quantifierEnd + 1) == '+') {
            throw unsupported("a possessive quantifier (" + re.charAt(quantifierEnd) + "+)", quantifierEnd);
        }
    }

    /** The larger bound of {@code n}, {@code n,} or {@code n,m}; -1 when it is not a repetition (then { is literal). */
    private static int repeatCount(String inner) {
        if (!inner.matches("\\d{1,6}(,\\d{0,6})?")) {
            return -1;
        }
        int comma = inner.indexOf(',');
        int n = Integer.parseInt(comma < 0 ? inner : inner.substring(0, comma));
        String m = comma < 0 ? "" : inner.substring(comma + 1);
        return m.isEmpty() ? n : Math.max(n, Integer.parseInt(m));
    }

    private static SandboxInvalidInputException unsupported(String what, int index) {
        return new SandboxInvalidInputException("unsupported regex feature at index " + index + ": " + what + ALTERNATIVE);
    }
}
