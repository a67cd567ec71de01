package io.sandboxops.emulator.logging;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxops.emulator.ApiError;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The subset of the Cloud Logging query language the product uses: comparisons ({@code = != < <= > >= :
 * =~ !~}) on field paths such as {@code resource.type}, {@code resource.labels.job_name},
 * {@code labels."run.googleapis.com/execution_name"}, {@code severity>=ERROR}, {@code timestamp>="..."},
 * {@code jsonPayload.a.b} and {@code protoPayload.methodName}; {@code AND} (also implied by a space),
 * {@code OR}, {@code NOT} / {@code -}, parentheses, and bare words searched in every field.
 * Entries are matched on their JSON form, the same form the query language is defined on.
 */
final class LogFilter {

    private static final Map<String, Integer> SEVERITY = Map.of(
            "DEFAULT", 0, "DEBUG", 100, "INFO", 200, "NOTICE", 300, "WARNING", 400,
            "ERROR", 500, "CRITICAL", 600, "ALERT", 700, "EMERGENCY", 800);

    private interface Node {
        boolean test(JsonNode entry);
    }

    private final Node root;

    private LogFilter(Node root) {
        this.root = root;
    }

    static LogFilter parse(String filter) {
        if (filter == null || filter.isBlank()) {
            return new LogFilter(e -> true);
        }
        Parser p = new Parser(tokenize(filter));
        Node n = p.or();
        if (!p.atEnd()) {
            throw ApiError.invalidArgument("filter", "unexpected '" + p.peek().text + "' in filter: " + filter);
        }
        return new LogFilter(n);
    }

    boolean test(JsonNode entry) {
        return root.test(entry);
    }

    private enum Kind { WORD, STRING, OP, LPAREN, RPAREN }

    private record Token(Kind kind, String text, List<String> path) {
    }

    private static List<Token> tokenize(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(') {
                out.add(new Token(Kind.LPAREN, "(", null));
                i++;
            } else if (c == ')') {
                out.add(new Token(Kind.RPAREN, ")", null));
                i++;
            } else if (c == '"') {
                int[] end = new int[1];
                String v = quoted(s, i, end);
                out.add(new Token(Kind.STRING, v, List.of(v)));
                i = end[0];
            } else if ("=!<>:~".indexOf(c) >= 0) {
                String two = i + 1 < s.length() ? s.substring(i, i + 2) : "";
                String op = List.of("!=", "<=", ">=", "=~", "!~").contains(two) ? two : String.valueOf(c);
                out.add(new Token(Kind.OP, op, null));
                i += op.length();
            } else {
                // A word; a path may quote segments: labels."run.googleapis.com/execution_name"
                List<String> path = new ArrayList<>();
                StringBuilder seg = new StringBuilder();
                StringBuilder raw = new StringBuilder();
                while (i < s.length()) {
                    char d = s.charAt(i);
                    if (d == '"' && (seg.length() == 0 && raw.length() > 0)) {
                        int[] end = new int[1];
                        String q = quoted(s, i, end);
                        seg.append(q);
                        raw.append('"').append(q).append('"');
                        i = end[0];
                    } else if (Character.isWhitespace(d) || "()=!<>:~\"".indexOf(d) >= 0) {
                        break;
                    } else if (d == '.') {
                        path.add(seg.toString());
                        seg.setLength(0);
                        raw.append(d);
                        i++;
                    } else {
                        seg.append(d);
                        raw.append(d);
                        i++;
                    }
                }
                path.add(seg.toString());
                out.add(new Token(Kind.WORD, raw.toString(), path));
            }
        }
        return out;
    }

    private static String quoted(String s, int start, int[] end) {
        StringBuilder sb = new StringBuilder();
        int i = start + 1;
        while (i < s.length() && s.charAt(i) != '"') {
            if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                i++;
            }
            sb.append(s.charAt(i));
            i++;
        }
        if (i >= s.length()) {
            throw ApiError.invalidArgument("filter", "unterminated string in filter: " + s);
        }
        end[0] = i + 1;
        return sb.toString();
    }

    private static final class Parser {
        private final List<Token> tokens;
        private int pos;

        Parser(List<Token> tokens) {
            this.tokens = tokens;
        }

        boolean atEnd() {
            return pos >= tokens.size();
        }

        Token peek() {
            return tokens.get(pos);
        }

        private boolean keyword(String k) {
            return !atEnd() && peek().kind == Kind.WORD && peek().text.equals(k);
        }

        Node or() {
            Node left = and();
            while (keyword("OR")) {
                pos++;
                Node l = left;
                Node r = and();
                left = e -> l.test(e) || r.test(e);
            }
            return left;
        }

        Node and() {
            Node left = unary();
            while (!atEnd() && peek().kind != Kind.RPAREN && !keyword("OR")) {
                if (keyword("AND")) {
                    pos++;
                }
                Node l = left;
                Node r = unary();
                left = e -> l.test(e) && r.test(e);
            }
            return left;
        }

        Node unary() {
            if (atEnd()) {
                throw ApiError.invalidArgument("filter", "filter ends too early");
            }
            if (keyword("NOT")) {
                pos++;
                Node n = unary();
                return e -> !n.test(e);
            }
            Token t = peek();
            if (t.kind == Kind.WORD && t.text.startsWith("-") && t.text.length() > 1) {
                // "-field=value" negates, like NOT.
                tokens.set(pos, new Token(Kind.WORD, t.text.substring(1), withFirst(t.path, t.path.get(0).substring(1))));
                Node n = unary();
                return e -> !n.test(e);
            }
            if (t.kind == Kind.LPAREN) {
                pos++;
                Node n = or();
                expect(Kind.RPAREN);
                return n;
            }
            pos++;
            if (!atEnd() && peek().kind == Kind.OP && (t.kind == Kind.WORD)) {
                String op = tokens.get(pos++).text;
                if (atEnd() || peek().kind != Kind.WORD && peek().kind != Kind.STRING) {
                    throw ApiError.invalidArgument("filter", "missing value after " + t.text + op);
                }
                String value = tokens.get(pos++).text;
                return comparison(t.path, op, value);
            }
            String needle = t.text.toLowerCase(Locale.ROOT);
            return e -> e.toString().toLowerCase(Locale.ROOT).contains(needle);
        }

        private void expect(Kind kind) {
            if (atEnd() || peek().kind != kind) {
                throw ApiError.invalidArgument("filter", "expected " + kind + " in filter");
            }
            pos++;
        }

        private static List<String> withFirst(List<String> path, String first) {
            List<String> p = new ArrayList<>(path);
            p.set(0, first);
            return p;
        }
    }

    private static Node comparison(List<String> path, String op, String value) {
        boolean severity = path.size() == 1 && path.get(0).equals("severity");
        boolean timestamp = path.size() == 1 && (path.get(0).equals("timestamp") || path.get(0).equals("receiveTimestamp"));
        Pattern regex = op.endsWith("~") ? Pattern.compile(value) : null;
        if (severity && !SEVERITY.containsKey(value.toUpperCase(Locale.ROOT)) && regex == null && !op.equals(":")) {
            throw ApiError.invalidArgument("filter", "unknown severity " + value);
        }
        Instant when = timestamp && regex == null && !op.equals(":") ? instant(value) : null;
        return entry -> {
            JsonNode field = resolve(entry, path);
            if (field == null) {
                if (severity) {
                    field = com.fasterxml.jackson.databind.node.TextNode.valueOf("DEFAULT");
                } else {
                    return false;
                }
            }
            if (field.isContainerNode()) {
                return op.equals(":") && field.toString().contains(value);
            }
            String actual = field.asText();
            int cmp;
            if (severity) {
                cmp = Integer.compare(SEVERITY.getOrDefault(actual, 0), SEVERITY.get(value.toUpperCase(Locale.ROOT)));
            } else if (when != null) {
                cmp = instant(actual).compareTo(when);
            } else if (field.isNumber() && isNumber(value)) {
                cmp = Double.compare(field.asDouble(), Double.parseDouble(value));
            } else {
                cmp = actual.compareTo(value);
            }
            return switch (op) {
                case "=" -> cmp == 0;
                case "!=" -> cmp != 0;
                case "<" -> cmp < 0;
                case "<=" -> cmp <= 0;
                case ">" -> cmp > 0;
                case ">=" -> cmp >= 0;
                case ":" -> actual.toLowerCase(Locale.ROOT).contains(value.toLowerCase(Locale.ROOT));
                case "=~" -> regex.matcher(actual).find();
                case "!~" -> !regex.matcher(actual).find();
                default -> throw ApiError.invalidArgument("filter", "unsupported operator " + op);
            };
        };
    }

    private static JsonNode resolve(JsonNode entry, List<String> path) {
        JsonNode n = entry;
        for (String seg : path) {
            if (n == null || !n.isObject()) {
                return null;
            }
            n = n.get(seg);
        }
        return n == null || n.isNull() ? null : n;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static Instant instant(String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException e2) {
                throw ApiError.invalidArgument("filter", "invalid timestamp " + value);
            }
        }
    }
}
