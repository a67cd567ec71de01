package io.sandboxops.emulator.run;

import com.google.api.MonitoredResource;
import com.google.cloud.run.v2.Condition;
import com.google.cloud.run.v2.Container;
import com.google.cloud.run.v2.EnvVar;
import com.google.cloud.run.v2.Execution;
import com.google.cloud.run.v2.TaskTemplate;
import com.google.logging.type.LogSeverity;
import com.google.logging.v2.LogEntry;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.sandboxops.emulator.faults.FaultInjector;
import io.sandboxops.emulator.logging.LogStore;
import io.sandboxops.emulator.run.JobRegistry.ExecutionState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs an execution's tasks as Cloud Run does: up to {@code parallelism} at once, each attempt with the
 * task timeout enforced, failed attempts retried up to {@code maxRetries}, cancellation stopping what
 * runs and what waits. Output becomes Cloud Logging entries of the {@code cloud_run_job} resource.
 */
final class ExecutionEngine {

    /** How long a killed attempt may take to actually exit before the engine stops waiting for it. */
    private static final Duration KILL_GRACE = Duration.ofSeconds(10);
    /** "As many as possible" (parallelism 0) on one machine: enough for tests, not a fork storm. */
    static final int MAX_PARALLELISM = 16;

    private final ExecutionRunner runner;
    private final LogStore logs;
    private final FaultInjector faults;
    private final Map<String, String> platformEnv;

    ExecutionEngine(ExecutionRunner runner, LogStore logs, FaultInjector faults, Map<String, String> platformEnv) {
        this.runner = runner;
        this.logs = logs;
        this.faults = faults;
        this.platformEnv = Map.copyOf(platformEnv);
    }

    private enum TaskResult { SUCCEEDED, FAILED, CANCELLED }

    /**
     * Runs {@code start} once the execution's resources would be provisioned: after the latency profile's execution
     * start delay (real Cloud Run takes seconds to tens of seconds from RunJob to a running container), waited on the
     * fault injector's timer, during which the execution stays "Provisioning resources." as on Cloud Run.
     */
    void whenProvisioned(ExecutionState state, Runnable start) {
        state.start = start;
        state.provisioning = faults.after(faults.executionStartDelay(), start);
    }

    void run(ExecutionState state, JobRegistry registry) {
        Execution e = state.execution;
        int taskCount = Math.max(1, e.getTaskCount());
        int parallelism = Math.min(e.getParallelism() <= 0 ? MAX_PARALLELISM : e.getParallelism(), taskCount);
        Counters counters = new Counters();
        synchronized (registry) {
            registry.publish(state, state.execution.toBuilder()
                    .setStartTime(Conditions.ts(Instant.now()))
                    .clearConditions()
                    .addAllConditions(Conditions.put(Conditions.put(state.execution.getConditionsList(),
                            Conditions.of("ResourcesAvailable", Condition.State.CONDITION_SUCCEEDED, "Provisioned imported containers.")),
                            Conditions.of("Started", Condition.State.CONDITION_SUCCEEDED, "Started deployed execution."))));
        }
        // A fixed set of workers takes the task indices in order, as Cloud Run starts tasks.
        AtomicInteger nextIndex = new AtomicInteger();
        TaskResult[] results = new TaskResult[taskCount];
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < parallelism; w++) {
            Thread t = new Thread(() -> {
                for (int index = nextIndex.getAndIncrement(); index < taskCount; index = nextIndex.getAndIncrement()) {
                    results[index] = runTask(state, registry, index, taskCount, counters);
                }
            }, "cloud-run-task-worker-" + w);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        for (Thread t : workers) {
            try {
                t.join();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                cancel(state);
            }
        }
        complete(state, registry, results, counters);
    }

    private TaskResult runTask(ExecutionState state, JobRegistry registry, int index, int taskCount, Counters counters) {
        Execution e = state.execution;
        TaskTemplate template = e.getTemplate();
        int maxRetries = template.hasMaxRetries() ? template.getMaxRetries() : JobRegistry.DEFAULT_MAX_RETRIES;
        Duration timeout = template.hasTimeout()
                ? Duration.ofSeconds(template.getTimeout().getSeconds(), template.getTimeout().getNanos())
                : Duration.ofSeconds(JobRegistry.DEFAULT_TIMEOUT.getSeconds());
        TaskState task = state.tasks.get(index);
        for (int attempt = 0; ; attempt++) {
            if (state.cancelRequested) {
                counters.cancelled.incrementAndGet();
                publishCounts(state, registry, counters);
                task.finished(TaskState.Outcome.CANCELLED, Instant.now());
                return TaskResult.CANCELLED;
            }
            counters.running.incrementAndGet();
            publishCounts(state, registry, counters);
            Instant start = Instant.now();
            task.attemptStarted(attempt, start);
            Optional<Integer> exit = attempt(state, index, attempt, taskCount, timeout);
            counters.running.decrementAndGet();
            state.attempts.add(new ExecutionHistory.AttemptSpan(start, Instant.now()));
            task.attemptEnded(exit.orElse(null), exit.map(code -> code == 0 ? null : "Container called exit(" + code + ").")
                    .orElse("The container did not exit by itself: it could not start, exceeded the task timeout or was "
                            + "killed (see the run.googleapis.com/varlog/system log)."));
            if (state.cancelRequested) {
                counters.cancelled.incrementAndGet();
                publishCounts(state, registry, counters);
                task.finished(TaskState.Outcome.CANCELLED, Instant.now());
                return TaskResult.CANCELLED;
            }
            if (exit.isPresent() && exit.get() == 0) {
                counters.succeeded.incrementAndGet();
                publishCounts(state, registry, counters);
                task.finished(TaskState.Outcome.SUCCEEDED, Instant.now());
                return TaskResult.SUCCEEDED;
            }
            if (attempt < maxRetries) {
                counters.retried.incrementAndGet();
                publishCounts(state, registry, counters);
                continue;
            }
            counters.failed.incrementAndGet();
            publishCounts(state, registry, counters);
            task.finished(TaskState.Outcome.FAILED, Instant.now());
            return TaskResult.FAILED;
        }
    }

    /** One attempt; the exit code, or empty when it could not start or was killed. */
    private Optional<Integer> attempt(ExecutionState state, int index, int attempt, int taskCount, Duration timeout) {
        Execution e = state.execution;
        Container container = e.getTemplate().getContainers(0);
        String shortExecution = ResourceNames.lastSegment(state.name);
        Map<String, String> env = new LinkedHashMap<>(platformEnv);
        for (EnvVar v : container.getEnvList()) {
            env.put(v.getName(), v.getValue());
        }
        env.put(TaskEnvironment.CLOUD_RUN_JOB, e.getJob());
        env.put(TaskEnvironment.CLOUD_RUN_EXECUTION, shortExecution);
        env.put(TaskEnvironment.CLOUD_RUN_TASK_INDEX, String.valueOf(index));
        env.put(TaskEnvironment.CLOUD_RUN_TASK_ATTEMPT, String.valueOf(attempt));
        env.put(TaskEnvironment.CLOUD_RUN_TASK_COUNT, String.valueOf(taskCount));
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("sandbox-ops.emulator/job", e.getJob());
        labels.put("sandbox-ops.emulator/execution", shortExecution);
        labels.put("sandbox-ops.emulator/task-index", String.valueOf(index));
        labels.put("sandbox-ops.emulator/task-attempt", String.valueOf(attempt));
        TaskLaunch launch = new TaskLaunch(container.getImage(), container.getCommandList(), container.getArgsList(),
                env, timeout, container.getResources().getLimitsMap().get("cpu"),
                container.getResources().getLimitsMap().get("memory"), labels);
        TaskOutput output = (stderr, text) -> logs.write(outputEntry(state, index, attempt, stderr, text));
        RunningTask task;
        try {
            task = runner.start(launch, output);
        } catch (RunnerException ex) {
            system(state, index, attempt, LogSeverity.ERROR, "Task " + shortExecution + "-task" + index
                    + " could not start: " + ex.getMessage());
            return Optional.empty();
        }
        state.running.add(task);
        try {
            if (state.cancelRequested) {
                task.kill();
            }
            Optional<Duration> crash = faults.takeTaskCrash();
            Duration limit = crash.filter(c -> c.compareTo(timeout) < 0).orElse(timeout);
            OptionalInt code = task.awaitExit(limit);
            if (code.isPresent()) {
                if (code.getAsInt() != 0 && !state.cancelRequested) {
                    system(state, index, attempt, LogSeverity.ERROR, "Container called exit(" + code.getAsInt() + ").");
                }
                return Optional.of(code.getAsInt());
            }
            task.kill();
            task.awaitExit(KILL_GRACE);
            if (crash.isPresent() && limit.equals(crash.get())) {
                system(state, index, attempt, LogSeverity.ERROR, "Task crashed (injected fault): the container was killed.");
            } else {
                system(state, index, attempt, LogSeverity.ERROR, "Task " + shortExecution + "-task" + index
                        + " attempt " + attempt + " exceeded its timeout of " + timeout.toSeconds() + "s and was killed.");
            }
            return Optional.empty();
        } catch (InterruptedException ex) {
            task.kill();
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            state.running.remove(task);
            task.cleanUp();
        }
    }

    void cancel(ExecutionState state) {
        state.cancelRequested = true;
        Future<?> provisioning = state.provisioning;
        if (provisioning != null && provisioning.cancel(false)) {
            // Cancelled while still provisioning: it starts now, to end at once with every task cancelled, rather than
            // after the start delay it no longer needs.
            state.start.run();
        }
        List<RunningTask> running;
        synchronized (state.running) {
            running = List.copyOf(state.running);
        }
        running.forEach(RunningTask::kill);
    }

    private void complete(ExecutionState state, JobRegistry registry, TaskResult[] results, Counters counters) {
        int failed = 0;
        int cancelled = 0;
        for (TaskResult r : results) {
            if (r == TaskResult.FAILED) {
                failed++;
            } else if (r == TaskResult.CANCELLED || r == null) {
                cancelled++;
            }
        }
        Instant now = Instant.now();
        Execution e = state.execution;
        Duration took = Duration.between(Conditions.instant(e.getStartTime()), now);
        Condition completed;
        if (state.cancelRequested && cancelled > 0) {
            state.result = "cancelled";
            completed = Conditions.of("Completed", Condition.State.CONDITION_FAILED, "The execution was cancelled.")
                    .toBuilder().setExecutionReason(Condition.ExecutionReason.CANCELLED).build();
        } else if (failed > 0) {
            state.result = "failed";
            completed = Conditions.of("Completed", Condition.State.CONDITION_FAILED,
                    "Execution " + ResourceNames.lastSegment(state.name) + " has failed: " + failed + " of "
                            + results.length + " task(s) failed.")
                    .toBuilder().setExecutionReason(Condition.ExecutionReason.NON_ZERO_EXIT_CODE).build();
        } else {
            state.result = "succeeded";
            completed = Conditions.of("Completed", Condition.State.CONDITION_SUCCEEDED,
                    "Execution completed successfully in " + took.toMillis() / 1000.0 + "s.");
        }
        synchronized (registry) {
            registry.publish(state, e.toBuilder()
                    .setCompletionTime(Conditions.ts(now))
                    .setReconciling(false)
                    .setRunningCount(0)
                    .setSucceededCount(counters.succeeded.get())
                    .setFailedCount(counters.failed.get())
                    .setCancelledCount(counters.cancelled.get())
                    .setRetriedCount(counters.retried.get())
                    .clearConditions()
                    .addAllConditions(Conditions.put(e.getConditionsList(), completed)));
            registry.finish(state);
        }
        system(state, -1, -1, failed > 0 ? LogSeverity.ERROR : LogSeverity.INFO,
                "Execution " + ResourceNames.lastSegment(state.name) + " " + state.result + ": "
                        + counters.succeeded.get() + " succeeded, " + counters.failed.get() + " failed, "
                        + counters.cancelled.get() + " cancelled, " + counters.retried.get() + " retried.");
    }

    private static void publishCounts(ExecutionState state, JobRegistry registry, Counters c) {
        synchronized (registry) {
            if (state.execution.hasCompletionTime()) {
                return;
            }
            registry.publish(state, state.execution.toBuilder()
                    .setRunningCount(c.running.get())
                    .setSucceededCount(c.succeeded.get())
                    .setFailedCount(c.failed.get())
                    .setCancelledCount(c.cancelled.get())
                    .setRetriedCount(c.retried.get()));
        }
    }

    /** A line of task output as Cloud Run's agent logs it: a JSON object becomes {@code jsonPayload}. */
    private LogEntry outputEntry(ExecutionState state, int index, int attempt, boolean stderr, String text) {
        LogEntry.Builder b = baseEntry(state, stderr ? "run.googleapis.com%2Fstderr" : "run.googleapis.com%2Fstdout")
                .putLabels("run.googleapis.com/task_index", String.valueOf(index))
                .putLabels("run.googleapis.com/task_attempt", String.valueOf(attempt));
        String trimmed = text.trim();
        if (trimmed.startsWith("{") && trimmed.endsWith("}")) {
            try {
                Struct.Builder payload = Struct.newBuilder();
                JsonFormat.parser().merge(trimmed, payload);
                b.setJsonPayload(payload);
                b.setSeverity(severity(payload.getFieldsOrDefault("severity", null), stderr));
                return b.build();
            } catch (InvalidProtocolBufferException notJson) {
                // Logged as text, like the real agent does with a line that only looks like JSON.
            }
        }
        return b.setTextPayload(text).setSeverity(stderr ? LogSeverity.ERROR : LogSeverity.DEFAULT).build();
    }

    private void system(ExecutionState state, int index, int attempt, LogSeverity severity, String message) {
        LogEntry.Builder b = baseEntry(state, "run.googleapis.com%2Fvarlog%2Fsystem")
                .setSeverity(severity)
                .setTextPayload(message);
        if (index >= 0) {
            b.putLabels("run.googleapis.com/task_index", String.valueOf(index));
            b.putLabels("run.googleapis.com/task_attempt", String.valueOf(attempt));
        }
        logs.write(b.build());
    }

    private static LogEntry.Builder baseEntry(ExecutionState state, String logId) {
        String project = ResourceNames.projectOf(state.name);
        return LogEntry.newBuilder()
                .setLogName("projects/" + project + "/logs/" + logId)
                .setResource(MonitoredResource.newBuilder()
                        .setType("cloud_run_job")
                        .putLabels("project_id", project)
                        .putLabels("location", ResourceNames.locationOf(state.name))
                        .putLabels("job_name", state.execution.getJob()))
                .putLabels("run.googleapis.com/execution_name", ResourceNames.lastSegment(state.name));
    }

    private static LogSeverity severity(com.google.protobuf.Value v, boolean stderr) {
        if (v != null && v.hasStringValue()) {
            try {
                return LogSeverity.valueOf(v.getStringValue().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException unknown) {
                // Fall through to the stream's default.
            }
        }
        return stderr ? LogSeverity.ERROR : LogSeverity.DEFAULT;
    }

    private static final class Counters {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger succeeded = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger cancelled = new AtomicInteger();
        final AtomicInteger retried = new AtomicInteger();
    }
}
