package io.sandboxops.emulator.auth;

import java.util.Objects;

/**
 * An access boundary rule's {@code availabilityCondition}: the subset of CEL that Google's Credential Access Boundary
 * examples use, parsed once at token exchange and evaluated per request.
 *
 * <pre>
 * expr    := and ('||' and)*
 * and     := unary ('&amp;&amp;' unary)*
 * unary   := '!' unary | '(' expr ')' | atom
 * atom    := resource.name.startsWith(STRING) | resource.name.endsWith(STRING) | resource.name == STRING
 *          | resource.name != STRING | resource.type == STRING | resource.type != STRING
 *          | api.getAttribute('storage.googleapis.com/objectListPrefix', STRING).startsWith(STRING)
 * </pre>
 *
 * Anything else is refused when the token is made, naming the part that is not understood: a condition the emulator
 * cannot evaluate must never end up allowing a request.
 */
public final class AccessCondition {
    /** The list-prefix attribute, the one request attribute Cloud Storage exposes to boundary conditions. */
    public static final String OBJECT_LIST_PREFIX = "storage.googleapis.com/objectListPrefix";

    private final String expression;
    private final Node root;

    private AccessCondition(String expression, Node root) {
        this.expression = expression;
        this.root = root;
    }

    /**
     * Parses {@code expression}.
     *
     * @throws Unsupported naming the part outside the subset
     */
    public static AccessCondition parse(String expression) {
        Objects.requireNonNull(expression, "expression");
        Parser p = new Parser(expression);
        Node n = p.or();
        p.skipSpace();
        if (!p.atEnd()) {
            throw p.unsupported();
        }
        return new AccessCondition(expression, n);
    }

    public String expression() {
        return expression;
    }

    /** Whether the condition holds for a request on {@code resource}. */
    public boolean holds(Resource resource) {
        return root.eval(resource);
    }

    /**
     * What a condition can see of a request.
     *
     * @param name       {@code projects/_/buckets/B} or {@code projects/_/buckets/B/objects/NAME}
     * @param type       {@code storage.googleapis.com/Bucket} or {@code storage.googleapis.com/Object}
     * @param listPrefix the prefix of an objects.list request ({@code ""} when it lists everything); {@code null}
     *                   for any other request, where the attribute is absent and {@code getAttribute} yields its default
     */
    public record Resource(String name, String type, String listPrefix) {
    }

    /** An expression outside the supported subset. */
    public static final class Unsupported extends RuntimeException {
        Unsupported(String message) {
            super(message);
        }
    }

    private interface Node {
        boolean eval(Resource r);
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        Node or() {
            Node left = and();
            while (accept("||")) {
                Node l = left;
                Node r = and();
                left = x -> l.eval(x) || r.eval(x);
            }
            return left;
        }

        Node and() {
            Node left = unary();
            while (accept("&&")) {
                Node l = left;
                Node r = unary();
                left = x -> l.eval(x) && r.eval(x);
            }
            return left;
        }

        Node unary() {
            if (accept("!")) {
                Node n = unary();
                return x -> !n.eval(x);
            }
            if (accept("(")) {
                Node n = or();
                expect(")");
                return n;
            }
            return atom();
        }

        Node atom() {
            if (accept("resource.name")) {
                if (accept(".startsWith")) {
                    String v = argument();
                    return x -> x.name().startsWith(v);
                }
                if (accept(".endsWith")) {
                    String v = argument();
                    return x -> x.name().endsWith(v);
                }
                return comparison(Resource::name);
            }
            if (accept("resource.type")) {
                return comparison(Resource::type);
            }
            if (accept("api.getAttribute")) {
                expect("(");
                String attribute = string();
                if (!attribute.equals(OBJECT_LIST_PREFIX)) {
                    throw new Unsupported("the attribute '" + attribute + "' is not supported: Cloud Storage boundary "
                            + "conditions can read only '" + OBJECT_LIST_PREFIX + "'");
                }
                expect(",");
                String fallback = string();
                expect(")");
                expect(".startsWith");
                String v = argument();
                return x -> (x.listPrefix() == null ? fallback : x.listPrefix()).startsWith(v);
            }
            throw unsupported();
        }

        private Node comparison(java.util.function.Function<Resource, String> field) {
            if (accept("==")) {
                String v = string();
                return x -> field.apply(x).equals(v);
            }
            if (accept("!=")) {
                String v = string();
                return x -> !field.apply(x).equals(v);
            }
            throw unsupported();
        }

        private String argument() {
            expect("(");
            String v = string();
            expect(")");
            return v;
        }

        private String string() {
            skipSpace();
            if (atEnd() || s.charAt(i) != '\'' && s.charAt(i) != '"') {
                throw unsupported();
            }
            int start = i;
            char quote = s.charAt(i++);
            StringBuilder out = new StringBuilder();
            while (i < s.length() && s.charAt(i) != quote) {
                char c = s.charAt(i++);
                if (c == '\\') {
                    if (i >= s.length()) {
                        break;
                    }
                    char e = s.charAt(i++);
                    switch (e) {
                        case '\\', '\'', '"' -> out.append(e);
                        default -> throw new Unsupported("the escape \\" + e + " at position " + (i - 1) + " of the condition "
                                + "is not supported; use plain characters, \\\\, \\' or \\\"");
                    }
                } else {
                    out.append(c);
                }
            }
            if (i >= s.length()) {
                throw new Unsupported("the string starting at position " + start + " of the condition is not closed");
            }
            i++;
            return out.toString();
        }

        private void expect(String token) {
            if (!accept(token)) {
                throw unsupported();
            }
        }

        private boolean accept(String token) {
            skipSpace();
            if (s.startsWith(token, i)) {
                i += token.length();
                return true;
            }
            return false;
        }

        void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        boolean atEnd() {
            return i >= s.length();
        }

        Unsupported unsupported() {
            skipSpace();
            String rest = atEnd() ? "the end of the condition" : "\"" + cut(s.substring(i)) + "\" (position " + i + ")";
            return new Unsupported("the condition is outside the CEL subset the local cloud evaluates, at " + rest
                    + ": supported are resource.name.startsWith/endsWith('…'), resource.name or resource.type == / != '…', "
                    + "api.getAttribute('" + OBJECT_LIST_PREFIX + "', '').startsWith('…'), combined with &&, ||, ! "
                    + "and parentheses");
        }

        private static String cut(String rest) {
            String c = rest.length() > 40 ? rest.substring(0, 40) + "…" : rest;
            return c.replaceAll("\\p{Cntrl}", "?");
        }
    }
}
