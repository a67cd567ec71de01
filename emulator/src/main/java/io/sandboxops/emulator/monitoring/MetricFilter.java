package io.sandboxops.emulator.monitoring;

import io.sandboxops.emulator.ApiError;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Cloud Monitoring filter subset the product writes: terms joined by {@code AND}, each
 * {@code key = value}, {@code key != value}, or {@code key = starts_with("..")} / {@code ends_with} /
 * {@code has_substring} / {@code one_of("a","b")} / {@code monitoring.regex.full_match("..")}, on
 * {@code metric.type}, {@code resource.type}, {@code metric.label(s).X} and {@code resource.label(s).X}.
 * A filter must name exactly one {@code metric.type}, as the real API requires.
 */
final class MetricFilter {

    private static final Pattern TERM = Pattern.compile(
            "\\s*(NOT\\s+)?([a-zA-Z_.]+(?:\\.\"[^\"]+\")?)\\s*(=|!=)\\s*(?:([a-z_.]+)\\(([^)]*)\\)|\"((?:[^\"\\\\]|\\\\.)*)\"|([^\\s\"()]+))\\s*");
    private static final Pattern ARG = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final String metricType;
    private final Predicate<Series> predicate;

    private MetricFilter(String metricType, Predicate<Series> predicate) {
        this.metricType = metricType;
        this.predicate = predicate;
    }

    String metricType() {
        return metricType;
    }

    boolean test(Series s) {
        return predicate.test(s);
    }

    static MetricFilter parse(String filter) {
        if (filter == null || filter.isBlank()) {
            throw ApiError.invalidArgument("filter", "a filter naming metric.type is required");
        }
        List<String> terms = splitAnd(filter);
        Predicate<Series> all = s -> true;
        String type = null;
        for (String term : terms) {
            Matcher m = TERM.matcher(term);
            if (!m.matches()) {
                throw ApiError.invalidArgument("filter", "cannot parse '" + term.trim() + "' in filter: " + filter);
            }
            boolean not = m.group(1) != null;
            String key = m.group(2);
            boolean equals = m.group(3).equals("=");
            Predicate<String> valueTest;
            if (m.group(4) != null) {
                List<String> args = new ArrayList<>();
                Matcher a = ARG.matcher(m.group(5));
                while (a.find()) {
                    args.add(unescape(a.group(1)));
                }
                if (args.isEmpty()) {
                    throw ApiError.invalidArgument("filter", m.group(4) + " needs a quoted argument");
                }
                String arg = args.get(0);
                valueTest = switch (m.group(4)) {
                    case "starts_with" -> v -> v.startsWith(arg);
                    case "ends_with" -> v -> v.endsWith(arg);
                    case "has_substring" -> v -> v.contains(arg);
                    case "one_of" -> args::contains;
                    case "monitoring.regex.full_match" -> {
                        Pattern p = Pattern.compile(arg);
                        yield v -> p.matcher(v).matches();
                    }
                    default -> throw ApiError.invalidArgument("filter", "unsupported function " + m.group(4));
                };
            } else {
                String literal = m.group(6) != null ? unescape(m.group(6)) : m.group(7);
                valueTest = literal::equals;
                if (key.equals("metric.type") && equals && !not) {
                    if (type != null && !type.equals(literal)) {
                        throw ApiError.invalidArgument("filter", "a filter may name only one metric.type");
                    }
                    type = literal;
                }
            }
            if (!key.equals("metric.type") && !key.equals("resource.type")
                    && !key.matches("(metric|resource)\\.labels?\\..+")) {
                throw ApiError.invalidArgument("filter", "unsupported key " + key);
            }
            Predicate<String> vt = valueTest;
            Predicate<Series> p = s -> {
                String v = s.field(key);
                boolean match = v != null && vt.test(v);
                return equals ? match : !match;
            };
            Predicate<Series> term1 = not ? p.negate() : p;
            all = all.and(term1);
        }
        if (type == null) {
            throw ApiError.invalidArgument("filter", "the filter must name one metric.type, e.g. metric.type=\"custom.googleapis.com/x\"");
        }
        return new MetricFilter(type, all);
    }

    private static List<String> splitAnd(String filter) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        String[] tokens = filter.split("((?<=\\s)|(?=\\s))");
        for (int i = 0; i < tokens.length; i++) {
            String t = tokens[i];
            quoted ^= (t.chars().filter(c -> c == '"').count() % 2) == 1;
            if (!quoted && t.equals("AND")) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(t);
            }
        }
        out.add(cur.toString());
        return out;
    }

    private static String unescape(String s) {
        return s.replace("\\\"", "\"").replace("\\\\", "\\");
    }
}
