package io.sandboxops.app.console.task;

/** A started task or timer. */
public interface TaskHandle {

    /** Stops it: a task's callbacks are not called any more (except {@code onFinished}); a timer does not fire again. */
    void cancel();

    boolean isCancelled();

    TaskHandle DONE = new TaskHandle() {
        @Override
        public void cancel() {
        }

        @Override
        public boolean isCancelled() {
            return false;
        }
    };
}
