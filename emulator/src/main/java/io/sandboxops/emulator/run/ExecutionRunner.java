package io.sandboxops.emulator.run;

/**
 * Runs one attempt of one task of an execution: a Docker container, or a local process. The engine
 * around it owns retries, the task timeout and cancellation; a runner only starts and kills.
 */
public interface ExecutionRunner extends AutoCloseable {

    /** Starts the attempt; its output lines go to {@code output} as they appear. */
    RunningTask start(TaskLaunch launch, TaskOutput output) throws RunnerException;

    /** A short name for logs and the endpoint banner, e.g. {@code docker} or {@code process}. */
    String name();

    @Override
    default void close() {
    }
}
