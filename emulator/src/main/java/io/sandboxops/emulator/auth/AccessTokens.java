package io.sandboxops.emulator.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may call the local cloud. Every API — Cloud Run Admin, Operations, Monitoring, Logging over gRPC, and Cloud
 * Storage over HTTP — takes a bearer token, as Google's do: the emulator's per-run token, made when it starts and
 * known only to whoever started it (printed, and recorded owner-only for {@code --env local}). Anything else on the
 * machine — another user, a sandbox, a web page — gets 401 / UNAUTHENTICATED.
 *
 * <p>As Google's STS does for Credential Access Boundaries, {@link #exchange} turns a token into a downscoped one:
 * its rights are the subject's intersected with the boundary (a downscoped token exchanged again keeps every
 * boundary of its chain, so it can narrow but never widen), and it expires with its subject. The per-run token
 * itself does not expire; a token made from it lives {@link #DEFAULT_DOWNSCOPED_LIFETIME} (like a Google access
 * token, counted from each exchange) unless the emulator is given another lifetime.
 */
public final class AccessTokens {
    /** How long a token downscoped from the per-run token lives, as a Google access token: one hour. */
    public static final Duration DEFAULT_DOWNSCOPED_LIFETIME = Duration.ofHours(1);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String rootToken;
    private final Duration downscopedLifetime;
    private final Clock clock;
    private final Map<String, Caller> downscoped = new ConcurrentHashMap<>();

    private AccessTokens(String rootToken, Duration downscopedLifetime, Clock clock) {
        if (rootToken == null || rootToken.length() < 16) {
            throw new IllegalArgumentException("the local cloud's access token must hold at least 16 characters");
        }
        if (downscopedLifetime.isNegative() || downscopedLifetime.isZero()) {
            throw new IllegalArgumentException("a downscoped token's lifetime must be positive, not " + downscopedLifetime);
        }
        this.rootToken = rootToken;
        this.downscopedLifetime = downscopedLifetime;
        this.clock = clock;
    }

    /** A fresh token of 32 random bytes. */
    public static AccessTokens generate() {
        return new AccessTokens("lc-" + random(), DEFAULT_DOWNSCOPED_LIFETIME, Clock.systemUTC());
    }

    /** A token given by whoever starts the emulator (tests, a fixed token for a shared setup). */
    public static AccessTokens of(String rootToken) {
        return of(rootToken, DEFAULT_DOWNSCOPED_LIFETIME);
    }

    /** A given token, whose downscoped tokens live {@code downscopedLifetime} (tests of expiry use seconds). */
    public static AccessTokens of(String rootToken, Duration downscopedLifetime) {
        return new AccessTokens(Objects.requireNonNull(rootToken, "rootToken"), downscopedLifetime, Clock.systemUTC());
    }

    /** The per-run token: full access, the control plane's credential. */
    public String rootToken() {
        return rootToken;
    }

    /**
     * The caller an {@code Authorization} header names.
     *
     * @throws Unauthenticated when the header is missing, is not a bearer token, names no token of this run, or names
     *                         a downscoped token that has expired
     */
    public Caller authenticate(String authorization) {
        Optional<String> token = bearer(authorization);
        if (token.isEmpty()) {
            throw new Unauthenticated("the local cloud needs its per-run access token (Authorization: Bearer …); "
                    + "it is printed by `sandboxctl emulator start` and recorded for --env local");
        }
        return caller(token.get()).orElseThrow(() -> new Unauthenticated("the access token is not valid for this run of the "
                + "local cloud (it changes each time the emulator starts); use the token it printed, or --env local"));
    }

    /**
     * Google's STS token exchange: a token whose rights are {@code subjectToken}'s within {@code boundary}.
     *
     * @throws InvalidGrant when the subject token is unknown or expired
     */
    public Exchanged exchange(String subjectToken, AccessBoundary boundary) {
        Caller subject;
        try {
            subject = caller(subjectToken).orElseThrow(() -> new InvalidGrant("the subject_token is not a valid access "
                    + "token of this run of the local cloud"));
        } catch (Unauthenticated e) {
            throw new InvalidGrant("the subject_token is not valid: " + e.getMessage());
        }
        Instant now = clock.instant();
        downscoped.values().removeIf(c -> !c.expiresAt().isAfter(now));
        Instant expiry = subject.root() ? now.plus(downscopedLifetime) : subject.expiresAt();
        List<AccessBoundary> chain = new ArrayList<>(subject.boundaries());
        chain.add(boundary);
        String token = "lcd-" + random();
        downscoped.put(token, new Caller(List.copyOf(chain), expiry));
        return new Exchanged(token, Duration.between(now, expiry));
    }

    private Optional<Caller> caller(String token) {
        if (MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), rootToken.getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(Caller.ROOT);
        }
        Caller c = downscoped.get(token);
        if (c == null) {
            return Optional.empty();
        }
        if (!c.expiresAt().isAfter(clock.instant())) {
            // Kept until the next exchange prunes it, so its holder hears "expired" rather than "not valid".
            throw new Unauthenticated("the downscoped access token expired at " + c.expiresAt() + "; exchange a fresh one "
                    + "(DownscopedCredentials does so by itself before expiry)");
        }
        return Optional.of(c);
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
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

    /**
     * Who a request comes from: the holder of the per-run token (no boundaries), or of a downscoped token, whose
     * rights are what every boundary of its chain allows. Compared by identity: each token is its own caller.
     *
     * @param boundaries the boundaries from the first exchange to the last; empty for the per-run token
     * @param expiresAt  when a downscoped token stops working; {@link Instant#MAX} for the per-run token
     */
    public record Caller(List<AccessBoundary> boundaries, Instant expiresAt) {
        static final Caller ROOT = new Caller(List.of(), Instant.MAX);

        /** The per-run token: every API, every resource. */
        public boolean root() {
            return boundaries.isEmpty();
        }

        /** Whether every boundary lets {@code permission} on {@code resource} in {@code bucket} through. */
        public boolean allows(String permission, String bucket, AccessCondition.Resource resource) {
            for (AccessBoundary b : boundaries) {
                if (!b.allows(permission, bucket, resource)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    /** A downscoped token and how long it lives. */
    public record Exchanged(String accessToken, Duration expiresIn) {
        @Override
        public String toString() {
            return "Exchanged[***, " + expiresIn + "]";
        }
    }

    /** A request without valid credentials: 401 on HTTP, UNAUTHENTICATED on gRPC. */
    public static final class Unauthenticated extends RuntimeException {
        public Unauthenticated(String message) {
            super(message);
        }
    }

    /** A token exchange whose subject token is not valid: Google's STS answers 400 {@code invalid_grant}. */
    public static final class InvalidGrant extends RuntimeException {
        InvalidGrant(String message) {
            super(message);
        }
    }
}
