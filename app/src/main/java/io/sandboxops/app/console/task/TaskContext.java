package io.sandboxops.app.console.task;

/** What running work sees of its task: a place to report progress, and whether it should stop. */
public interface TaskContext {

    /** @param total -1 when unknown */
    void progress(long done, long total);

    /** Whether the task was cancelled; long work checks it and gives up. */
    boolean isCancelled();
}
