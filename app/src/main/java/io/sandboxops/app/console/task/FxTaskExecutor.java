package io.sandboxops.app.console.task;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javafx.application.Platform;

/**
 * The application's executor: a bounded pool of daemon threads for the work, {@link Platform#runLater} for the
 * callbacks. Failures without their own callback go to {@code defaultFailureHandler} (the error dialog), so no
 * failure is ever lost on a worker thread.
 */
public final class FxTaskExecutor implements TaskExecutor {

    // Sandbox calls mostly wait on the network or a container; a few more threads than cores keep a slow
    // call (a 5 s Docker ping) from holding up the rest.
    private static final int THREADS = 8;

    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService timers;
    private final Consumer<FailedTask> defaultFailureHandler;

    /** A failure no callback took. */
    public record FailedTask(String title, Exception error) {
    }

    public FxTaskExecutor(Consumer<FailedTask> defaultFailureHandler) {
        this.defaultFailureHandler = defaultFailureHandler;
        this.pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemon("console-task"));
        this.pool.allowCoreThreadTimeOut(true);
        this.timers = Executors.newSingleThreadScheduledExecutor(daemon("console-timer"));
    }

    @Override
    public <T> TaskHandle execute(BackgroundTask<T> task) {
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicReference<long[]> pendingProgress = new AtomicReference<>();
        TaskContext context = new TaskContext() {
            @Override
            public void progress(long done, long total) {
                // Coalesce: a transfer reports per buffer, the UI needs only the latest value per frame.
                if (pendingProgress.getAndSet(new long[] {done, total}) == null) {
                    Platform.runLater(() -> {
                        long[] p = pendingProgress.getAndSet(null);
                        if (p != null && !cancelled.get()) {
                            task.progressCallback().onProgress(p[0], p[1]);
                        }
                    });
                }
            }

            @Override
            public boolean isCancelled() {
                return cancelled.get();
            }
        };
        pool.execute(() -> {
            try {
                T result = task.work().run(context);
                Platform.runLater(() -> {
                    try {
                        if (!cancelled.get()) {
                            task.successCallback().accept(result);
                        }
                    } finally {
                        task.finishedCallback().run();
                    }
                });
            } catch (Exception e) {
                Platform.runLater(() -> {
                    try {
                        if (!cancelled.get()) {
                            if (task.failureCallback() != null) {
                                task.failureCallback().accept(e);
                            } else {
                                defaultFailureHandler.accept(new FailedTask(task.title(), e));
                            }
                        }
                    } finally {
                        task.finishedCallback().run();
                    }
                });
            }
        });
        return new TaskHandle() {
            @Override
            public void cancel() {
                cancelled.set(true);
            }

            @Override
            public boolean isCancelled() {
                return cancelled.get();
            }
        };
    }

    @Override
    public TaskHandle every(Duration period, Runnable tick) {
        AtomicBoolean cancelled = new AtomicBoolean();
        ScheduledFuture<?> future = timers.scheduleWithFixedDelay(() -> Platform.runLater(() -> {
            if (!cancelled.get()) {
                tick.run();
            }
        }), period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        return new TaskHandle() {
            @Override
            public void cancel() {
                cancelled.set(true);
                future.cancel(false);
            }

            @Override
            public boolean isCancelled() {
                return cancelled.get();
            }
        };
    }

    @Override
    public void shutdown() {
        timers.shutdownNow();
        pool.shutdown();
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
