package io.sandboxops.emulator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.api.gax.longrunning.OperationFuture;
import com.google.api.gax.rpc.AbortedException;
import com.google.api.gax.rpc.AlreadyExistsException;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.FailedPreconditionException;
import com.google.api.gax.rpc.InvalidArgumentException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.api.gax.rpc.UnimplementedException;
import com.google.cloud.logging.v2.LoggingClient;
import com.google.cloud.run.v2.CancelExecutionRequest;
import com.google.cloud.run.v2.Condition;
import com.google.cloud.run.v2.Container;
import com.google.cloud.run.v2.DeleteJobRequest;
import com.google.cloud.run.v2.EnvVar;
import com.google.cloud.run.v2.Execution;
import com.google.cloud.run.v2.ExecutionReference;
import com.google.cloud.run.v2.ExecutionTemplate;
import com.google.cloud.run.v2.ExecutionsClient;
import com.google.cloud.run.v2.Job;
import com.google.cloud.run.v2.JobsClient;
import com.google.cloud.run.v2.RunJobRequest;
import com.google.cloud.run.v2.TaskTemplate;
import com.google.cloud.run.v2.UpdateJobRequest;
import com.google.iam.v1.GetIamPolicyRequest;
import com.google.logging.v2.ListLogEntriesRequest;
import com.google.logging.v2.LogEntry;
import com.google.longrunning.Operation;
import com.google.longrunning.WaitOperationRequest;
import com.google.protobuf.Duration;
import io.sandboxops.emulator.CloudClients;
import io.sandboxops.emulator.LocalCloud;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Jobs, executions and their operations through JobsClient and ExecutionsClient, tasks as local processes. */
class JobsAndExecutionsTest {

    private static LocalCloud cloud;
    private static JobsClient jobs;
    private static ExecutionsClient executions;
    private static LoggingClient logging;
    private static String parent;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start();
        jobs = CloudClients.jobs(cloud.endpoints());
        executions = CloudClients.executions(cloud.endpoints());
        logging = CloudClients.logging(cloud.endpoints());
        parent = cloud.endpoints().locationName();
    }

    @AfterAll
    static void stop() {
        jobs.close();
        executions.close();
        logging.close();
        cloud.close();
    }

    private static Job shellJob(String script, int maxRetries) {
        return JobFixtures.shellJob(script, maxRetries);
    }

    @Test
    void jobsAreCreatedReadListedUpdatedAndDeleted() throws Exception {
        Job created = jobs.createJobAsync(parent, shellJob("true", 1), "crud-job").get(30, TimeUnit.SECONDS);
        assertThat(created.getName()).isEqualTo(parent + "/jobs/crud-job");
        assertThat(created.getGeneration()).isEqualTo(1);
        assertThat(created.getTemplate().getTaskCount()).isEqualTo(1);
        assertThat(created.getTemplate().getTemplate().getTimeout().getSeconds()).isEqualTo(600);
        assertThat(created.getTerminalCondition().getState()).isEqualTo(Condition.State.CONDITION_SUCCEEDED);
        assertThat(created.getEtag()).isNotEmpty();

        assertThat(jobs.getJob(created.getName())).isEqualTo(created);
        assertThat(StreamSupport.stream(jobs.listJobs(parent).iterateAll().spliterator(), false).map(Job::getName))
                .contains(created.getName());

        Job changed = created.toBuilder().putLabels("team", "sandbox").build();
        Job updated = jobs.updateJobAsync(changed).get(30, TimeUnit.SECONDS);
        assertThat(updated.getGeneration()).isEqualTo(2);
        assertThat(updated.getLabelsMap()).containsEntry("team", "sandbox");
        assertThat(updated.getEtag()).isNotEqualTo(created.getEtag());

        // The etag of generation 1 is stale now: ABORTED (HTTP 409), as AIP-154 prescribes for Google's APIs.
        assertThatThrownBy(() -> jobs.updateJobAsync(UpdateJobRequest.newBuilder().setJob(changed).build()).get())
                .hasCauseInstanceOf(AbortedException.class);
        assertThatThrownBy(() -> jobs.deleteJobAsync(DeleteJobRequest.newBuilder()
                .setName(created.getName()).setEtag(created.getEtag()).build()).get())
                .hasCauseInstanceOf(AbortedException.class);
        assertThatThrownBy(() -> jobs.runJobAsync(RunJobRequest.newBuilder()
                .setName(created.getName()).setEtag(created.getEtag()).build()).get())
                .hasCauseInstanceOf(AbortedException.class);

        jobs.deleteJobAsync(DeleteJobRequest.newBuilder().setName(created.getName()).setEtag(updated.getEtag()).build())
                .get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> jobs.getJob(created.getName())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void aMethodTheEmulatorDoesNotImplementAnswersUnimplemented() throws Exception {
        Job job = jobs.createJobAsync(parent, shellJob("true", 0), "iam-job").get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> jobs.getIamPolicy(GetIamPolicyRequest.newBuilder().setResource(job.getName()).build()))
                .isInstanceOf(UnimplementedException.class);
    }

    @Test
    void errorsAreTheOnesTheRealApiGives() throws Exception {
        jobs.createJobAsync(parent, shellJob("true", 0), "dup-job").get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> jobs.createJobAsync(parent, shellJob("true", 0), "dup-job").get())
                .hasCauseInstanceOf(AlreadyExistsException.class);

        assertThatThrownBy(() -> jobs.createJobAsync(parent, shellJob("true", 0), "Bad_Id").get())
                .cause()
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.getMessage()).contains("job_id");
                    assertThat(e.getErrorDetails().getBadRequest().getFieldViolations(0).getField()).isEqualTo("job_id");
                });
        Job noImage = Job.newBuilder().setTemplate(ExecutionTemplate.newBuilder()
                .setTemplate(TaskTemplate.newBuilder().addContainers(Container.newBuilder()))).build();
        assertThatThrownBy(() -> jobs.createJobAsync(parent, noImage, "no-image").get())
                .cause()
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(
                        e.getErrorDetails().getBadRequest().getFieldViolations(0).getField())
                        .isEqualTo("job.template.template.containers[0].image"));
        assertThatThrownBy(() -> jobs.getJob(parent + "/jobs/missing")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> executions.getExecution(parent + "/jobs/missing/executions/missing-abcde"))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void runJobWithOverridesSucceedsAndTheOperationCompletesWithTheExecution() throws Exception {
        Job job = jobs.createJobAsync(parent,
                shellJob("echo \"$GREETING from task $CLOUD_RUN_TASK_INDEX of $CLOUD_RUN_TASK_COUNT in $CLOUD_RUN_JOB\"; "
                        + "echo '{\"severity\":\"WARNING\",\"message\":\"structured\",\"step\":7}'; echo oops >&2", 0),
                "greeter").get(30, TimeUnit.SECONDS);
        OperationFuture<Execution, Execution> op = jobs.runJobAsync(RunJobRequest.newBuilder()
                .setName(job.getName())
                .setOverrides(RunJobRequest.Overrides.newBuilder()
                        .setTaskCount(2)
                        .addContainerOverrides(RunJobRequest.Overrides.ContainerOverride.newBuilder()
                                .addEnv(EnvVar.newBuilder().setName("GREETING").setValue("hello"))))
                .build());
        // The metadata names the execution right away, long before the operation is done.
        Execution started = op.getMetadata().get(30, TimeUnit.SECONDS);
        assertThat(started.getName()).startsWith(job.getName() + "/executions/greeter-");
        assertThat(started.getTaskCount()).isEqualTo(2);

        Execution done = op.get(60, TimeUnit.SECONDS);
        assertThat(done.getName()).isEqualTo(started.getName());
        assertThat(done.getSucceededCount()).isEqualTo(2);
        assertThat(done.getFailedCount()).isZero();
        assertThat(done.hasCompletionTime()).isTrue();
        assertThat(done.hasStartTime()).isTrue();
        assertThat(condition(done, "Completed").getState()).isEqualTo(Condition.State.CONDITION_SUCCEEDED);
        assertThat(executions.getExecution(done.getName()).getSucceededCount()).isEqualTo(2);
        assertThat(jobs.getJob(job.getName()).getLatestCreatedExecution().getCompletionStatus())
                .isEqualTo(ExecutionReference.CompletionStatus.EXECUTION_SUCCEEDED);

        String executionId = done.getName().substring(done.getName().lastIndexOf('/') + 1);
        List<LogEntry> entries = entries("resource.type=\"cloud_run_job\" AND resource.labels.job_name=\"greeter\" "
                + "AND labels.\"run.googleapis.com/execution_name\"=\"" + executionId + "\" AND logName:\"stdout\"");
        assertThat(entries).extracting(LogEntry::getTextPayload)
                .contains("hello from task 0 of 2 in greeter", "hello from task 1 of 2 in greeter");
        List<LogEntry> structured = entries("labels.\"run.googleapis.com/execution_name\"=\"" + executionId
                + "\" jsonPayload.step=7 severity>=WARNING");
        assertThat(structured).hasSize(2);
        assertThat(structured.get(0).getJsonPayload().getFieldsOrThrow("message").getStringValue()).isEqualTo("structured");
        assertThat(entries("labels.\"run.googleapis.com/execution_name\"=\"" + executionId + "\" AND severity=ERROR "
                + "AND logName=\"projects/" + cloud.endpoints().projectId() + "/logs/run.googleapis.com%2Fstderr\""))
                .extracting(LogEntry::getTextPayload).containsOnly("oops");
    }

    @Test
    void failedAttemptsAreRetriedUpToMaxRetries() throws Exception {
        Job job = jobs.createJobAsync(parent, shellJob("echo attempt $CLOUD_RUN_TASK_ATTEMPT; exit 3", 2), "flaky")
                .get(30, TimeUnit.SECONDS);
        Execution done = jobs.runJobAsync(job.getName()).get(60, TimeUnit.SECONDS);
        assertThat(done.getFailedCount()).isEqualTo(1);
        assertThat(done.getRetriedCount()).isEqualTo(2);
        assertThat(done.getSucceededCount()).isZero();
        Condition completed = condition(done, "Completed");
        assertThat(completed.getState()).isEqualTo(Condition.State.CONDITION_FAILED);
        assertThat(completed.getExecutionReason()).isEqualTo(Condition.ExecutionReason.NON_ZERO_EXIT_CODE);
        String executionId = done.getName().substring(done.getName().lastIndexOf('/') + 1);
        assertThat(entries("labels.\"run.googleapis.com/execution_name\"=\"" + executionId + "\" textPayload:attempt"))
                .extracting(LogEntry::getTextPayload).containsExactly("attempt 0", "attempt 1", "attempt 2");
    }

    @Test
    void theTaskTimeoutKillsTheAttempt() throws Exception {
        Job job = jobs.createJobAsync(parent, shellJob("sleep 30", 0), "slow").get(30, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        Execution done = jobs.runJobAsync(RunJobRequest.newBuilder().setName(job.getName())
                .setOverrides(RunJobRequest.Overrides.newBuilder().setTimeout(Duration.newBuilder().setSeconds(1)))
                .build()).get(60, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(15);
        assertThat(done.getFailedCount()).isEqualTo(1);
        assertThat(done.getTemplate().getTimeout().getSeconds()).isEqualTo(1);
    }

    @Test
    void cancellingARunningExecutionStopsIt() throws Exception {
        Job job = jobs.createJobAsync(parent, shellJob("sleep 60", 0), "cancellable").get(30, TimeUnit.SECONDS);
        OperationFuture<Execution, Execution> run = jobs.runJobAsync(job.getName());
        String name = run.getMetadata().get(30, TimeUnit.SECONDS).getName();
        await().atMost(10, TimeUnit.SECONDS).until(() -> executions.getExecution(name).getRunningCount() == 1);

        Execution cancelled = executions.cancelExecutionAsync(name).get(30, TimeUnit.SECONDS);
        assertThat(cancelled.getCancelledCount()).isEqualTo(1);
        assertThat(condition(cancelled, "Completed").getExecutionReason()).isEqualTo(Condition.ExecutionReason.CANCELLED);
        assertThat(run.get(30, TimeUnit.SECONDS).getCancelledCount()).isEqualTo(1);
        assertThatThrownBy(() -> executions.cancelExecutionAsync(CancelExecutionRequest.newBuilder().setName(name).build()).get())
                .hasCauseInstanceOf(FailedPreconditionException.class);
    }

    @Test
    void executionsAreListedNewestFirstAndDeleted() throws Exception {
        Job job = jobs.createJobAsync(parent, shellJob("true", 0), "listed").get(30, TimeUnit.SECONDS);
        Execution first = jobs.runJobAsync(job.getName()).get(60, TimeUnit.SECONDS);
        Execution second = jobs.runJobAsync(job.getName()).get(60, TimeUnit.SECONDS);
        List<String> names = new ArrayList<>();
        executions.listExecutions(job.getName()).iterateAll().forEach(e -> names.add(e.getName()));
        assertThat(names).containsExactly(second.getName(), first.getName());
        assertThat(jobs.getJob(job.getName()).getExecutionCount()).isEqualTo(2);

        executions.deleteExecutionAsync(first.getName()).get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> executions.getExecution(first.getName())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void operationsCanBeReadWaitedOnAndListed() throws Exception {
        Job job = jobs.createJobAsync(parent, shellJob("sleep 1", 0), "waited").get(30, TimeUnit.SECONDS);
        OperationFuture<Execution, Execution> run = jobs.runJobAsync(job.getName());
        String opName = run.getName();
        Operation running = jobs.getOperationsClient().getOperation(opName);
        assertThat(running.getDone()).isFalse();
        assertThat(running.getMetadata().unpack(Execution.class).getJob()).isEqualTo("waited");

        Operation done = jobs.getOperationsClient().waitOperation(WaitOperationRequest.newBuilder()
                .setName(opName).setTimeout(Duration.newBuilder().setSeconds(30)).build());
        assertThat(done.getDone()).isTrue();
        assertThat(done.getResponse().unpack(Execution.class).getSucceededCount()).isEqualTo(1);
        assertThat(StreamSupport.stream(jobs.getOperationsClient().listOperations(parent, "").iterateAll().spliterator(), false)
                .map(Operation::getName)).contains(opName);
        assertThatThrownBy(() -> jobs.getOperationsClient().getOperation(parent + "/operations/nope"))
                .isInstanceOf(ApiException.class);
    }

    private static List<LogEntry> entries(String filter) {
        List<LogEntry> out = new ArrayList<>();
        logging.listLogEntries(ListLogEntriesRequest.newBuilder()
                .addResourceNames("projects/" + cloud.endpoints().projectId())
                .setFilter(filter)
                .build()).iterateAll().forEach(out::add);
        return out;
    }

    static Condition condition(Execution e, String type) {
        return e.getConditionsList().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }
}
