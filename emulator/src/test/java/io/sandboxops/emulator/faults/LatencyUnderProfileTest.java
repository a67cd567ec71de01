package io.sandboxops.emulator.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.run.v2.Execution;
import com.google.cloud.run.v2.Job;
import com.google.cloud.run.v2.JobsClient;
import com.google.cloud.run.v2.Task;
import com.google.cloud.run.v2.TasksClient;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.protobuf.Timestamp;
import io.sandboxops.emulator.CloudClients;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudConfig;
import io.sandboxops.emulator.run.JobFixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A latency profile seen through the official clients: the methods it names wait (at least) their latency, the
 * others do not, and an execution's tasks start only after its start delay. Lower bounds only: a loaded machine
 * makes everything slower, never faster.
 */
class LatencyUnderProfileTest {

    private static final Duration GET = Duration.ofMillis(1000);
    private static final Duration EXECUTION_START = Duration.ofMillis(1500);

    private static LatencyProfile profile;
    private static LocalCloud cloud;
    private static Storage storage;
    private static JobsClient jobs;
    private static TasksClient tasks;

    @BeforeAll
    static void start() {
        profile = LatencyProfile.parse("""
                {"name": "test", "methods": {
                  "storage.objects.get": {"fixed_ms": %d},
                  "execution.start": {"fixed_ms": %d}}}
                """.formatted(GET.toMillis(), EXECUTION_START.toMillis()), "test profile");
        cloud = LocalCloud.start(LocalCloudConfig.newBuilder().build().withLatencyProfile(profile));
        storage = CloudClients.storage(cloud.endpoints());
        jobs = CloudClients.jobs(cloud.endpoints());
        tasks = CloudClients.tasks(cloud.endpoints());
        storage.create(BucketInfo.of("profiled"));
        storage.create(BlobInfo.newBuilder("profiled", "state.json").build(), new byte[] {7});
    }

    @AfterAll
    static void stop() throws Exception {
        storage.close();
        jobs.close();
        tasks.close();
        cloud.close();
    }

    @Test
    void aStorageGetWaitsAtLeastItsProfiledLatencyForMetadataAndMedia() {
        long t0 = System.nanoTime();
        assertThat(storage.get(BlobId.of("profiled", "state.json")).getSize()).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(GET);
        long t1 = System.nanoTime();
        assertThat(storage.readAllBytes(BlobId.of("profiled", "state.json"))).containsExactly(7);
        assertThat(Duration.ofNanos(System.nanoTime() - t1)).isGreaterThanOrEqualTo(GET);
    }

    @Test
    void methodsTheProfileDoesNotNameAreAnsweredWhileAGetStillWaits() throws Exception {
        CompletableFuture<byte[]> get = CompletableFuture.supplyAsync(() -> storage.readAllBytes(BlobId.of("profiled", "state.json")));
        Thread.sleep(100); // the get is on its way
        storage.list("profiled");
        storage.create(BlobInfo.newBuilder("profiled", "other").build(), new byte[] {1});
        storage.delete(BlobId.of("profiled", "other"));
        jobs.listJobs(cloud.endpoints().locationName()).getPage();
        assertThat(get).isNotDone();
        assertThat(get.get(30, TimeUnit.SECONDS)).containsExactly(7);
    }

    @Test
    void anExecutionsTasksStartOnlyAfterTheExecutionStartDelay() throws Exception {
        Job job = jobs.createJobAsync(cloud.endpoints().locationName(), JobFixtures.shellJob("true", 0), "delayed")
                .get(30, TimeUnit.SECONDS);
        Execution done = jobs.runJobAsync(job.getName()).get(60, TimeUnit.SECONDS);
        assertThat(done.getSucceededCount()).isEqualTo(1);
        assertThat(between(done.getCreateTime(), done.getStartTime())).isGreaterThanOrEqualTo(EXECUTION_START);
        List<Task> listed = new ArrayList<>();
        tasks.listTasks(done.getName()).iterateAll().forEach(listed::add);
        assertThat(listed).hasSize(1);
        assertThat(between(done.getCreateTime(), listed.get(0).getStartTime())).isGreaterThanOrEqualTo(EXECUTION_START);
    }

    @Test
    void anExecutionCancelledWhileProvisioningEndsWithoutWaitingOutItsStartDelay() throws Exception {
        cloud.faults().useProfile(LatencyProfile.parse("{\"methods\": {\"execution.start\": {\"fixed_ms\": 120000}}}", "slow start"), 1);
        try {
            Job job = jobs.createJobAsync(cloud.endpoints().locationName(), JobFixtures.shellJob("true", 0), "cancelled-early")
                    .get(30, TimeUnit.SECONDS);
            var run = jobs.runJobAsync(job.getName());
            run.getInitialFuture().get(30, TimeUnit.SECONDS);
            try (var executions = CloudClients.executions(cloud.endpoints())) {
                Execution pending = executions.listExecutions(job.getName()).iterateAll().iterator().next();
                assertThat(pending.hasStartTime()).isFalse();
                executions.cancelExecutionAsync(pending.getName()).get(60, TimeUnit.SECONDS);
            }
            Execution done = run.get(60, TimeUnit.SECONDS);
            assertThat(done.getCancelledCount()).isEqualTo(1);
            assertThat(done.getSucceededCount()).isZero();
        } finally {
            cloud.faults().useProfile(profile, 0);
        }
    }

    private static Duration between(Timestamp from, Timestamp to) {
        return Duration.ofSeconds(to.getSeconds() - from.getSeconds(), to.getNanos() - from.getNanos());
    }
}
