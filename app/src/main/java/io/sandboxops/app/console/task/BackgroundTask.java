package io.sandboxops.app.console.task;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * A piece of work for a {@link TaskExecutor}: the work itself runs off the UI thread, its callbacks on it.
 * View models build one, hand it to the executor and never touch threads themselves, which is what lets
 * their tests run everything on the test's own thread.
 *
 * @param <T> what the work produces
 */
public final class BackgroundTask<T> {

    /** The work; {@code context} reports progress and tells whether the task was cancelled. */
    @FunctionalInterface
    public interface Work<T> {
        T run(TaskContext context) throws Exception;
    }

    private final String title;
    private final Work<T> work;
    private Consumer<T> onSuccess = result -> { };
    private Consumer<Exception> onFailure;
    private Runnable onFinished = () -> { };
    private ProgressListener onProgress = (done, total) -> { };

    private BackgroundTask(String title, Work<T> work) {
        this.title = Objects.requireNonNull(title, "title");
        this.work = Objects.requireNonNull(work, "work");
    }

    /** @param title what the task does, in words a person reads in an error dialog ("create a session") */
    public static <T> BackgroundTask<T> of(String title, Work<T> work) {
        return new BackgroundTask<>(title, work);
    }

    public static BackgroundTask<Void> ofRunnable(String title, ThrowingRunnable work) {
        return new BackgroundTask<>(title, context -> {
            work.run();
            return null;
        });
    }

    /** A runnable that may throw, so a task can call the core directly. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Progress, posted to the UI thread; only the latest is delivered when updates come faster than it. */
    @FunctionalInterface
    public interface ProgressListener {
        void onProgress(long done, long total);
    }

    public BackgroundTask<T> onSuccess(Consumer<T> callback) {
        this.onSuccess = Objects.requireNonNull(callback);
        return this;
    }

    /** Without a failure callback, failures go to the executor's default handler (an error dialog). */
    public BackgroundTask<T> onFailure(Consumer<Exception> callback) {
        this.onFailure = Objects.requireNonNull(callback);
        return this;
    }

    /** Runs after success, failure or cancellation. */
    public BackgroundTask<T> onFinished(Runnable callback) {
        this.onFinished = Objects.requireNonNull(callback);
        return this;
    }

    public BackgroundTask<T> onProgress(ProgressListener callback) {
        this.onProgress = Objects.requireNonNull(callback);
        return this;
    }

    public String title() {
        return title;
    }

    Work<T> work() {
        return work;
    }

    Consumer<T> successCallback() {
        return onSuccess;
    }

    Consumer<Exception> failureCallback() {
        return onFailure;
    }

    Runnable finishedCallback() {
        return onFinished;
    }

    ProgressListener progressCallback() {
        return onProgress;
    }
}
