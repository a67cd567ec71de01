package io.sandboxops.core.env;

import java.util.Locale;
import java.util.Objects;

/**
 * The warm-pool size one backend is opened with, and where it came from (shown by {@code sandboxctl pool status}).
 *
 * @param backend {@code docker} or {@code cloudrun}
 * @param size    0 to {@link PoolSizes#MAX}; 0: no pool
 * @param origin  which setting decided it
 * @param source  that setting in words, e.g. {@code SANDBOX_POOL_DOCKER=2}
 */
public record PoolSize(String backend, int size, Origin origin, String source) {

    /** Highest precedence first. */
    public enum Origin {
        VARIABLE, ENVIRONMENT, DEFAULT;

        /** For JSON: {@code variable}, {@code environment}, {@code default}. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public PoolSize {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(source, "source");
    }
}
