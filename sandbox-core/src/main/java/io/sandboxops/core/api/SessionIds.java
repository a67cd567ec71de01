package io.sandboxops.core.api;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Session (and sandbox) ids: what they may look like, and new ones. */
public final class SessionIds {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private SessionIds() {
    }

    /**
     * @return {@code id} when it is a valid id: 1–63 characters of letters, digits, {@code _ . -}, not starting
     *         with a punctuation character
     * @throws SandboxInvalidInputException otherwise
     */
    public static String requireValid(String id) {
        if (id == null || !VALID.matcher(id).matches()) {
            throw new SandboxInvalidInputException("invalid session id \"" + printable(id)
                    + "\": use 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        return id;
    }

    /** A new random id with the given prefix, e.g. {@code sbx-k3j9x0q2m1ab}. */
    public static String generate(String prefix) {
        StringBuilder sb = new StringBuilder(prefix).append('-');
        for (int i = 0; i < 12; i++) {
            sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    private static String printable(String s) {
        if (s == null) {
            return "";
        }
        String shown = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return shown.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    }
}
