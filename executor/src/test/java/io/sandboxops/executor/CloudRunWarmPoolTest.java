package io.sandboxops.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.run.v2.Execution;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.PoolStatus;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import io.sandboxops.core.cloudrun.SessionCredentials;
import io.sandboxops.core.state.RetryPolicy;
import io.sandboxops.core.state.SessionStateStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Cloud Run warm pool (issue 16) with the real executor as local processes (the process runner) and the real Google
 * clients against the emulator: idle workers claimed by new sessions, refilled, counted and priced, racing clients, the
 * idle-out, the sweep of a crashed client's workers; and what an attacker can and cannot do to a pooled worker's claim.
 */
@RequiresPrivateNamespaces
class CloudRunWarmPoolTest {
    @RegisterExtension
    static final ProcessRunnerCloud localCloud = new ProcessRunnerCloud();
    private static final Duration T = Duration.ofSeconds(60);
    private static final Duration FILL = Duration.ofSeconds(60);
    private static final String POOL_WORKER = "SANDBOXOPS_POOL_WORKER";

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private LocalCloudHarness harness() {
        return localCloud.harness();
    }

    private CloudRunJobsSandboxBackend client(int pool, String poolIdle) {
        CloudRunJobsSandboxBackend b = harness().backend(Map.of("SANDBOX_MODE", "session", "SANDBOX_IDLE_TIMEOUT", "60s",
                "SANDBOX_POOL_CLOUDRUN", String.valueOf(pool), "SANDBOX_POOL_IDLE_TIMEOUT", poolIdle));
        toClose.add(b);
        return b;
    }

    private Sandbox sandbox(CloudRunJobsSandboxBackend backend) {
        Sandbox s = backend.create(SandboxSpec.newBuilder().build());
        toClose.add(0, () -> {
            try {
                s.destroy();
            } catch (RuntimeException ignored) {
                // destroyed by the test already
            }
        });
        return s;
    }

    // ---- the pool does its job ------------------------------------------------------------------------------

    @Test
    void aSessionsFirstCommandIsServedByAPooledWorkerAndThePoolRefills() throws Exception {
        CloudRunJobsSandboxBackend client = client(1, "60s");
        sandbox(client); // the first create starts the pool
        String idle = awaitIdleWorkers(client, 1).get(0);

        Sandbox s = sandbox(client);
        ExecResult r = s.execStateful("echo served-by-pool; pwd", "main", T);

        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).contains("served-by-pool");
        String execution = workerExecutionOf(s.id());
        Map<String, String> env = envOf(execution);
        assertThat(env).as("the session's worker %s was started for the pool, for no sandbox", execution)
                .containsEntry(POOL_WORKER, idle).doesNotContainKey("SESSION_ID");
        assertThat(s.execStateful("echo again", "main", T).stdout()).contains("again");
        assertThat(workerExecutionOf(s.id())).as("later commands go to the same worker").isEqualTo(execution);

        List<String> refilled = awaitIdleWorkers(client, 1);
        assertThat(refilled).as("the pool refilled with a new worker").doesNotContain(idle);
    }

    /**
     * The creating client hands its pooled worker the sandbox's record and manifest instead of letting it read them; a file
     * written between the create and the first command (straight to the bucket: no worker yet) changed the manifest
     * since, and the worker's check before the first command brings it in.
     */
    @Test
    void aFileWrittenBetweenCreateAndTheFirstCommandIsThereForIt() throws Exception {
        Sandbox s = sandbox(clientWithAnIdleWorker());
        s.fileWrite("/workspace/before.txt", "written before the first command", false, false, false);
        ExecResult r = s.execStateful("cat /workspace/before.txt", "main", T);

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("written before the first command");
        assertThat(envOf(workerExecutionOf(s.id()))).as("served by the pooled worker").containsKey(POOL_WORKER);
    }

    /**
     * A sandbox destroyed (by another client) between its creation and its first command: the pooled worker, handed the
     * record, finds the sandbox gone when it checks the manifest, answers not found, and writes nothing there.
     */
    @Test
    void aSandboxDestroyedBeforeItsFirstCommandIsReportedGoneAndLeftEmpty() throws Exception {
        Sandbox s = sandbox(clientWithAnIdleWorker());
        CloudRunJobsSandboxBackend other = client(0, "60s");
        other.get(s.id()).destroy();

        assertThatThrownBy(() -> s.execStateful("echo should-not-run > /workspace/ran.txt", "main", T))
                .isInstanceOf(io.sandboxops.core.api.SandboxNotFoundException.class);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<String> left = new ArrayList<>();
        do {
            Thread.sleep(200);
            left.clear();
            harness().clients.storage().list(LocalCloudHarness.BUCKET, Storage.BlobListOption.prefix(SessionStateStore.sandboxPrefix(s.id())))
                    .iterateAll().forEach(b -> left.add(b.getName()));
        } while (!left.isEmpty() && System.nanoTime() < deadline);
        assertThat(left).as("objects under the destroyed sandbox's prefix").isEmpty();
    }

    @Test
    void poolStatusShowsTheTargetTheIdleWorkersAndTheirCostPerHour() throws Exception {
        CloudRunJobsSandboxBackend client = client(2, "60s");
        assertThat(client.poolStatus().target()).isEqualTo(2);
        sandbox(client);
        awaitIdleWorkers(client, 2);

        PoolStatus status = client.poolStatus();
        assertThat(status.backend()).isEqualTo("cloudrun");
        assertThat(status.idle()).isEqualTo(2);
        assertThat(status.members()).hasSize(2).allSatisfy(m -> assertThat(m.state()).isEqualTo("idle"));
        // SANDBOX_JOB_CPU=1, SANDBOX_JOB_MEMORY=1Gi: (1 × 0.000018 + 1 × 0.000002) $/s × 3600 s, per worker
        assertThat(status.usdPerHour()).isCloseTo(2 * 0.072, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(status.priceSource()).contains("Cloud Run jobs list price");
    }

    @Test
    void withoutAPoolNothingIsStartedAheadOfTime() {
        CloudRunJobsSandboxBackend client = harness().backend(Map.of("SANDBOX_MODE", "session"));
        toClose.add(client);
        Set<String> before = Set.copyOf(harness().runningExecutions());
        sandbox(client);
        assertThat(client.poolStatus().target()).isZero();
        // A subset, not the same set: a worker of an earlier test may end meanwhile, on its own.
        assertThat(harness().runningExecutions()).as("executions started by a create without a pool").isSubsetOf(before);
    }

    // ---- attacks -------------------------------------------------------------------------------------------

    /** Two clients create a sandbox each at once while one worker is idle, round after round: never one worker for both. */
    @Test
    void twoClientsRacingForOnePooledWorkerNeverShareIt() throws Exception {
        CloudRunJobsSandboxBackend a = client(1, "60s");
        CloudRunJobsSandboxBackend b = client(1, "60s");
        sandbox(a);
        int rounds = 6;
        int pooled = 0;
        for (int round = 0; round < rounds; round++) {
            awaitIdleWorkers(a, 1);
            Sandbox sa = sandbox(a);
            Sandbox sb = sandbox(b);
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<ExecResult> ra = CompletableFuture.supplyAsync(() -> first(go, sa));
            CompletableFuture<ExecResult> rb = CompletableFuture.supplyAsync(() -> first(go, sb));
            go.countDown();
            assertThat(ra.get(90, TimeUnit.SECONDS).stdout()).as("round %d, A", round).contains("me=" + sa.id()).contains("before=none");
            assertThat(rb.get(90, TimeUnit.SECONDS).stdout()).as("round %d, B", round).contains("me=" + sb.id()).contains("before=none");
            String wa = workerExecutionOf(sa.id());
            String wb = workerExecutionOf(sb.id());
            assertThat(wa).as("round %d: both sessions got worker %s", round, wa).isNotEqualTo(wb);
            pooled += (envOf(wa).containsKey(POOL_WORKER) ? 1 : 0) + (envOf(wb).containsKey(POOL_WORKER) ? 1 : 0);
            sa.destroy();
            sb.destroy();
        }
        assertThat(pooled).as("sessions served by a pooled worker in %d rounds", rounds).isGreaterThanOrEqualTo(rounds);
    }

    private static ExecResult first(CountDownLatch go, Sandbox s) {
        try {
            go.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return s.execStateful("echo before=$(cat /tmp/owner 2>/dev/null || echo none); echo " + s.id() + " > /tmp/owner; echo me=$(cat /tmp/owner)", "main", T);
    }

    /**
     * A command in a pooled sandbox, with its own storage token and every token it finds, cannot list the pool, read an
     * idle worker's record, or write a claim for it: its token is bounded to {@code sessions/{id}/}.
     */
    @Test
    void aSandboxsCodeCannotReadOrWriteThePoolOrAnotherWorkersClaim() throws Exception {
        CloudRunJobsSandboxBackend client = client(2, "60s");
        sandbox(client);
        awaitIdleWorkers(client, 2);
        Sandbox s = sandbox(client);
        s.execStateful("true", "main", T);
        String victim = awaitIdleWorkers(client, 1).stream().filter(w -> !w.equals(envOf(workerExecutionOf(s.id())).get(POOL_WORKER)))
                .findFirst().orElseThrow();
        String own = new SessionCredentials(harness().clients, store()).token(s.id()).value();

        ExecResult r = s.execStateful(probe(victim, own), "main", T);

        assertThat(r.stdout()).as("what the sandbox's command got:\n%s\n%s", r.stdout(), r.stderr())
                .contains("tokens-found ")
                .containsPattern("list:[^\n]*403").containsPattern("record:[^\n]*403").containsPattern("claim:[^\n]*403")
                .doesNotContainPattern("list:[^\n]*200").doesNotContainPattern("record:[^\n]*200").doesNotContainPattern("claim:[^\n]*200");
        assertThat(harness().clients.storage().get(BlobId.of(LocalCloudHarness.BUCKET, "pool/" + victim + "/claim.json")))
                .as("a claim written by the sandbox").isNull();
    }

    /**
     * Whoever holds a claimed worker's pool token and key (they were in its RunJob overrides) cannot get a second claim:
     * the token opens only {@code pool/{worker}/} (not the sandbox it now serves), and advertising the worker as idle again
     * gets no client to claim it — the key that would seal a claim for it is gone from the control plane.
     */
    @Test
    void aClaimedWorkersOldPoolTokenAndKeyGetNoSecondClaim() throws Exception {
        CloudRunJobsSandboxBackend client = client(1, "60s");
        sandbox(client);
        awaitIdleWorkers(client, 1);
        Sandbox first = sandbox(client);
        first.execStateful("echo secret-of-first > /workspace/mine.txt", "main", T);
        String execution = workerExecutionOf(first.id());
        Map<String, String> env = envOf(execution);
        String worker = env.get(POOL_WORKER);
        assertThat(worker).as("the first session was served by a pooled worker").isNotNull();
        Storage withPoolToken = storageWith(env.get("SANDBOXOPS_STORAGE_TOKEN"));

        assertThat(status(() -> withPoolToken.readAllBytes(BlobId.of(LocalCloudHarness.BUCKET, "sessions/" + first.id() + "/manifest.json"))))
                .as("the pool token on the sandbox the worker serves").isEqualTo(403);
        // Advertise the claimed worker as idle again, as its old credentials allow.
        withPoolToken.delete(BlobId.of(LocalCloudHarness.BUCKET, "pool/" + worker + "/claim.json"));
        withPoolToken.create(BlobInfo.newBuilder(BlobId.of(LocalCloudHarness.BUCKET, "pool/" + worker + "/worker.json")).build(),
                ("{\"worker\":\"" + worker + "\",\"execution\":\"" + shortName(execution) + "\",\"startedAt\":\"2026-01-01T00:00:00Z\","
                        + "\"heartbeatAt\":\"2026-01-01T00:00:00Z\"}").getBytes(StandardCharsets.UTF_8));

        CloudRunJobsSandboxBackend other = client(1, "60s");
        for (int i = 0; i < 3; i++) {
            Sandbox next = sandbox(other);
            next.execStateful("true", "main", T);
            assertThat(workerExecutionOf(next.id())).as("a later session got the re-advertised worker").isNotEqualTo(execution);
        }
        assertThat(harness().clients.storage().get(BlobId.of(LocalCloudHarness.BUCKET, "pool/" + worker + "/claim.json")))
                .as("a claim sealed for the re-advertised worker").isNull();
    }

    /** A claim object written by someone who may write to the bucket but lacks the worker's key is removed, logged, never served. */
    @Test
    void aForgedClaimWithoutTheWorkersKeyIsIgnoredAndLogged() throws Exception {
        CloudRunJobsSandboxBackend client = client(1, "60s");
        sandbox(client);
        String worker = awaitIdleWorkers(client, 1).get(0);
        byte[] nonce = new byte[12];
        byte[] junk = new byte[96];
        new SecureRandom().nextBytes(nonce);
        new SecureRandom().nextBytes(junk);
        String claim = "pool/" + worker + "/claim.json";
        harness().clients.storage().create(BlobInfo.newBuilder(BlobId.of(LocalCloudHarness.BUCKET, claim)).build(),
                ("{\"worker\":\"" + worker + "\",\"nonce\":\"" + Base64.getEncoder().encodeToString(nonce) + "\",\"ciphertext\":\""
                        + Base64.getEncoder().encodeToString(junk) + "\"}").getBytes(StandardCharsets.UTF_8));

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (harness().clients.storage().get(BlobId.of(LocalCloudHarness.BUCKET, claim)) != null) {
            assertThat(System.nanoTime()).as("the forged claim is still there").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(awaitLog("claim-refused")).contains("not sealed with this worker");
        assertThat(awaitIdleWorkers(client, 1)).as("the worker still waits").contains(worker);
        Sandbox s = sandbox(client);
        assertThat(s.execStateful("echo genuine", "main", T).stdout()).contains("genuine");
        assertThat(envOf(workerExecutionOf(s.id()))).as("a genuine claim still gets it").containsEntry(POOL_WORKER, worker);
    }

    // ---- idling out and the sweep ----------------------------------------------------------------------------

    @Test
    void anIdleWorkerExitsByItselfAfterThePoolIdleTimeoutAndLeavesNoRecord() throws Exception {
        CloudRunJobsSandboxBackend client = client(1, "6s");
        sandbox(client);
        String worker = awaitIdleWorkers(client, 1).get(0);
        String execution = executionOfPoolWorker(worker).orElseThrow();

        Execution done = harness().clients.executions().getExecution(execution);
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (!done.hasCompletionTime()) {
            assertThat(System.nanoTime()).as("the idle worker %s still runs", worker).isLessThan(deadline);
            Thread.sleep(200);
            done = harness().clients.executions().getExecution(execution);
        }
        assertThat(done.getSucceededCount()).as("it exited by itself, not cancelled").isEqualTo(1);
        assertThat(done.getCancelledCount()).isZero();
        assertThat(harness().clients.storage().get(BlobId.of(LocalCloudHarness.BUCKET, "pool/" + worker + "/worker.json")))
                .as("its record").isNull();
        assertThat(awaitIdleWorkers(client, 1)).as("the pool replaced it").doesNotContain(worker);
    }

    /** A client killed with SIGKILL leaves its idle workers running; another client's sweep cancels them. */
    @Test
    void aCrashedClientsIdleWorkersAreSwept() throws Exception {
        Map<String, String> env = harness().settingsEnvironment(Map.of("SANDBOX_MODE", "session", "SANDBOX_POOL_CLOUDRUN", "1",
                "SANDBOX_POOL_IDLE_TIMEOUT", "60s"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), PoolClientMain.class.getName()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process crashed = pb.start();
        String worker;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(crashed.getInputStream(), StandardCharsets.UTF_8))) {
            CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String line; (line = out.readLine()) != null; ) {
                        if (line.startsWith("idle ")) {
                            return line.substring(5).strip();
                        }
                    }
                    return null;
                } catch (java.io.IOException e) {
                    return null;
                }
            });
            worker = ready.get(90, TimeUnit.SECONDS);
            assertThat(worker).as("the client in another process filled its pool").isNotNull();
            crashed.destroyForcibly().waitFor();
        } finally {
            crashed.destroyForcibly();
        }
        String execution = executionOfPoolWorker(worker).orElseThrow();
        CloudRunJobsSandboxBackend sweeper = client(0, "60s");

        assertThat(sweeper.sweepOrphans(Duration.ofDays(1), Set.of()).removed()).as("swept while its client still beat").doesNotContain(shortName(execution));
        Thread.sleep(Duration.ofSeconds(60).dividedBy(8).multipliedBy(3).plusSeconds(2).toMillis());
        assertThat(sweeper.sweepOrphans(Duration.ofDays(1), Set.of()).removed()).contains(shortName(execution));
        assertThat(harness().clients.executions().getExecution(execution).hasCompletionTime()).isTrue();
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private SessionStateStore store() {
        return new SessionStateStore(harness().clients.storage(), LocalCloudHarness.BUCKET, RetryPolicy.defaults());
    }

    /** A client with a pool of one (started by a first sandbox), once its worker is idle. */
    private CloudRunJobsSandboxBackend clientWithAnIdleWorker() throws InterruptedException {
        CloudRunJobsSandboxBackend client = client(1, "60s");
        sandbox(client);
        awaitIdleWorkers(client, 1);
        return client;
    }

    /** The pool workers ({@code pool-…}) idle now, once at least {@code n} are. */
    private List<String> awaitIdleWorkers(CloudRunJobsSandboxBackend client, int n) throws InterruptedException {
        long deadline = System.nanoTime() + FILL.toNanos();
        while (true) {
            PoolStatus s = client.poolStatus();
            List<String> idle = s.members().stream().filter(m -> m.state().equals("idle")).map(PoolStatus.Member::id).toList();
            if (idle.size() >= n) {
                return idle;
            }
            assertThat(System.nanoTime()).as("fewer than %d idle pool workers: %s\n%s", n, s, harness().executionLogs()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private String workerExecutionOf(String sandboxId) {
        String execution = store().read(SessionStateStore.workerObject(sandboxId), Main.WorkerRecord.class).orElseThrow().value().execution();
        return execution.contains("/") ? execution : findExecution(e -> shortName(e.getName()).equals(execution)).orElseThrow().getName();
    }

    private Optional<String> executionOfPoolWorker(String worker) {
        return findExecution(e -> worker.equals(env(e).get(POOL_WORKER))).map(Execution::getName);
    }

    private Map<String, String> envOf(String execution) {
        return env(harness().clients.executions().getExecution(execution));
    }

    private Optional<Execution> findExecution(java.util.function.Predicate<Execution> which) {
        for (com.google.cloud.run.v2.Job job : harness().clients.jobs().listJobs(harness().cloud.endpoints().locationName()).iterateAll()) {
            for (Execution e : harness().clients.executions().listExecutions(job.getName()).iterateAll()) {
                if (which.test(e)) {
                    return Optional.of(e);
                }
            }
        }
        return Optional.empty();
    }

    private static Map<String, String> env(Execution e) {
        Map<String, String> env = new HashMap<>();
        e.getTemplate().getContainersList().forEach(c -> c.getEnvList().forEach(v -> env.put(v.getName(), v.getValue())));
        return env;
    }

    private static String shortName(String name) {
        return name.substring(name.lastIndexOf('/') + 1);
    }

    private Storage storageWith(String token) {
        return StorageOptions.newBuilder().setProjectId(harness().cloud.endpoints().projectId())
                .setHost(harness().cloud.endpoints().storageHost())
                .setCredentials(GoogleCredentials.create(new AccessToken(token, null))).build().getService();
    }

    private static int status(Runnable call) {
        try {
            call.run();
            return 200;
        } catch (StorageException e) {
            return e.getCode();
        }
    }

    private String awaitLog(String event) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            String logs = harness().executionLogs();
            for (String line : logs.split("\n")) {
                if (line.contains(event)) {
                    return line;
                }
            }
            assertThat(System.nanoTime()).as("no %s in the executions' logs", event).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** Lists the pool, reads {@code victim}'s record and writes a claim for it, with every token the command finds. */
    private String probe(String victim, String ownToken) {
        java.net.URI storage = java.net.URI.create(harness().cloud.endpoints().storageHost());
        String base = "/storage/v1/b/" + LocalCloudHarness.BUCKET + "/o";
        String claim = "{\"worker\":\"" + victim + "\",\"nonce\":\"AAAAAAAAAAAAAAAA\",\"ciphertext\":\"AAAA\"}";
        return String.join("\n",
                CloudRunIsolationContract.probeFunctions(storage, ownToken),
                "statuses list GET '" + base + "?prefix=pool/'",
                "statuses record GET '" + base + "/pool%2F" + victim + "%2Fworker.json?alt=media'",
                "statuses claim POST '/upload" + base + "?uploadType=media&name=pool/" + victim + "/claim.json' '" + claim + "'",
                "true");
    }
}
