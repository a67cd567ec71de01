package io.sandboxops.app.console.task;

import java.time.Duration;

/**
 * Runs the console's background work. The application uses {@link FxTaskExecutor} (a bounded pool, callbacks on
 * the JavaFX thread); view-model tests use {@link CurrentThreadTaskExecutor}, which runs everything at once.
 */
public interface TaskExecutor {

    /** Starts the task's work in the background; its callbacks run on the UI thread. */
    <T> TaskHandle execute(BackgroundTask<T> task);

    /** Calls {@code tick} on the UI thread every {@code period} (first after one period) until cancelled. */
    TaskHandle every(Duration period, Runnable tick);

    /** Stops the timers and lets running work finish in the background. */
    void shutdown();
}
