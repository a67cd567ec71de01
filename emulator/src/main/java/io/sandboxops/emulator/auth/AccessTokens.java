package io.sandboxops.emulator.auth;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may call the local cloud. Every API — Cloud Run Admin, Operations, Monitoring, Logging over gRPC, and Cloud
 * Storage over HTTP — takes a bearer token, as Google's do: the emulator's per-run token, made when it starts and
 * known only to whoever started it (printed, and recorded owner-only for {@code --env local}). Anything else on the
 * machine — another user, a sandbox, a web page — gets 401 / UNAUTHENTICATED.
 */
public final class AccessTokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String rootToken;

    private AccessTokens(String rootToken) {
        if (rootToken == null || rootToken.length() < 16) {
            throw new IllegalArgumentException("the local cloud's access token must hold at least 16 characters");
        }
        this.rootToken = rootToken;
    }

    /** A fresh token of 32 random bytes. */
    public static AccessTokens generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return new AccessTokens("lc-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    /** A token given by whoever starts the emulator (tests, a fixed token for a shared setup). */
    public static AccessTokens of(String rootToken) {
        return new AccessTokens(Objects.requireNonNull(rootToken, "rootToken"));
    }

    /** The per-run token: full access, the control plane's credential. */
    public String rootToken() {
        return rootToken;
    }

    /**
     * The caller an {@code Authorization} header names.
     *
     * @throws Unauthenticated when the header is missing, is not a bearer token, or names no token of this run
     */
    public Caller authenticate(String authorization) {
        Optional<String> token = bearer(authorization);
        if (token.isEmpty()) {
            throw new Unauthenticated("the local cloud needs its per-run access token (Authorization: Bearer …); "
                    + "it is printed by `sandboxctl emulator start` and recorded for --env local");
        }
        if (MessageDigest.isEqual(token.get().getBytes(StandardCharsets.UTF_8), rootToken.getBytes(StandardCharsets.UTF_8))) {
            return Caller.ROOT;
        }
        throw new Unauthenticated("the access token is not valid for this run of the local cloud (it changes each time the "
                + "emulator starts); use the token it printed, or --env local");
    }

    private static Optional<String> bearer(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        String a = authorization.strip();
        if (a.length() <= 7 || !a.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return Optional.of(a.substring(7).strip());
    }

    /** Who a request comes from. */
    public enum Caller {
        /** the holder of the per-run token */
        ROOT
    }

    /** A request without valid credentials: 401 on HTTP, UNAUTHENTICATED on gRPC. */
    public static final class Unauthenticated extends RuntimeException {
        public Unauthenticated(String message) {
            super(message);
        }
    }
}
