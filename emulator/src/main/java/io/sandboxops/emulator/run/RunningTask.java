package io.sandboxops.emulator.run;

import java.time.Duration;
import java.util.OptionalInt;

/** A started task attempt. */
public interface RunningTask {

    /** Waits up to {@code timeout} for the attempt to end; its exit code, or empty if still running. */
    OptionalInt awaitExit(Duration timeout) throws InterruptedException;

    /** Kills the attempt (timeout, cancellation, an injected crash); idempotent. */
    void kill();

    /** Releases what the attempt held (a stopped container, pipes) once it has ended. */
    default void cleanUp() {
    }
}
