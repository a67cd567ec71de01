package io.sandboxops.core.env;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Masks values that look secret before anything shows or logs them: env values whose names say so
 * ({@code API_KEY}, {@code DB_PASSWORD}, {@code GITHUB_TOKEN}…), and values that look like credentials
 * whatever their name (private keys, bearer tokens, Google API keys, AWS access keys).
 */
public final class Secrets {
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(secret|passw|pwd|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth|cookie|session[_-]?key|signature|salt|dsn).*");
    private static final Pattern ASSIGNMENT = Pattern.compile("\\b([A-Za-z_][A-Za-z0-9_]*)=('[^']*'|\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s;&|]+)");
    private static final Pattern CREDENTIAL = Pattern.compile(
            "-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)|\\bAIza[0-9A-Za-z_-]{30,}|\\bAKIA[0-9A-Z]{16}\\b"
                    + "|\\bya29\\.[0-9A-Za-z_-]{20,}|\\bgh[pousr]_[0-9A-Za-z]{30,}|\\bxox[abpr]-[0-9A-Za-z-]{10,}|(?i:bearer)\\s+[0-9A-Za-z._~+/=-]{16,}");

    public static final String MASK = "••••••";

    private Secrets() {
    }

    /** Whether a variable of this name holds a secret. */
    public static boolean isSecretName(String name) {
        return SECRET_NAME.matcher(name).matches();
    }

    /** Whether a value looks like a credential whatever its name. */
    public static boolean looksSecret(String value) {
        return value != null && value.length() >= 16 && CREDENTIAL.matcher(value).find();
    }

    /** The value as it may be shown: masked when its name or its shape says it is secret. */
    public static String mask(String name, String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        return isSecretName(name) || looksSecret(value) ? MASK : value;
    }

    /**
     * A command line as it may be shown: values assigned to secret-named variables ({@code API_TOKEN=...},
     * {@code export DB_PASSWORD="..."}) and credential-shaped words are masked; the rest is kept.
     */
    public static String maskCommand(String command) {
        if (command == null || command.isEmpty()) {
            return command;
        }
        StringBuilder out = new StringBuilder();
        var m = ASSIGNMENT.matcher(command);
        while (m.find()) {
            String replacement = isSecretName(m.group(1)) ? m.group(1) + "=" + MASK : m.group();
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return CREDENTIAL.matcher(out).replaceAll(MASK);
    }

    /** A copy of an environment with its secret values masked. */
    public static Map<String, String> mask(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        env.forEach((k, v) -> out.put(k, mask(k, v)));
        return out;
    }
}
