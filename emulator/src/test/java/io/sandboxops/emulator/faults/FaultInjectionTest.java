package io.sandboxops.emulator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.rpc.PermissionDeniedException;
import com.google.api.gax.rpc.UnavailableException;
import com.google.cloud.logging.v2.LoggingClient;
import com.google.cloud.run.v2.Execution;
import com.google.cloud.run.v2.Job;
import com.google.cloud.run.v2.JobsClient;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.logging.v2.ListLogEntriesRequest;
import com.google.logging.v2.LogEntry;
import io.grpc.Status;
import io.sandboxops.emulator.CloudClients;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.run.JobFixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Faults injected through the emulator's API and seen through the official clients. */
class FaultInjectionTest {

    private static LocalCloud cloud;
    private static JobsClient jobs;
    private static Storage storage;
    private static LoggingClient logging;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start();
        jobs = CloudClients.jobs(cloud.endpoints());
        storage = CloudClients.storage(cloud.endpoints());
        logging = CloudClients.logging(cloud.endpoints());
    }

    @AfterAll
    static void stop() throws Exception {
        jobs.close();
        storage.close();
        logging.close();
        cloud.close();
    }

    @AfterEach
    void clear() {
        cloud.faults().clear();
    }

    @Test
    void aCountedErrorFailsExactlyThatManyCalls() throws Exception {
        Job job = jobs.createJobAsync(cloud.endpoints().locationName(), JobFixtures.shellJob("true", 0), "faulty")
                .get(30, TimeUnit.SECONDS);
        cloud.faults().add(FaultRule.forMethod("google.cloud.run.v2.Jobs/GetJob").failWith(Status.Code.PERMISSION_DENIED).times(1).build());
        assertThatThrownBy(() -> jobs.getJob(job.getName())).isInstanceOf(PermissionDeniedException.class);
        assertThat(jobs.getJob(job.getName()).getName()).isEqualTo(job.getName());
    }

    @Test
    void aProbabilisticErrorFailsAboutThatShareOfCalls() throws Exception {
        Job job = jobs.createJobAsync(cloud.endpoints().locationName(), JobFixtures.shellJob("true", 0), "sometimes")
                .get(30, TimeUnit.SECONDS);
        cloud.faults().add(FaultRule.forMethod("google.cloud.run.v2.Jobs/GetJob").failWith(Status.Code.PERMISSION_DENIED)
                .probability(0.5).build());
        int failed = 0;
        for (int i = 0; i < 200; i++) {
            try {
                jobs.getJob(job.getName());
            } catch (PermissionDeniedException e) {
                failed++;
            }
        }
        // Binomial(200, 0.5): outside [50, 150] has a probability far below one in a billion.
        assertThat(failed).isBetween(50, 150);
    }

    @Test
    void aBurstFailsEveryMethodOfAServiceUntilItEndsAndIsCounted() throws Exception {
        jobs.createJobAsync(cloud.endpoints().locationName(), JobFixtures.shellJob("true", 0), "bursty").get(30, TimeUnit.SECONDS);
        cloud.faults().add(FaultRule.forMethod("google.cloud.run.v2.Jobs/*").failWith(Status.Code.UNAVAILABLE)
                .forDuration(Duration.ofSeconds(3)).build()); // both calls land in it, on a loaded machine too
        assertThatThrownBy(() -> jobs.listJobs(cloud.endpoints().locationName()).getPage()).isInstanceOf(UnavailableException.class);
        assertThatThrownBy(() -> jobs.getJob(cloud.endpoints().locationName() + "/jobs/bursty")).isInstanceOf(UnavailableException.class);
        storage.list(); // another API is untouched
        assertThat(cloud.faults().injectedErrors()).containsEntry("google.cloud.run.v2.Jobs/ListJobs", 1L)
                .containsEntry("google.cloud.run.v2.Jobs/GetJob", 1L);
        Thread.sleep(3_100);
        assertThat(jobs.getJob(cloud.endpoints().locationName() + "/jobs/bursty").getName()).endsWith("/bursty");
        assertThat(cloud.faults().injectedErrorCount()).isEqualTo(2);
    }

    @Test
    void aLostPreconditionIsCountedAsARace() {
        storage.create(BucketInfo.of("race-bucket"));
        BlobInfo info = BlobInfo.newBuilder("race-bucket", "state.json").build();
        storage.create(info, new byte[] {1}, Storage.BlobTargetOption.doesNotExist());
        long before = cloud.storagePreconditionFailures();
        assertThatThrownBy(() -> storage.create(info, new byte[] {2}, Storage.BlobTargetOption.doesNotExist()))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getCode()).isEqualTo(412));
        assertThat(cloud.storagePreconditionFailures()).isEqualTo(before + 1);
    }

    @Test
    void latencyIsAddedToMatchingCalls() {
        cloud.faults().add(FaultRule.forMethod("google.cloud.run.v2.Jobs/ListJobs").latency(Duration.ofMillis(400)).build());
        long t0 = System.nanoTime();
        jobs.listJobs(cloud.endpoints().locationName()).getPage();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(400);
    }

    @Test
    void aZeroProbabilityRuleNeverFires() {
        cloud.faults().add(FaultRule.forMethod("*").failWith(Status.Code.INTERNAL).probability(0).build());
        long before = cloud.faults().injectedErrorCount();
        for (int i = 0; i < 20; i++) {
            jobs.listJobs(cloud.endpoints().locationName()).getPage();
            storage.list();
        }
        assertThat(cloud.faults().injectedErrorCount()).isEqualTo(before);
        assertThat(cloud.faults().injectedErrors()).doesNotContainKeys("google.cloud.run.v2.Jobs/ListJobs", "storage.buckets.list");
    }

    @Test
    void storageCallsFailWithTheMatchingHttpStatus() {
        storage.create(BucketInfo.of("faulty-bucket"));
        storage.create(BlobInfo.newBuilder("faulty-bucket", "x").build(), new byte[] {1});
        cloud.faults().add(FaultRule.forMethod("storage.objects.get").failWith(Status.Code.PERMISSION_DENIED).times(1).build());
        assertThatThrownBy(() -> storage.get(BlobId.of("faulty-bucket", "x")))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        cloud.faults().add(FaultRule.forMethod("storage.objects.get").failWith(Status.Code.UNAVAILABLE).times(1).build());
        assertThat(storage.get(BlobId.of("faulty-bucket", "x")).getSize()).isEqualTo(1);
    }

    @Test
    void aCrashedTaskAttemptIsRetried() throws Exception {
        Job job = jobs.createJobAsync(cloud.endpoints().locationName(), JobFixtures.shellJob("sleep 1", 1), "crashy")
                .get(30, TimeUnit.SECONDS);
        cloud.faults().crashNextTaskAttempts(1, Duration.ofMillis(200));
        Execution done = jobs.runJobAsync(job.getName()).get(60, TimeUnit.SECONDS);
        assertThat(done.getRetriedCount()).isEqualTo(1);
        assertThat(done.getSucceededCount()).isEqualTo(1);
        String executionId = done.getName().substring(done.getName().lastIndexOf('/') + 1);
        List<LogEntry> entries = new ArrayList<>();
        logging.listLogEntries(ListLogEntriesRequest.newBuilder().addResourceNames("projects/" + cloud.endpoints().projectId())
                .setFilter("labels.\"run.googleapis.com/execution_name\"=\"" + executionId + "\" textPayload:injected").build())
                .iterateAll().forEach(entries::add);
        assertThat(entries).hasSize(1);
    }
}
