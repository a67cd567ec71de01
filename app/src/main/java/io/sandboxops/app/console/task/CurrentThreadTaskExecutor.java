package io.sandboxops.app.console.task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs each task at once on the calling thread, for view-model tests with no UI toolkit. Timers do not run by
 * themselves: a test calls {@link #tick()} to fire them, so it decides when "three seconds later" is.
 */
public final class CurrentThreadTaskExecutor implements TaskExecutor {

    private final List<Timer> timers = new ArrayList<>();

    private record Timer(Runnable tick, AtomicBoolean cancelled) {
    }

    @Override
    public <T> TaskHandle execute(BackgroundTask<T> task) {
        AtomicBoolean cancelled = new AtomicBoolean();
        TaskContext context = new TaskContext() {
            @Override
            public void progress(long done, long total) {
                task.progressCallback().onProgress(done, total);
            }

            @Override
            public boolean isCancelled() {
                return cancelled.get();
            }
        };
        try {
            T result = task.work().run(context);
            task.successCallback().accept(result);
        } catch (Exception e) {
            if (task.failureCallback() == null) {
                throw new IllegalStateException("unhandled failure of \"" + task.title() + "\"", e);
            }
            task.failureCallback().accept(e);
        } finally {
            task.finishedCallback().run();
        }
        return handle(cancelled);
    }

    @Override
    public TaskHandle every(Duration period, Runnable tick) {
        AtomicBoolean cancelled = new AtomicBoolean();
        timers.add(new Timer(tick, cancelled));
        return handle(cancelled);
    }

    /** Fires every timer that was not cancelled, once. */
    public void tick() {
        List.copyOf(timers).stream().filter(t -> !t.cancelled().get()).forEach(t -> t.tick().run());
    }

    /** @return how many timers are still live */
    public long liveTimers() {
        return timers.stream().filter(t -> !t.cancelled().get()).count();
    }

    @Override
    public void shutdown() {
        timers.forEach(t -> t.cancelled().set(true));
    }

    private static TaskHandle handle(AtomicBoolean cancelled) {
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
}
