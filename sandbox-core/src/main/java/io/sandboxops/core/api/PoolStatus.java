package io.sandboxops.core.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A backend's warm pool as it stands: sandboxes (Docker containers, Cloud Run idle workers) made ahead of time so a
 * new session claims one instead of waiting for a start. Shown by {@code sandboxctl pool status} and the console.
 *
 * @param backend     {@code docker} or {@code cloudrun}
 * @param target      the pool size asked for (0: no pool)
 * @param idle        members ready to be claimed now
 * @param starting    members being made, not yet claimable
 * @param usdPerHour  what the idle and starting members cost per hour at list price (0 for Docker: the engine is yours)
 * @param priceSource where {@code usdPerHour} comes from, shown beside it
 * @param members     each member, oldest first
 */
public record PoolStatus(String backend, int target, int idle, int starting, double usdPerHour, String priceSource,
                         List<Member> members) {

    public PoolStatus {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(priceSource, "priceSource");
        members = List.copyOf(members);
        if (target < 0 || idle < 0 || starting < 0) {
            throw new IllegalArgumentException("pool counts cannot be negative");
        }
    }

    /** A backend with no pool configured. */
    public static PoolStatus none(String backend) {
        return new PoolStatus(backend, 0, 0, 0, 0, "no pool", List.of());
    }

    /**
     * One pooled sandbox.
     *
     * @param id    the container or execution
     * @param state {@code starting}, {@code idle} or {@code claimed}
     * @param since when it entered that state
     */
    public record Member(String id, String state, Instant since) {
    }
}
