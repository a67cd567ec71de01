package io.sandboxops.core.api;

import java.time.Duration;
import java.util.List;

/**
 * Creates, finds and sweeps sandboxes of one kind (Docker containers, Cloud Run Jobs sessions).
 */
public interface SandboxBackend extends AutoCloseable {

    /** @return {@code docker} or {@code cloudrun} */
    String name();

    /** @return how this backend runs the sandboxes it creates (see {@link Sandbox#mode()}) */
    default String mode() {
        return name();
    }

    /**
     * Creates a sandbox and waits until it is ready.
     *
     * @throws SandboxConflictException when a sandbox with the requested id exists
     * @throws SandboxNotFoundException when the image does not exist
     */
    Sandbox create(SandboxSpec spec);

    /**
     * Opens an existing sandbox (this process or another created it).
     *
     * @throws SandboxNotFoundException when there is none with that id
     */
    Sandbox get(String sandboxId);

    /** @return every sandbox this backend created that still exists */
    List<SandboxSummary> list();

    /**
     * Removes sandboxes created more than {@code olderThan} ago, except those excluded: the orphans a crashed
     * client left behind.
     */
    SweepResult sweepOrphans(Duration olderThan, java.util.Set<String> exclude);

    /** @return this backend's warm pool as it stands; {@link PoolStatus#none} when it keeps none */
    default PoolStatus poolStatus() {
        return PoolStatus.none(name());
    }

    @Override
    void close();
}
