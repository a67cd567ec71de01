package io.sandboxops.emulator.run;

import com.google.cloud.run.v2.Condition;
import com.google.cloud.run.v2.Container;
import com.google.cloud.run.v2.EnvVar;
import com.google.cloud.run.v2.Execution;
import com.google.cloud.run.v2.ExecutionReference;
import com.google.cloud.run.v2.ExecutionTemplate;
import com.google.cloud.run.v2.Job;
import com.google.api.LaunchStage;
import com.google.cloud.run.v2.RunJobRequest;
import com.google.cloud.run.v2.Task;
import com.google.cloud.run.v2.TaskAttemptResult;
import com.google.cloud.run.v2.TaskTemplate;
import com.google.longrunning.Operation;
import com.google.protobuf.Duration;
import io.sandboxops.emulator.ApiError;
import io.sandboxops.emulator.faults.FaultInjector;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jobs and their executions: the state behind the Jobs and Executions services. Executions run on the
 * configured {@link ExecutionRunner} through {@link ExecutionEngine}; their RunJob operation completes
 * when they end.
 */
final class JobRegistry implements ExecutionHistory {

    static final int DEFAULT_MAX_RETRIES = 3;
    static final Duration DEFAULT_TIMEOUT = Duration.newBuilder().setSeconds(600).build();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern TASK_NAME =
            Pattern.compile("(projects/[^/]+/locations/[^/]+/jobs/[^/]+/executions/[^/]+)/tasks/([^/]+)");

    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final Map<String, ExecutionState> executions = new LinkedHashMap<>();
    /**
     * Deleted executions, oldest first: Cloud Monitoring keeps the points an execution wrote after the execution
     * or its job is deleted, so the metrics still count them. Bounded, as Monitoring's own retention is.
     */
    private final ArrayDeque<ExecutionState> retired = new java.util.ArrayDeque<>();
    private static final int RETIRED_KEPT = 10_000;
    private final OperationStore operations;
    private final ExecutionEngine engine;
    private final String principal;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cloud-run-execution");
        t.setDaemon(true);
        return t;
    });

    JobRegistry(OperationStore operations, ExecutionEngine engine, String principal) {
        this.operations = operations;
        this.engine = engine;
        this.principal = principal;
    }

    // ---- Jobs

    synchronized Operation create(String parent, String jobId, Job job, boolean validateOnly) {
        ResourceNames.location(parent, "parent");
        ResourceNames.checkId(jobId, "job_id");
        if (!job.getName().isEmpty()) {
            throw ApiError.invalidArgument("job.name", "must be empty on create; the name comes from parent and job_id");
        }
        validate(job);
        String name = parent + "/jobs/" + jobId;
        if (jobs.containsKey(name)) {
            throw ApiError.alreadyExists("Resource '" + jobId + "' already exists.");
        }
        Instant now = Instant.now();
        Job created = withStatus(job.toBuilder()
                .setName(name)
                .setUid(UUID.randomUUID().toString())
                .setGeneration(1)
                .setCreateTime(Conditions.ts(now))
                .setUpdateTime(Conditions.ts(now))
                .setCreator(principal)
                .setLastModifier(principal)
                .setLaunchStage(job.getLaunchStage() == LaunchStage.LAUNCH_STAGE_UNSPECIFIED ? LaunchStage.GA : job.getLaunchStage())
                .setTemplate(withDefaults(job.getTemplate())), now);
        if (!validateOnly) {
            jobs.put(name, created);
        }
        return operations.startDone(parent, created, created);
    }

    synchronized Job get(String name) {
        ResourceNames.child(name, "jobs", "name");
        Job job = jobs.get(name);
        if (job == null) {
            throw ApiError.notFound("Resource '" + ResourceNames.lastSegment(name) + "' of kind 'JOB' in region '"
                    + ResourceNames.locationOf(name) + "' in project '" + ResourceNames.projectOf(name) + "' does not exist.");
        }
        return job;
    }

    synchronized List<Job> list(String parent) {
        ResourceNames.location(parent, "parent");
        List<Job> out = new ArrayList<>();
        for (Job j : jobs.values()) {
            if (j.getName().startsWith(parent + "/jobs/")) {
                out.add(j);
            }
        }
        return out;
    }

    synchronized Operation update(Job job, boolean allowMissing, boolean validateOnly) {
        String name = ResourceNames.child(job.getName(), "jobs", "job.name");
        Job current = jobs.get(name);
        if (current == null) {
            if (!allowMissing) {
                get(name);
            }
            String parent = ResourceNames.parentOf(name);
            return create(parent, ResourceNames.lastSegment(name), job.toBuilder().clearName().clearEtag().build(), validateOnly);
        }
        checkEtag(job.getEtag(), current.getEtag(), "job.etag");
        validate(job);
        Instant now = Instant.now();
        Job updated = withStatus(job.toBuilder()
                .setUid(current.getUid())
                .setGeneration(current.getGeneration() + 1)
                .setCreateTime(current.getCreateTime())
                .setUpdateTime(Conditions.ts(now))
                .setCreator(current.getCreator())
                .setLastModifier(principal)
                .setLaunchStage(job.getLaunchStage() == LaunchStage.LAUNCH_STAGE_UNSPECIFIED ? current.getLaunchStage() : job.getLaunchStage())
                .setTemplate(withDefaults(job.getTemplate()))
                .setExecutionCount(current.getExecutionCount())
                .setLatestCreatedExecution(current.getLatestCreatedExecution()), now);
        if (!validateOnly) {
            jobs.put(name, updated);
        }
        return operations.startDone(ResourceNames.parentOf(name), updated, updated);
    }

    synchronized Operation delete(String name, String etag, boolean validateOnly) {
        Job current = get(name);
        checkEtag(etag, current.getEtag(), "etag");
        Job deleted = current.toBuilder().setDeleteTime(Conditions.ts(Instant.now())).build();
        if (!validateOnly) {
            jobs.remove(name);
            // Deleting a job deletes its executions, stopping those still running.
            for (ExecutionState e : List.copyOf(executions.values())) {
                if (e.jobName.equals(name)) {
                    engine.cancel(e);
                    retire(executions.remove(e.name));
                }
            }
        }
        return operations.startDone(ResourceNames.parentOf(name), deleted, deleted);
    }

    synchronized Operation run(RunJobRequest request) {
        Job job = get(request.getName());
        checkEtag(request.getEtag(), job.getEtag(), "etag");
        TaskTemplate task = job.getTemplate().getTemplate();
        int taskCount = job.getTemplate().getTaskCount();
        if (request.hasOverrides()) {
            RunJobRequest.Overrides o = request.getOverrides();
            task = applyOverrides(task, o);
            if (o.getTaskCount() < 0) {
                throw ApiError.invalidArgument("overrides.task_count", "must not be negative");
            }
            if (o.getTaskCount() > 0) {
                taskCount = o.getTaskCount();
            }
            if (o.hasTimeout()) {
                if (o.getTimeout().getSeconds() <= 0 && o.getTimeout().getNanos() <= 0) {
                    throw ApiError.invalidArgument("overrides.timeout", "must be positive");
                }
                task = task.toBuilder().setTimeout(o.getTimeout()).build();
            }
        }
        Instant now = Instant.now();
        String shortJob = ResourceNames.lastSegment(job.getName());
        String executionId = shortJob + "-" + randomSuffix(5);
        String name = job.getName() + "/executions/" + executionId;
        Execution execution = Execution.newBuilder()
                .setName(name)
                .setUid(UUID.randomUUID().toString())
                .setGeneration(1)
                .putAllLabels(job.getLabelsMap())
                .putAllAnnotations(job.getAnnotationsMap())
                .setCreateTime(Conditions.ts(now))
                .setUpdateTime(Conditions.ts(now))
                .setLaunchStage(job.getLaunchStage())
                .setJob(shortJob)
                .setParallelism(job.getTemplate().getParallelism())
                .setTaskCount(taskCount)
                .setTemplate(task)
                .setReconciling(true)
                .addConditions(Conditions.of("ResourcesAvailable", Condition.State.CONDITION_PENDING, "Provisioning resources."))
                .addConditions(Conditions.of("Started", Condition.State.CONDITION_PENDING, "Waiting to start."))
                .addConditions(Conditions.of("Completed", Condition.State.CONDITION_PENDING, "Waiting for execution to complete."))
                .setObservedGeneration(1)
                .setLogUri("http://127.0.0.1/logs?execution=" + executionId)
                .build();
        ExecutionState state = new ExecutionState(name, job.getName(), execution);
        state.execution = execution.toBuilder().setEtag(etag(execution)).build();
        if (request.getValidateOnly()) {
            return operations.startDone(ResourceNames.parentOf(job.getName()), state.execution, state.execution);
        }
        Operation op = operations.start(ResourceNames.parentOf(job.getName()), state.execution);
        state.operationName = op.getName();
        executions.put(name, state);
        jobs.put(job.getName(), withStatus(job.toBuilder()
                .setExecutionCount(job.getExecutionCount() + 1)
                .setLatestCreatedExecution(reference(state.execution)), Instant.now()));
        engine.whenProvisioned(state, () -> workers.execute(() -> engine.run(state, this)));
        return op;
    }

    // ---- Executions

    synchronized Execution getExecution(String name) {
        return state(name).execution;
    }

    synchronized List<Execution> listExecutions(String parent) {
        String prefix;
        if (parent.endsWith("/jobs/-")) {
            prefix = ResourceNames.location(parent.substring(0, parent.length() - "/jobs/-".length()), "parent") + "/jobs/";
        } else {
            prefix = get(ResourceNames.child(parent, "jobs", "parent")).getName() + "/executions/";
        }
        List<Execution> out = new ArrayList<>();
        for (ExecutionState s : executions.values()) {
            if (s.name.startsWith(prefix)) {
                out.add(s.execution);
            }
        }
        // Newest first, as the real API lists them.
        out.sort(Comparator.comparing((Execution e) -> Conditions.instant(e.getCreateTime())).reversed());
        return out;
    }

    synchronized Operation cancelExecution(String name, String etag, boolean validateOnly) {
        ExecutionState state = state(name);
        checkEtag(etag, state.execution.getEtag(), "etag");
        if (state.execution.hasCompletionTime()) {
            throw ApiError.failedPrecondition("Execution " + ResourceNames.lastSegment(name)
                    + " has already completed and cannot be cancelled.");
        }
        String parent = ResourceNames.parentOf(state.jobName);
        if (validateOnly) {
            return operations.startDone(parent, state.execution, state.execution);
        }
        Operation op = operations.start(parent, state.execution);
        state.cancelOperations.add(op.getName());
        engine.cancel(state);
        return op;
    }

    synchronized Operation deleteExecution(String name, String etag, boolean validateOnly) {
        ExecutionState state = state(name);
        checkEtag(etag, state.execution.getEtag(), "etag");
        Execution deleted = state.execution.toBuilder().setDeleteTime(Conditions.ts(Instant.now())).build();
        if (!validateOnly) {
            engine.cancel(state);
            retire(executions.remove(name));
        }
        return operations.startDone(ResourceNames.parentOf(state.jobName), deleted, deleted);
    }

    // ---- Tasks

    synchronized List<Task> listTasks(String parent) {
        ExecutionState state = state(parent);
        List<Task> out = new ArrayList<>();
        for (TaskState t : state.tasks) {
            out.add(task(state, t.snapshot()));
        }
        return out;
    }

    synchronized Task getTask(String name) {
        Matcher m = TASK_NAME.matcher(name);
        if (!m.matches()) {
            throw ApiError.invalidArgument("name", "'" + name + "' is not of the form projects/{project}/locations/{location}"
                    + "/jobs/{job}/executions/{execution}/tasks/{task}");
        }
        ExecutionState state = state(m.group(1));
        String prefix = ResourceNames.lastSegment(state.name) + "-task";
        String id = m.group(2);
        if (id.startsWith(prefix) && id.substring(prefix.length()).matches("0|[1-9][0-9]{0,8}")) {
            int index = Integer.parseInt(id.substring(prefix.length()));
            if (index < state.tasks.size()) {
                return task(state, state.tasks.get(index).snapshot());
            }
        }
        throw ApiError.notFound("Resource '" + id + "' of kind 'TASK' in region '" + ResourceNames.locationOf(name)
                + "' in project '" + ResourceNames.projectOf(name) + "' does not exist.");
    }

    /** The Task resource of one task, as Cloud Run reports it: its latest attempt, retries and conditions. */
    private static Task task(ExecutionState state, TaskState.Snapshot t) {
        Execution e = state.execution;
        String name = state.name + "/tasks/" + ResourceNames.lastSegment(state.name) + "-task" + t.index();
        Task.Builder b = Task.newBuilder()
                .setName(name)
                .setUid(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString())
                .setGeneration(1)
                .putAllLabels(e.getLabelsMap())
                .putAllAnnotations(e.getAnnotationsMap())
                .setCreateTime(e.getCreateTime())
                .setUpdateTime(e.getUpdateTime())
                .setJob(e.getJob())
                .setExecution(ResourceNames.lastSegment(state.name))
                .addAllContainers(e.getTemplate().getContainersList())
                .addAllVolumes(e.getTemplate().getVolumesList())
                .setMaxRetries(e.getTemplate().hasMaxRetries() ? e.getTemplate().getMaxRetries() : DEFAULT_MAX_RETRIES)
                .setTimeout(e.getTemplate().hasTimeout() ? e.getTemplate().getTimeout() : DEFAULT_TIMEOUT)
                .setServiceAccount(e.getTemplate().getServiceAccount())
                .setExecutionEnvironment(e.getTemplate().getExecutionEnvironment())
                .setObservedGeneration(1)
                .setIndex(t.index())
                .setRetried(t.retried())
                .setLogUri(e.getLogUri());
        if (t.startTime() != null) {
            b.setStartTime(Conditions.ts(t.startTime()));
        }
        if (t.completionTime() != null) {
            b.setCompletionTime(Conditions.ts(t.completionTime()));
        }
        b.setReconciling(t.completionTime() == null);
        if (t.lastExitCode() != null || t.lastAttemptMessage() != null) {
            int exit = t.lastExitCode() == null ? 0 : t.lastExitCode();
            boolean ok = t.lastExitCode() != null && exit == 0;
            b.setLastAttemptResult(TaskAttemptResult.newBuilder()
                    .setExitCode(exit)
                    .setStatus(com.google.rpc.Status.newBuilder()
                            .setCode(ok ? com.google.rpc.Code.OK_VALUE : com.google.rpc.Code.UNKNOWN_VALUE)
                            .setMessage(t.lastAttemptMessage() == null ? "" : t.lastAttemptMessage())));
        }
        // A condition's time is when the task made that transition, so reading a task twice gives the same resource.
        Instant created = Conditions.instant(e.getCreateTime());
        Instant started = t.startTime() == null ? created : t.startTime();
        Instant ended = t.completionTime() == null ? started : t.completionTime();
        b.addConditions(at(t.outcome() == TaskState.Outcome.PENDING
                ? Conditions.of("Started", Condition.State.CONDITION_PENDING, "Waiting to start.")
                : Conditions.of("Started", Condition.State.CONDITION_SUCCEEDED, "Started."), started));
        b.addConditions(at(switch (t.outcome()) {
            case PENDING, RUNNING -> Conditions.of("Completed", Condition.State.CONDITION_PENDING, "Waiting for the task to complete.");
            case SUCCEEDED -> Conditions.of("Completed", Condition.State.CONDITION_SUCCEEDED, "Task completed successfully.");
            case FAILED -> Conditions.of("Completed", Condition.State.CONDITION_FAILED, "Task failed after "
                    + (t.retried() + 1) + " attempt(s).");
            case CANCELLED -> Conditions.of("Completed", Condition.State.CONDITION_FAILED, "Task was cancelled.");
        }, ended));
        return b.setEtag(etag(b.build())).build();
    }

    private static Condition at(Condition c, Instant when) {
        return c.toBuilder().setLastTransitionTime(Conditions.ts(when)).build();
    }

    // ---- Called by the engine as an execution progresses

    synchronized void publish(ExecutionState state, Execution.Builder next) {
        state.execution = next.setEtag(etag(next.build())).setUpdateTime(Conditions.ts(Instant.now())).build();
        if (state.operationName != null) {
            operations.updateMetadata(state.operationName, state.execution);
        }
        Job job = jobs.get(state.jobName);
        if (job != null && job.getLatestCreatedExecution().getName().equals(state.name)) {
            jobs.put(state.jobName, job.toBuilder().setLatestCreatedExecution(reference(state.execution)).build());
        }
    }

    /** The execution ended: its RunJob operation and any Cancel operations complete with it. */
    synchronized void finish(ExecutionState state) {
        if (state.operationName != null) {
            operations.complete(state.operationName, state.execution, state.execution);
        }
        for (String cancel : state.cancelOperations) {
            operations.complete(cancel, state.execution, state.execution);
        }
        state.cancelOperations.clear();
    }

    private void retire(ExecutionState state) {
        retired.addLast(state);
        if (retired.size() > RETIRED_KEPT) {
            retired.removeFirst();
        }
    }

    @Override
    public synchronized List<ExecutionFact> executions() {
        List<ExecutionFact> out = new ArrayList<>();
        List<ExecutionState> all = new ArrayList<>(retired);
        all.addAll(executions.values());
        for (ExecutionState s : all) {
            Execution e = s.execution;
            out.add(new ExecutionFact(ResourceNames.projectOf(s.name), ResourceNames.locationOf(s.name), e.getJob(),
                    ResourceNames.lastSegment(s.name), Conditions.instant(e.getCreateTime()),
                    e.hasStartTime() ? Conditions.instant(e.getStartTime()) : null,
                    e.hasCompletionTime() ? Conditions.instant(e.getCompletionTime()) : null,
                    s.result, List.copyOf(s.attempts)));
        }
        return out;
    }

    void close() {
        List<ExecutionState> running;
        synchronized (this) {
            running = List.copyOf(executions.values());
        }
        running.forEach(engine::cancel);
        workers.shutdownNow();
    }

    // ---- helpers

    private ExecutionState state(String name) {
        ResourceNames.grandchild(name, "executions", "name");
        ExecutionState s = executions.get(name);
        if (s == null) {
            throw ApiError.notFound("Resource '" + ResourceNames.lastSegment(name) + "' of kind 'EXECUTION' in region '"
                    + ResourceNames.locationOf(name) + "' in project '" + ResourceNames.projectOf(name) + "' does not exist.");
        }
        return s;
    }

    private static void validate(Job job) {
        if (!job.hasTemplate()) {
            throw ApiError.invalidArgument("job.template", "is required");
        }
        ExecutionTemplate t = job.getTemplate();
        if (t.getTaskCount() < 0) {
            throw ApiError.invalidArgument("job.template.task_count", "must not be negative");
        }
        if (t.getParallelism() < 0) {
            throw ApiError.invalidArgument("job.template.parallelism", "must not be negative");
        }
        TaskTemplate task = t.getTemplate();
        if (task.getContainersCount() == 0) {
            throw ApiError.invalidArgument("job.template.template.containers", "at least one container is required");
        }
        for (int i = 0; i < task.getContainersCount(); i++) {
            Container c = task.getContainers(i);
            if (c.getImage().isEmpty()) {
                throw ApiError.invalidArgument("job.template.template.containers[" + i + "].image", "is required");
            }
            for (Map.Entry<String, String> limit : c.getResources().getLimitsMap().entrySet()) {
                String field = "job.template.template.containers[" + i + "].resources.limits[" + limit.getKey() + "]";
                try {
                    switch (limit.getKey()) {
                        case "cpu" -> ResourceQuantities.nanoCpus(limit.getValue());
                        case "memory" -> ResourceQuantities.memoryBytes(limit.getValue());
                        default -> throw ApiError.invalidArgument(field, "only cpu and memory limits are supported");
                    }
                } catch (NumberFormatException | ArithmeticException e) {
                    throw ApiError.invalidArgument(field, "'" + limit.getValue() + "' is not a valid quantity");
                }
            }
            for (int k = 0; k < c.getEnvCount(); k++) {
                EnvVar env = c.getEnv(k);
                if (env.getName().isEmpty()) {
                    throw ApiError.invalidArgument("job.template.template.containers[" + i + "].env[" + k + "].name", "is required");
                }
                if (env.hasValueSource()) {
                    throw ApiError.invalidArgument("job.template.template.containers[" + i + "].env[" + k + "].value_source",
                            "secret references are not supported by the local emulator");
                }
            }
        }
        if (task.hasMaxRetries() && (task.getMaxRetries() < 0 || task.getMaxRetries() > 10)) {
            throw ApiError.invalidArgument("job.template.template.max_retries", "must be between 0 and 10");
        }
        if (task.hasTimeout() && task.getTimeout().getSeconds() <= 0 && task.getTimeout().getNanos() <= 0) {
            throw ApiError.invalidArgument("job.template.template.timeout", "must be positive");
        }
    }

    /** Fills the defaults the real API reports back: one task, three retries, a ten-minute timeout. */
    private static ExecutionTemplate withDefaults(ExecutionTemplate t) {
        ExecutionTemplate.Builder b = t.toBuilder();
        if (t.getTaskCount() == 0) {
            b.setTaskCount(1);
        }
        TaskTemplate.Builder task = b.getTemplate().toBuilder();
        if (!task.hasMaxRetries()) {
            task.setMaxRetries(DEFAULT_MAX_RETRIES);
        }
        if (!task.hasTimeout()) {
            task.setTimeout(DEFAULT_TIMEOUT);
        }
        return b.setTemplate(task).build();
    }

    private static TaskTemplate applyOverrides(TaskTemplate task, RunJobRequest.Overrides o) {
        TaskTemplate.Builder b = task.toBuilder();
        for (int i = 0; i < o.getContainerOverridesCount(); i++) {
            RunJobRequest.Overrides.ContainerOverride co = o.getContainerOverrides(i);
            int target = -1;
            if (co.getName().isEmpty()) {
                target = 0;
            } else {
                for (int c = 0; c < b.getContainersCount(); c++) {
                    if (b.getContainers(c).getName().equals(co.getName())) {
                        target = c;
                    }
                }
            }
            if (target < 0) {
                throw ApiError.invalidArgument("overrides.container_overrides[" + i + "].name",
                        "no container named '" + co.getName() + "' in the job");
            }
            Container.Builder c = b.getContainers(target).toBuilder();
            if (co.getClearArgs() || co.getArgsCount() > 0) {
                c.clearArgs().addAllArgs(co.getArgsList());
            }
            Map<String, EnvVar> env = new LinkedHashMap<>();
            c.getEnvList().forEach(e -> env.put(e.getName(), e));
            for (int k = 0; k < co.getEnvCount(); k++) {
                EnvVar e = co.getEnv(k);
                if (e.getName().isEmpty()) {
                    throw ApiError.invalidArgument("overrides.container_overrides[" + i + "].env[" + k + "].name", "is required");
                }
                env.put(e.getName(), e);
            }
            c.clearEnv().addAllEnv(env.values());
            b.setContainers(target, c);
        }
        return b.build();
    }

    private Job withStatus(Job.Builder b, Instant now) {
        b.setObservedGeneration(b.getGeneration())
                .setReconciling(false)
                .setTerminalCondition(Conditions.of("Ready", Condition.State.CONDITION_SUCCEEDED, ""));
        Job j = b.clearEtag().build();
        return j.toBuilder().setEtag(etag(j)).build();
    }

    static ExecutionReference reference(Execution e) {
        ExecutionReference.Builder r = ExecutionReference.newBuilder()
                .setName(e.getName())
                .setCreateTime(e.getCreateTime());
        if (e.hasCompletionTime()) {
            r.setCompletionTime(e.getCompletionTime());
        }
        if (e.hasDeleteTime()) {
            r.setDeleteTime(e.getDeleteTime());
        }
        r.setCompletionStatus(completionStatus(e));
        return r.build();
    }

    private static ExecutionReference.CompletionStatus completionStatus(Execution e) {
        for (Condition c : e.getConditionsList()) {
            if (c.getType().equals("Completed")) {
                if (c.getState() == Condition.State.CONDITION_SUCCEEDED) {
                    return ExecutionReference.CompletionStatus.EXECUTION_SUCCEEDED;
                }
                if (c.getState() == Condition.State.CONDITION_FAILED) {
                    return c.getExecutionReason() == Condition.ExecutionReason.CANCELLED
                            ? ExecutionReference.CompletionStatus.EXECUTION_CANCELLED
                            : ExecutionReference.CompletionStatus.EXECUTION_FAILED;
                }
            }
        }
        return e.hasStartTime() ? ExecutionReference.CompletionStatus.EXECUTION_RUNNING
                : ExecutionReference.CompletionStatus.EXECUTION_PENDING;
    }

    static void checkEtag(String given, String current, String field) {
        if (!given.isEmpty() && !given.equals(current)) {
            // ABORTED (HTTP 409), as AIP-154 prescribes; Cloud Run's reference does not name the code itself.
            throw ApiError.aborted("The " + field + " '" + given + "' does not match the current etag '"
                    + current + "'; the resource was modified concurrently. Read it again and retry.");
        }
    }

    /** A fingerprint of the resource's content, so any change gives a new etag. */
    static String etag(com.google.protobuf.Message m) {
        byte[] bytes = m.toByteArray();
        long h = 1125899906842597L;
        for (byte b : bytes) {
            h = 31 * h + b;
        }
        return "\"" + Long.toUnsignedString(h, 36) + "\"";
    }

    static String randomSuffix(int n) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** The mutable side of one execution, guarded by the registry's lock. */
    static final class ExecutionState {
        final String name;
        final String jobName;
        volatile Execution execution;
        String operationName;
        final List<String> cancelOperations = new ArrayList<>();
        final List<AttemptSpan> attempts = Collections.synchronizedList(new ArrayList<>());
        volatile String result;
        volatile boolean cancelRequested;
        /** starts the execution (hands it to a worker), and the start delay's wait before it does */
        volatile Runnable start;
        volatile Future<?> provisioning;
        final List<RunningTask> running = Collections.synchronizedList(new ArrayList<>());
        /** every task of the execution, by index, from its creation on (Cloud Run lists pending tasks too) */
        final List<TaskState> tasks;

        ExecutionState(String name, String jobName, Execution execution) {
            this.name = name;
            this.jobName = jobName;
            this.execution = execution;
            List<TaskState> all = new ArrayList<>();
            for (int i = 0; i < Math.max(1, execution.getTaskCount()); i++) {
                all.add(new TaskState(i));
            }
            this.tasks = List.copyOf(all);
        }
    }
}
