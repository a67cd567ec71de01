package io.sandboxops.emulator.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * The local cloud answers only requests addressed to loopback. A web page can make a browser send requests to
 * 127.0.0.1 through a name it controls (DNS rebinding); such a request carries that name in {@code Host} (or the
 * gRPC {@code :authority}) and the page's {@code Origin}. Google's clients send neither a foreign host nor an
 * {@code Origin}, so both are refused.
 */
public final class LoopbackOnly {
    private LoopbackOnly() {
    }

    /** Why a request is refused, or empty when it may proceed. */
    public static Optional<String> refusal(String host, String origin) {
        if (host == null || host.isBlank()) {
            return Optional.of("the request names no Host; the local cloud answers requests to 127.0.0.1 or localhost only");
        }
        if (!isLoopback(hostName(host))) {
            return Optional.of("the request is addressed to \"" + printable(host) + "\", not to 127.0.0.1 or localhost: "
                    + "the local cloud refuses it (a web page may be trying to reach it through DNS rebinding)");
        }
        if (origin != null && !origin.isBlank() && !isLoopbackOrigin(origin)) {
            return Optional.of("the request comes from the web page \"" + printable(origin) + "\": the local cloud refuses "
                    + "requests from browsers");
        }
        return Optional.empty();
    }

    static String hostName(String hostPort) {
        String h = hostPort.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    private static boolean isLoopback(String name) {
        return name.equals("127.0.0.1") || name.equals("localhost") || name.equals("[::1]");
    }

    private static boolean isLoopbackOrigin(String origin) {
        String o = origin.strip().toLowerCase(Locale.ROOT);
        for (String scheme : new String[] {"http://", "https://"}) {
            if (o.startsWith(scheme)) {
                String rest = o.substring(scheme.length());
                int slash = rest.indexOf('/');
                return isLoopback(hostName(slash < 0 ? rest : rest.substring(0, slash)));
            }
        }
        return false;
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
