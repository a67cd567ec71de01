package io.sandboxops.emulator.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.core.ApiFuture;
import com.google.cloud.run.v2.GetJobRequest;
import com.google.cloud.run.v2.JobsClient;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import io.sandboxops.emulator.CloudClients;
import io.sandboxops.emulator.LocalCloud;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Latency is a wait, not work: calls made to wait must not each hold one of the emulator's threads, or a latency
 * profile under many concurrent long-polls (every session worker polls) would grow the emulator to thousands of threads.
 */
class WaitingCallsTest {

    private static final int CALLS = 120;
    private static final Duration WAIT = Duration.ofSeconds(3);

    private static LocalCloud cloud;
    private static JobsClient jobs;
    private static Storage storage;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start();
        jobs = CloudClients.jobs(cloud.endpoints());
        storage = CloudClients.storage(cloud.endpoints());
    }

    @AfterAll
    static void stop() throws Exception {
        jobs.close();
        storage.close();
        cloud.close();
    }

    @Test
    void delayedGrpcCallsHoldNoServerThreadWhileTheyWait() throws Exception {
        cloud.faults().add(FaultRule.forMethod("google.cloud.run.v2.Jobs/GetJob").latency(WAIT).build());
        try {
            int before = threadsNamed("local-cloud-grpc");
            List<ApiFuture<?>> calls = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                calls.add(jobs.getJobCallable().futureCall(GetJobRequest.newBuilder()
                        .setName(cloud.endpoints().locationName() + "/jobs/missing-" + i).build()));
            }
            // An undelayed call is answered while the delayed ones still wait.
            jobs.listJobs(cloud.endpoints().locationName()).getPage();
            assertThat(calls).noneMatch(Future::isDone);
            Thread.sleep(1000);
            assertThat(threadsNamed("local-cloud-grpc") - before).isLessThan(CALLS / 4);
            for (ApiFuture<?> call : calls) {
                try {
                    call.get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException expected) {
                    // NOT_FOUND: the job does not exist; only the wait mattered.
                }
            }
        } finally {
            cloud.faults().clear();
        }
    }

    @Test
    void delayedStorageCallsHoldNoServerThreadWhileTheyWait() throws Exception {
        storage.create(BucketInfo.of("waiting"));
        storage.create(BlobInfo.newBuilder("waiting", "x").build(), new byte[] {1});
        cloud.faults().add(FaultRule.forMethod("storage.objects.get").latency(WAIT).build());
        ExecutorService clients = Executors.newFixedThreadPool(CALLS);
        try {
            int before = threadsNamed("storage-http");
            List<CompletableFuture<byte[]>> calls = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> storage.readAllBytes(BlobId.of("waiting", "x")), clients));
            }
            Thread.sleep(1500);
            storage.list("waiting");
            assertThat(calls).noneMatch(Future::isDone);
            assertThat(threadsNamed("storage-http") - before).isLessThan(CALLS / 4);
            for (CompletableFuture<byte[]> call : calls) {
                assertThat(call.get(60, TimeUnit.SECONDS)).containsExactly(1);
            }
        } finally {
            cloud.faults().clear();
            clients.shutdownNow();
        }
    }

    @Test
    void callersThatGiveUpWhileWaitingLeaveTheEmulatorServing() throws Exception {
        storage.create(BucketInfo.of("abandoned"));
        storage.create(BlobInfo.newBuilder("abandoned", "x").build(), new byte[] {1});
        cloud.faults().add(FaultRule.forMethod("google.cloud.run.v2.Jobs/GetJob").latency(Duration.ofMillis(800)).times(5).build());
        cloud.faults().add(FaultRule.forMethod("storage.objects.get").latency(Duration.ofMillis(800)).times(5).build());
        try {
            for (int i = 0; i < 5; i++) {
                // gRPC: the client cancels its call while it waits; the service is then never started for it.
                ApiFuture<?> call = jobs.getJobCallable().futureCall(GetJobRequest.newBuilder()
                        .setName(cloud.endpoints().locationName() + "/jobs/gone-" + i).build());
                Thread.sleep(100);
                call.cancel(true);
                // Storage: the client hangs up while its request waits; the answer then has nowhere to go.
                java.net.HttpURLConnection c = (java.net.HttpURLConnection) new java.net.URL(cloud.endpoints().storageHost()
                        + "/storage/v1/b/abandoned/o/x?alt=media").openConnection();
                c.setRequestProperty("Authorization", "Bearer " + cloud.endpoints().accessToken());
                c.setReadTimeout(100);
                try {
                    c.getInputStream().close();
                } catch (java.net.SocketTimeoutException expected) {
                    c.disconnect();
                }
            }
            Thread.sleep(1500); // every wait is over
            assertThat(storage.readAllBytes(BlobId.of("abandoned", "x"))).containsExactly(1);
            jobs.listJobs(cloud.endpoints().locationName()).getPage();
        } finally {
            cloud.faults().clear();
        }
    }

    private static int threadsNamed(String name) {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name) && t.isAlive()).count();
    }
}
