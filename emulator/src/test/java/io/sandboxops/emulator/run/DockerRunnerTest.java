package io.sandboxops.emulator.run;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import com.google.api.gax.longrunning.OperationFuture;
import com.google.cloud.logging.v2.LoggingClient;
import com.google.cloud.monitoring.v3.MetricServiceClient;
import com.google.monitoring.v3.Aggregation;
import com.google.monitoring.v3.ListTimeSeriesRequest;
import com.google.monitoring.v3.TimeInterval;
import com.google.monitoring.v3.TimeSeries;
import com.google.protobuf.Timestamp;
import java.time.Instant;
import com.google.cloud.run.v2.Container;
import com.google.cloud.run.v2.EnvVar;
import com.google.cloud.run.v2.Execution;
import com.google.cloud.run.v2.ExecutionTemplate;
import com.google.cloud.run.v2.Job;
import com.google.cloud.run.v2.JobsClient;
import com.google.cloud.run.v2.ResourceRequirements;
import com.google.cloud.run.v2.RunJobRequest;
import com.google.cloud.run.v2.TaskTemplate;
import com.google.logging.v2.ListLogEntriesRequest;
import com.google.logging.v2.LogEntry;
import com.google.protobuf.Duration;
import io.sandboxops.emulator.CloudClients;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudConfig;
import io.sandboxops.emulator.RequiresDocker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Executions as real containers of the sandbox image, on the host network. */
@RequiresDocker
class DockerRunnerTest {

    private static final String IMAGE = "sandboxops/sandbox:latest";

    private static LocalCloud cloud;
    private static JobsClient jobs;
    private static LoggingClient logging;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start(LocalCloudConfig.newBuilder().runner(DockerExecutionRunner::connect).build());
        jobs = CloudClients.jobs(cloud.endpoints());
        logging = CloudClients.logging(cloud.endpoints());
    }

    @AfterAll
    static void stop() {
        if (jobs != null) {
            jobs.close();
            logging.close();
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    private static Job job(String image, int maxRetries) {
        return Job.newBuilder().setTemplate(ExecutionTemplate.newBuilder().setTemplate(TaskTemplate.newBuilder()
                .setMaxRetries(maxRetries)
                .addContainers(Container.newBuilder()
                        .setImage(image)
                        .setResources(ResourceRequirements.newBuilder()
                                .putLimits("memory", "256Mi")
                                .putLimits("cpu", "1"))))).build();
    }

    private static RunJobRequest run(Job job, String script, String... env) {
        RunJobRequest.Overrides.ContainerOverride.Builder o = RunJobRequest.Overrides.ContainerOverride.newBuilder()
                .addArgs("bash").addArgs("-c").addArgs(script);
        for (int i = 0; i < env.length; i += 2) {
            o.addEnv(EnvVar.newBuilder().setName(env[i]).setValue(env[i + 1]));
        }
        return RunJobRequest.newBuilder().setName(job.getName())
                .setOverrides(RunJobRequest.Overrides.newBuilder().addContainerOverrides(o)).build();
    }

    @Test
    void aContainerRunsWithTheOverridesAndReachesTheEmulatorOnLoopback() throws Exception {
        Job job = jobs.createJobAsync(cloud.endpoints().locationName(), job(IMAGE, 0), "docker-hello").get(30, TimeUnit.SECONDS);
        String script = "echo \"$GREETING uid=$(id -u) task=$CLOUD_RUN_TASK_INDEX/$CLOUD_RUN_TASK_COUNT\"; "
                + "echo \"memory=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)\"; "
                + "hostport=${STORAGE_EMULATOR_HOST#http://}; exec 3<>/dev/tcp/${hostport%:*}/${hostport#*:}; "
                + "printf 'GET /storage/v1/b/no-such-bucket HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' >&3; echo \"storage says: $(head -1 <&3 | tr -d '\\r')\"";
        Execution done = jobs.runJobAsync(run(job, script, "GREETING", "hello")).get(120, TimeUnit.SECONDS);
        assertThat(done.getSucceededCount()).as("execution %s", done).isEqualTo(1);

        List<String> lines = stdout(done);
        assertThat(lines).contains("hello uid=1000 task=0/1", "memory=268435456", "storage says: HTTP/1.1 401 Unauthorized");

        try (MetricServiceClient metrics = CloudClients.metrics(cloud.endpoints())) {
            Instant now = Instant.now().plusSeconds(1);
            List<TimeSeries> counts = new ArrayList<>();
            metrics.listTimeSeries(ListTimeSeriesRequest.newBuilder()
                    .setName("projects/" + cloud.endpoints().projectId())
                    .setFilter("metric.type=\"run.googleapis.com/job/completed_execution_count\" "
                            + "AND resource.labels.job_name=\"docker-hello\" AND metric.labels.result=\"succeeded\"")
                    .setInterval(TimeInterval.newBuilder()
                            .setStartTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond() - 600))
                            .setEndTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond())))
                    .setAggregation(Aggregation.newBuilder()
                            .setAlignmentPeriod(Duration.newBuilder().setSeconds(600))
                            .setPerSeriesAligner(Aggregation.Aligner.ALIGN_DELTA))
                    .build()).iterateAll().forEach(counts::add);
            assertThat(counts).singleElement().satisfies(s -> assertThat(s.getPoints(0).getValue().getInt64Value()).isEqualTo(1));
        }
    }

    @Test
    void theTaskTimeoutKillsTheContainer() throws Exception {
        Job job = jobs.createJobAsync(cloud.endpoints().locationName(), job(IMAGE, 0), "docker-slow").get(30, TimeUnit.SECONDS);
        RunJobRequest request = run(job, "echo started; sleep 60").toBuilder()
                .setOverrides(run(job, "echo started; sleep 60").getOverrides().toBuilder()
                        .setTimeout(Duration.newBuilder().setSeconds(2)))
                .build();
        long t0 = System.nanoTime();
        Execution done = jobs.runJobAsync(request).get(120, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(30);
        assertThat(done.getFailedCount()).isEqualTo(1);
        assertThat(stdout(done)).contains("started");
    }

    @Test
    void taskContainersAreLabelledWhileTheyRunAndRemovedAfter() throws Exception {
        Job job = jobs.createJobAsync(cloud.endpoints().locationName(), job(IMAGE, 0), "docker-labelled").get(30, TimeUnit.SECONDS);
        OperationFuture<Execution, Execution> op = jobs.runJobAsync(run(job, "sleep 3"));
        String executionId = op.getMetadata().get(30, TimeUnit.SECONDS).getName().replaceAll(".*/", "");
        Map<String, String> labels = Map.of(DockerExecutionRunner.APP_LABEL, DockerExecutionRunner.APP,
                "sandbox-ops.emulator/execution", executionId);
        try (DockerClient docker = docker()) {
            await().atMost(20, TimeUnit.SECONDS).until(() -> docker.listContainersCmd().withLabelFilter(labels).exec().size() == 1);
            com.github.dockerjava.api.model.Container c = docker.listContainersCmd().withLabelFilter(labels).exec().get(0);
            assertThat(c.getLabels()).containsEntry("sandbox-ops.emulator/job", "docker-labelled")
                    .containsEntry("sandbox-ops.emulator/task-index", "0")
                    .containsKey(DockerExecutionRunner.OWNER_LABEL);
            assertThat(c.getHostConfig().getNetworkMode()).isEqualTo("host");
            assertThat(op.get(60, TimeUnit.SECONDS).getSucceededCount()).isEqualTo(1);
            assertThat(docker.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec()).isEmpty();
        }
    }

    private static DockerClient docker() {
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        return DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build());
    }

    @Test
    void aMissingImageFailsTheAttemptWithoutPulling() throws Exception {
        Job job = jobs.createJobAsync(cloud.endpoints().locationName(), job("sandboxops/does-not-exist:1", 0), "docker-missing")
                .get(30, TimeUnit.SECONDS);
        Execution done = jobs.runJobAsync(job.getName()).get(60, TimeUnit.SECONDS);
        assertThat(done.getFailedCount()).isEqualTo(1);
        String executionId = done.getName().substring(done.getName().lastIndexOf('/') + 1);
        assertThat(entries("labels.\"run.googleapis.com/execution_name\"=\"" + executionId + "\" logName:\"system\""))
                .extracting(LogEntry::getTextPayload)
                .anySatisfy(t -> assertThat(t).contains("not present"));
    }

    private static List<String> stdout(Execution done) {
        String executionId = done.getName().substring(done.getName().lastIndexOf('/') + 1);
        return entries("labels.\"run.googleapis.com/execution_name\"=\"" + executionId + "\" logName:stdout")
                .stream().map(LogEntry::getTextPayload).toList();
    }

    private static List<LogEntry> entries(String filter) {
        List<LogEntry> out = new ArrayList<>();
        logging.listLogEntries(ListLogEntriesRequest.newBuilder()
                .addResourceNames("projects/" + cloud.endpoints().projectId())
                .setFilter(filter).build()).iterateAll().forEach(out::add);
        return out;
    }
}
