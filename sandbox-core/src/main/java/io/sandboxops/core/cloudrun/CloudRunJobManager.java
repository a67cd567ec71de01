package io.sandboxops.core.cloudrun;

import com.google.api.gax.longrunning.OperationFuture;
import com.google.api.gax.rpc.AlreadyExistsException;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.FailedPreconditionException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.run.v2.Container;
import com.google.cloud.run.v2.EnvVar;
import com.google.cloud.run.v2.Execution;
import com.google.cloud.run.v2.ExecutionTemplate;
import com.google.cloud.run.v2.Job;
import com.google.cloud.run.v2.ResourceRequirements;
import com.google.cloud.run.v2.RunJobRequest;
import com.google.cloud.run.v2.TaskTemplate;
import com.google.protobuf.Duration;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxTimeoutException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.state.RetryPolicy;
import io.sandboxops.core.state.RetryPolicy.Idempotency;
import io.sandboxops.core.util.InterruptibleSleep;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cloud Run Jobs as the sandboxes use them (DESIGN §5): one job per distinct (image, cpu, memory, task timeout),
 * created once and reused; a command is a {@code RunJob} with overrides, whose execution name is taken from the
 * operation's metadata (its result only comes when the execution ends); status is polled with
 * {@code GetExecution} at capped exponential intervals with jitter. Reads are retried on transient errors;
 * {@code RunJob} never is, since a lost answer may hide a started execution. Thread-safe.
 */
public final class CloudRunJobManager {
    /** The label on every job this backend creates, for sweeps and for people. */
    public static final String APP_LABEL = "app";
    public static final String APP = "sandbox-ops";

    private final GoogleClients clients;
    private final RetryPolicy retry;
    private final java.time.Duration pollInitial;
    private final java.time.Duration pollMax;
    private final Map<JobSpec, String> knownJobs = new ConcurrentHashMap<>();
    private final Counters counters = new Counters();

    /**
     * What a job is made from; two sandboxes with the same spec share one job.
     *
     * @param env variables of every execution (the bucket, the mode); the per-command ones come as overrides
     */
    public record JobSpec(String image, String cpu, String memory, java.time.Duration taskTimeout, Map<String, String> env) {
        public JobSpec {
            env = Map.copyOf(env);
        }

        /** A stable name from the spec: {@code sandboxops-exec-} and a digest. */
        public String jobId() {
            StringBuilder key = new StringBuilder(image).append('|').append(cpu).append('|').append(memory).append('|').append(taskTimeout.toSeconds());
            env.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> key.append('|').append(e.getKey()).append('=').append(e.getValue()));
            try {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(key.toString().getBytes(StandardCharsets.UTF_8));
                return "sandboxops-exec-" + HexFormat.of().formatHex(d, 0, 6);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** How many calls of each kind were made: the benchmarks report Google API calls per command. */
    public static final class Counters {
        public final AtomicLong runJob = new AtomicLong();
        public final AtomicLong getExecution = new AtomicLong();
        public final AtomicLong getJob = new AtomicLong();
        public final AtomicLong createJob = new AtomicLong();
        public final AtomicLong cancelExecution = new AtomicLong();
        public final AtomicLong listExecutions = new AtomicLong();

        public long total() {
            return runJob.get() + getExecution.get() + getJob.get() + createJob.get() + cancelExecution.get() + listExecutions.get();
        }

        @Override
        public String toString() {
            return "runJob=" + runJob + " getExecution=" + getExecution + " getJob=" + getJob + " createJob=" + createJob
                    + " cancelExecution=" + cancelExecution + " listExecutions=" + listExecutions;
        }
    }

    public CloudRunJobManager(GoogleClients clients, RetryPolicy retry) {
        this.clients = clients;
        this.retry = retry;
        this.pollInitial = clients.target().operationPollInitial().dividedBy(5).isZero() ? java.time.Duration.ofMillis(10)
                : clients.target().operationPollInitial().dividedBy(5);
        this.pollMax = clients.target().operationPollMax();
    }

    public Counters counters() {
        return counters;
    }

    /** The full name of the job for {@code spec}, creating the job the first time. */
    public String ensureJob(JobSpec spec) {
        String cached = knownJobs.get(spec);
        if (cached != null) {
            return cached;
        }
        String name = clients.target().locationName() + "/jobs/" + spec.jobId();
        try {
            retry.call("reading job " + name, Idempotency.IDEMPOTENT, () -> {
                counters.getJob.incrementAndGet();
                return clients.jobs().getJob(name);
            });
        } catch (NotFoundException e) {
            create(spec, name);
        }
        knownJobs.put(spec, name);
        return name;
    }

    private void create(JobSpec spec, String name) {
        Container.Builder container = Container.newBuilder().setName("executor").setImage(spec.image())
                .setResources(ResourceRequirements.newBuilder().putLimits("cpu", spec.cpu()).putLimits("memory", spec.memory()));
        spec.env().forEach((k, v) -> container.addEnv(EnvVar.newBuilder().setName(k).setValue(v)));
        Job job = Job.newBuilder()
                .putLabels(APP_LABEL, APP)
                .setTemplate(ExecutionTemplate.newBuilder().setTaskCount(1).setParallelism(1)
                        .setTemplate(TaskTemplate.newBuilder()
                                .addContainers(container)
                                // A retried task would run its command a second time: commands are not idempotent.
                                .setMaxRetries(0)
                                .setTimeout(Duration.newBuilder().setSeconds(spec.taskTimeout().toSeconds()))))
                .build();
        // Safe to repeat: the job id is fixed, so a second attempt either creates the job or finds it made.
        retry.run("creating Cloud Run job " + name, Idempotency.IDEMPOTENT, () -> {
            try {
                counters.createJob.incrementAndGet();
                clients.jobs().createJobAsync(clients.target().locationName(), job, spec.jobId()).get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof AlreadyExistsException) {
                    return; // another client (or an attempt whose answer was lost) created it: the same spec, so the same job
                }
                if (e.getCause() instanceof RuntimeException r && RetryPolicy.isTransient(r)) {
                    throw r;
                }
                throw new SandboxUnavailableException("could not create Cloud Run job " + name + ": " + e.getCause().getMessage(), e.getCause());
            } catch (AlreadyExistsException e) {
                // as above
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandboxUnavailableException("interrupted while creating job " + name, e);
            }
        });
    }

    /**
     * Starts an execution of {@code job} with {@code args} and {@code env} as the container's overrides, once: a
     * command must not run twice, so a failed RunJob is reported, never repeated.
     *
     * @return the execution's full name
     */
    public String run(String job, List<String> args, Map<String, String> env) {
        try {
            return start(request(job, args, env));
        } catch (ApiException e) {
            throw runFailed(job, e);
        }
    }

    /**
     * {@link #run}, repeated on transient failures, for an execution that may safely start twice: a session
     * worker, which steps aside when another worker of its sandbox is already live.
     */
    public String runRepeatable(String job, List<String> args, Map<String, String> env) {
        RunJobRequest request = request(job, args, env);
        try {
            return retry.call("starting an execution of " + job, Idempotency.IDEMPOTENT, () -> start(request));
        } catch (NotFoundException e) {
            throw runFailed(job, e);
        } catch (ApiException e) {
            throw new SandboxUnavailableException("RunJob on " + job + " failed: " + e.getMessage(), e);
        }
    }

    private static RunJobRequest request(String job, List<String> args, Map<String, String> env) {
        RunJobRequest.Overrides.ContainerOverride.Builder o = RunJobRequest.Overrides.ContainerOverride.newBuilder().setName("executor")
                .addAllArgs(args).setClearArgs(args.isEmpty());
        env.forEach((k, v) -> o.addEnv(EnvVar.newBuilder().setName(k).setValue(v)));
        return RunJobRequest.newBuilder().setName(job)
                .setOverrides(RunJobRequest.Overrides.newBuilder().addContainerOverrides(o)).build();
    }

    /** One RunJob; the API's own exception when it fails. */
    private String start(RunJobRequest request) {
        try {
            counters.runJob.incrementAndGet();
            OperationFuture<Execution, Execution> op = clients.jobs().runJobAsync(request);
            // The metadata is the execution as it starts; the result would only come when it ends.
            return op.getMetadata().get().getName();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ApiException api) {
                throw api;
            }
            throw new SandboxUnavailableException("RunJob on " + request.getName() + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxUnavailableException("interrupted while starting an execution of " + request.getName(), e);
        }
    }

    private static SandboxException runFailed(String job, Throwable cause) {
        if (cause instanceof NotFoundException) {
            return new SandboxNotFoundException("Cloud Run job " + job + " does not exist any more; it was deleted by hand", cause);
        }
        // Not repeated: if the request reached Cloud Run, an execution may run; the caller sees the error instead.
        return new SandboxUnavailableException("RunJob on " + job + " failed and was not repeated (it may or may not have started an "
                + "execution): " + cause.getMessage(), cause);
    }

    public Execution get(String execution) {
        return retry.call("reading execution " + execution, Idempotency.IDEMPOTENT, () -> {
            counters.getExecution.incrementAndGet();
            return clients.executions().getExecution(execution);
        });
    }

    /** Whether an execution has ended (succeeded, failed or cancelled). */
    public static boolean isDone(Execution e) {
        return e.hasCompletionTime();
    }

    public static boolean succeeded(Execution e) {
        return isDone(e) && e.getSucceededCount() > 0;
    }

    /**
     * Polls until the execution ends.
     *
     * @throws SandboxTimeoutException when it still runs after {@code timeout}
     */
    public Execution awaitDone(String execution, java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long wait = pollInitial.toMillis();
        while (true) {
            Execution e = get(execution);
            if (isDone(e)) {
                return e;
            }
            if (System.nanoTime() > deadline) {
                throw new SandboxTimeoutException("execution " + execution + " still runs after " + timeout.toSeconds() + " s");
            }
            long jittered = Math.max(1, Math.round(wait * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble())));
            InterruptibleSleep.sleepMillis(jittered, "execution " + execution);
            wait = Math.min(pollMax.toMillis(), Math.max(wait + 1, Math.round(wait * 1.5)));
        }
    }

    /** Cancels an execution and waits until it stopped; cancelling an ended or missing one does nothing. */
    public void cancel(String execution) {
        try {
            counters.cancelExecution.incrementAndGet();
            clients.executions().cancelExecutionAsync(execution).get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof FailedPreconditionException || e.getCause() instanceof NotFoundException)) {
                throw new SandboxUnavailableException("could not cancel execution " + execution + ": " + e.getCause().getMessage(), e.getCause());
            }
        } catch (FailedPreconditionException | NotFoundException e) {
            // already ended, or gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxUnavailableException("interrupted while cancelling " + execution, e);
        }
    }

    /** The running executions of every job this backend created (label {@code app=sandbox-ops}). */
    public List<Execution> runningExecutions() {
        List<Execution> out = new ArrayList<>();
        for (Job job : retry.call("listing jobs", Idempotency.IDEMPOTENT, () -> clients.jobs().listJobs(clients.target().locationName())).iterateAll()) {
            if (!APP.equals(job.getLabelsMap().get(APP_LABEL))) {
                continue;
            }
            counters.listExecutions.incrementAndGet();
            for (Execution e : retry.call("listing executions of " + job.getName(), Idempotency.IDEMPOTENT,
                    () -> clients.executions().listExecutions(job.getName())).iterateAll()) {
                if (!isDone(e)) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    /** The last element of a resource name. */
    public static String shortName(String name) {
        return name.substring(name.lastIndexOf('/') + 1);
    }
}
