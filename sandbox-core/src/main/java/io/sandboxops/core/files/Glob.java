package io.sandboxops.core.files;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.sandboxops.core.api.SandboxInvalidInputException;

/**
 * A file glob: {@code *} and {@code ?} within one path element, {@code **} across elements, {@code [..]}
 * classes and {@code {a,b}} alternatives. A glob without {@code /} matches the file name at any depth.
 *
 * <p>It is matched by RE2's engine (re2j), in time linear in the path: as a backtracking regex, {@code *a*a*…*b} on a
 * long name tries every way to split it and spins for minutes. Its size is bounded, so re2j's parser, which recurses
 * once per nested group, never gets deep.
 */
public final class Glob {
    public static final int MAX_LENGTH = 1024;
    public static final int MAX_BRACE_NESTING = 10;
    private final Pattern pattern;
    private final boolean nameOnly;

    private Glob(Pattern pattern, boolean nameOnly) {
        this.pattern = pattern;
        this.nameOnly = nameOnly;
    }

    /** @throws SandboxInvalidInputException for an empty or malformed glob */
    public static Glob compile(String glob) {
        if (glob == null || glob.isEmpty()) {
            throw new SandboxInvalidInputException("a glob is required, e.g. *.py or src/**/*.java");
        }
        if (glob.length() > MAX_LENGTH) {
            throw new SandboxInvalidInputException("the glob is " + glob.length() + " characters long; find takes at most " + MAX_LENGTH);
        }
        StringBuilder re = new StringBuilder();
        int braces = 0;
        boolean inClass = false;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (inClass) {
                if (c == ']') {
                    inClass = false;
                }
                re.append(c == '\\' ? "\\\\" : String.valueOf(c));
                continue;
            }
            switch (c) {
                case '*' -> {
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                        i++;
                        if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
                            i++;
                            re.append("(?:.*/)?");
                        } else {
                            re.append(".*");
                        }
                    } else {
                        re.append("[^/]*");
                    }
                }
                case '?' -> re.append("[^/]");
                case '[' -> {
                    inClass = true;
                    re.append('[');
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '!') {
                        re.append('^');
                        i++;
                    }
                }
                case '{' -> {
                    if (++braces > MAX_BRACE_NESTING) {
                        throw new SandboxInvalidInputException("the glob nests {…} more than " + MAX_BRACE_NESTING + " deep; find takes at most that");
                    }
                    re.append("(?:");
                }
                case '}' -> {
                    if (braces == 0) {
                        re.append("\\}");
                    } else {
                        braces--;
                        re.append(')');
                    }
                }
                case ',' -> re.append(braces > 0 ? "|" : ",");
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (inClass || braces > 0) {
            throw new SandboxInvalidInputException("unbalanced " + (inClass ? "[" : "{") + " in glob \"" + glob + "\"");
        }
        try {
            // DOTALL: a name may hold a newline, and ** crosses it like any other character
            return new Glob(Pattern.compile(re.toString(), Pattern.DOTALL), glob.indexOf('/') < 0);
        } catch (PatternSyntaxException e) {
            throw new SandboxInvalidInputException("malformed glob \"" + glob + "\": " + e.getDescription(), e);
        }
    }

    /** @param relativePath a path relative to the directory searched, with {@code /} separators */
    public boolean matches(String relativePath) {
        String subject = nameOnly ? relativePath.substring(relativePath.lastIndexOf('/') + 1) : relativePath;
        return pattern.matcher(subject).matches();
    }
}
