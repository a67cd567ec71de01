package io.sandboxops.core.env;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks values that look secret before anything shows or logs them: env values whose names say so
 * ({@code API_KEY}, {@code DB_PASSWORD}, {@code GITHUB_TOKEN}…), values that look like credentials whatever their
 * name (private keys, bearer tokens, Google API keys, AWS access keys), the password of a URL
 * ({@code postgres://admin:PASSWORD@db}), and the value of a password option ({@code --password X},
 * {@code --password=X}, mysql's {@code -pX}, {@code sshpass -p X}, {@code curl -u user:X}). Every mask in the product
 * is this class's, so a form added here is masked everywhere.
 *
 * <p>What is left alone on purpose: {@code -p} outside the mysql family (a port for docker and ssh, "parents" for
 * mkdir, a predicate's start for find) and mysql's {@code -p} followed by a space (mysql then prompts, and the next
 * word is the database); masking those would hide ordinary commands an operator needs to read.
 */
public final class Secrets {
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(secret|passw|pwd|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth|cookie|session[_-]?key|signature|salt|dsn).*");
    private static final Pattern ASSIGNMENT = Pattern.compile("\\b([A-Za-z_][A-Za-z0-9_]*)=('[^']*'|\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s;&|]+)");
    private static final Pattern CREDENTIAL = Pattern.compile(
            "-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)|\\bAIza[0-9A-Za-z_-]{30,}|\\bAKIA[0-9A-Z]{16}\\b"
                    + "|\\bya29\\.[0-9A-Za-z_-]{20,}|\\bgh[pousr]_[0-9A-Za-z]{30,}|\\bxox[abpr]-[0-9A-Za-z-]{10,}|(?i:bearer)\\s+[0-9A-Za-z._~+/=-]{16,}");
    /** A quoted or bare shell word, the value an option takes. */
    private static final String WORD = "('[^']*'|\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s;&|'\"]+)";
    /** {@code scheme://user:PASSWORD@host}: the user info of RFC 3986 holds no '/', '?' or '#' unencoded. */
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://[^\\s:/@'\"]*):([^\\s@/?#'\"]+)@");
    /** {@code --password X}, {@code --db-password=X}, {@code -storepass X}, {@code --access-token X}; not {@code --no-password}. */
    private static final Pattern PASSWORD_OPTION = Pattern.compile(
            "(?i)(?<![\\w-])(--?(?!-|no-)[a-z0-9_-]*(?:pass(?:word|wd|phrase)?|secret|token|api[_-]?key))(=|\\s+)(?!-)" + WORD);
    /** One command of the mysql family, up to the next command separator. */
    private static final Pattern MYSQL_COMMAND = Pattern.compile(
            "\\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlshow|mysqlcheck|mysqlpump|mysqlsh|mariadb(?:-dump|-admin|-import|-show|-check)?)\\b[^;&|\\n]*");
    /** mysql's password attached to its option: {@code -pSECRET} (with a space, -p prompts and the next word is the database). */
    private static final Pattern MYSQL_ATTACHED_PASSWORD = Pattern.compile("(?<=\\s)-p('[^']*'|\"[^\"]*\"|[^\\s'\"]\\S*)");
    private static final Pattern SSHPASS = Pattern.compile("(\\bsshpass\\b[^;&|\\n]*?\\s-p\\s*)" + WORD);
    private static final Pattern CURL_USER = Pattern.compile("(\\bcurl\\b[^;&|\\n]*?\\s(?:-u|--user)(?:\\s+|=)[^\\s:;&|'\"]+):" + WORD);

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

    /**
     * The value as it may be shown: masked when its name or its shape says it is secret; else with the secrets in it
     * masked (a URL's password: {@code DATABASE_URL=postgres://admin:••••••@db/app}).
     */
    public static String mask(String name, String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        return isSecretName(name) || looksSecret(value) ? MASK : maskCommand(value);
    }

    /**
     * A command line as it may be shown: values assigned to secret-named variables ({@code API_TOKEN=...},
     * {@code export DB_PASSWORD="..."}), URL passwords, password options and credential-shaped words are masked;
     * the rest is kept.
     */
    public static String maskCommand(String command) {
        if (command == null || command.isEmpty()) {
            return command;
        }
        String out = replace(ASSIGNMENT, command, m -> isSecretName(m.group(1)) ? m.group(1) + "=" + MASK : m.group());
        out = replace(URL_PASSWORD, out, m -> m.group(1) + ":" + MASK + "@");
        out = replace(PASSWORD_OPTION, out, m -> m.group(1) + m.group(2) + MASK);
        out = replace(MYSQL_COMMAND, out, m -> MYSQL_ATTACHED_PASSWORD.matcher(m.group()).replaceAll(Matcher.quoteReplacement("-p" + MASK)));
        out = replace(SSHPASS, out, m -> m.group(1) + MASK);
        out = replace(CURL_USER, out, m -> m.group(1) + ":" + MASK);
        return CREDENTIAL.matcher(out).replaceAll(MASK);
    }

    /** A command as a listing shows it whole: secrets masked, escape sequences and other control characters inert. */
    public static String showCommand(String command) {
        return command == null ? null : ControlCharacters.escape(maskCommand(command));
    }

    /**
     * A command as a message or a log line may name it: secrets masked, one line, inert, at most 60 characters. The
     * Docker and the Cloud Run paths both name a running command this way.
     */
    public static String abbreviateCommand(String command) {
        String oneLine = ControlCharacters.escape(maskCommand(command).replace('\n', ' '));
        return oneLine.length() > 60 ? oneLine.substring(0, 57) + "..." : oneLine;
    }

    /** A copy of an environment with its secret values masked. */
    public static Map<String, String> mask(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        env.forEach((k, v) -> out.put(k, mask(k, v)));
        return out;
    }

    private static String replace(Pattern pattern, String text, Function<Matcher, String> replacement) {
        Matcher m = pattern.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replacement.apply(m)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
