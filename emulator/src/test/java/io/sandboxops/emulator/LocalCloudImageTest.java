package io.sandboxops.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import com.google.cloud.WriteChannel;
import com.google.cloud.logging.v2.LoggingClient;
import com.google.cloud.run.v2.Container;
import com.google.cloud.run.v2.Execution;
import com.google.cloud.run.v2.ExecutionTemplate;
import com.google.cloud.run.v2.Job;
import com.google.cloud.run.v2.JobsClient;
import com.google.cloud.run.v2.TaskTemplate;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.logging.v2.ListLogEntriesRequest;
import com.google.logging.v2.LogEntry;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local cloud's image, {@code sandboxops/local-cloud:latest}, as someone outside Java runs it: {@code docker run}
 * on the host network, bound to 127.0.0.1, its token read from its output; the official Java clients then use it.
 * Build the image first with {@code emulator/build-image.sh} (CI does); without it the test is skipped, or fails when
 * {@code -Dsandbox.requireDocker=true}. Another tag: {@code -Dsandbox.localCloudImage=…}.
 */
@RequiresDocker
class LocalCloudImageTest {

    static final String IMAGE = System.getProperty("sandbox.localCloudImage", "sandboxops/local-cloud:latest");
    private static final Pattern TOKEN = Pattern.compile("(?m)^access token \\(this run only\\): (\\S+)$");

    private static DockerClient docker;
    private static String containerId;
    private static LocalCloudEndpoints endpoints;

    @BeforeAll
    static void start() throws Exception {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        docker = DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).build());
        try {
            docker.inspectImageCmd(IMAGE).exec();
        } catch (NotFoundException e) {
            String reason = IMAGE + " is not in the local Docker engine; build it with emulator/build-image.sh";
            if (Boolean.getBoolean("sandbox.requireDocker")) {
                throw new AssertionError(reason, e);
            }
            Assumptions.abort(reason);
        }
        int grpc;
        int storage;
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            grpc = a.getLocalPort();
            storage = b.getLocalPort();
        }
        // The image's own command line, with ports of this test's own.
        containerId = docker.createContainerCmd(IMAGE)
                .withName("local-cloud-test-" + UUID.randomUUID().toString().substring(0, 8))
                .withCmd("--data-dir", "/data", "--port", String.valueOf(grpc), "--storage-port", String.valueOf(storage),
                        "--runner", "process", "--process-command", "sh -c")
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("host"))
                .exec().getId();
        docker.startContainerCmd(containerId).exec();
        String token = awaitToken(Duration.ofSeconds(60));
        endpoints = new LocalCloudEndpoints("127.0.0.1", grpc, storage, "local-project", "us-central1", token);
    }

    private static String awaitToken(Duration limit) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        String output = "";
        while (Instant.now().isBefore(deadline)) {
            output = logs();
            Matcher m = TOKEN.matcher(output);
            if (m.find()) {
                assertThat(output).contains("Cloud Storage JSON API (HTTP):        http://127.0.0.1:")
                        .doesNotContain("SLF4J");
                return m.group(1);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the local cloud's container printed no access token within " + limit + "; its output:\n"
                + output.replaceAll("lc-\\S+", "lc-***"));
    }

    private static String logs() throws InterruptedException {
        StringBuilder out = new StringBuilder();
        docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
            }
        }).awaitCompletion(10, TimeUnit.SECONDS);
        return out.toString();
    }

    @AfterAll
    static void stop() throws Exception {
        if (containerId != null) {
            docker.removeContainerCmd(containerId).withForce(true).exec();
        }
        if (docker != null) {
            docker.close();
        }
    }

    @Test
    void theImageServesCloudStorageToTheJavaClient() throws Exception {
        try (Storage storage = CloudClients.storage(endpoints)) {
            storage.create(BucketInfo.of("image-bucket"));
            byte[] data = "stored by the container".getBytes(StandardCharsets.UTF_8);
            try (WriteChannel writer = storage.writer(BlobInfo.newBuilder("image-bucket", "a/b.txt").build())) {
                writer.write(ByteBuffer.wrap(data));
            }
            assertThat(storage.readAllBytes(BlobId.of("image-bucket", "a/b.txt"))).isEqualTo(data);
        }
    }

    @Test
    void theImageRunsJobsWhoseOutputReachesCloudLogging() throws Exception {
        try (JobsClient jobs = CloudClients.jobs(endpoints); LoggingClient logging = CloudClients.logging(endpoints)) {
            Job job = jobs.createJobAsync(endpoints.locationName(), Job.newBuilder().setTemplate(ExecutionTemplate.newBuilder()
                    .setTemplate(TaskTemplate.newBuilder().setMaxRetries(0).addContainers(Container.newBuilder()
                            .setImage("any").addArgs("echo from inside the image as $(id -u)"))))
                    .build(), "image-job").get(60, TimeUnit.SECONDS);
            Execution done = jobs.runJobAsync(job.getName()).get(60, TimeUnit.SECONDS);
            assertThat(done.getSucceededCount()).isEqualTo(1);
            List<LogEntry> entries = new ArrayList<>();
            logging.listLogEntries(ListLogEntriesRequest.newBuilder()
                    .addResourceNames("projects/" + endpoints.projectId())
                    .setFilter("resource.type=\"cloud_run_job\" AND resource.labels.job_name=\"image-job\"")
                    .build()).iterateAll().forEach(entries::add);
            assertThat(entries).extracting(LogEntry::getTextPayload).contains("from inside the image as 1000");
        }
    }
}
