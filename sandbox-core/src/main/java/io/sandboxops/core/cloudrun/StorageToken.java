package io.sandboxops.core.cloudrun;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A worker's Cloud Storage access token: downscoped by the control plane to its sandbox's {@code sessions/{id}/}
 * prefix ({@link SessionCredentials}). A secret: {@link #toString()} never shows it.
 *
 * @param value     the bearer token
 * @param expiresAt when it stops working; null when its issuer did not say
 */
public record StorageToken(String value, Instant expiresAt) {
    /**
     * The environment variables through which an execution gets its first token (RunJob overrides): credentials the
     * control plane sets per execution, not settings anyone configures, hence not {@code SANDBOX_}.
     */
    public static final String ENV_TOKEN = "SANDBOXOPS_STORAGE_TOKEN";
    public static final String ENV_EXPIRES = "SANDBOXOPS_STORAGE_TOKEN_EXPIRES";

    public StorageToken {
        Objects.requireNonNull(value, "value");
    }

    /** Whether it stops working within {@code margin} from {@code now}; a token without an expiry never does. */
    public boolean expiresWithin(Duration margin, Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now.plus(margin));
    }

    /** Whether this token lasts longer than {@code other}. */
    public boolean outlives(StorageToken other) {
        if (other == null) {
            return true;
        }
        if (value.equals(other.value)) {
            return false;
        }
        return expiresAt == null || other.expiresAt == null || expiresAt.isAfter(other.expiresAt);
    }

    @Override
    public String toString() {
        return "StorageToken[***, expires " + expiresAt + "]";
    }
}
