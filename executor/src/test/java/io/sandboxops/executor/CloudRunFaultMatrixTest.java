package io.sandboxops.executor;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.run.v2.Execution;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.Storage;
import io.grpc.Status;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.cloudrun.CloudRunJobManager;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import io.sandboxops.core.state.SessionStateStore;
import io.sandboxops.emulator.faults.FaultRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 8's fault table for the Cloud Run Jobs backend: every Google API it uses (Cloud Run Admin's Jobs and
 * Executions, Cloud Storage) failing in bursts, slow, or racing, the executor crashing and the worker killed under
 * a command, each in both modes, through the real clients against the emulator with the real executor.
 *
 * <p>Each scenario runs the same workload: a sandbox is created, a first command makes a directory, {@code cd}s
 * into it and exports {@code STEP=0}, then numbered commands each export {@code STEP=i} and append {@code i} to a
 * file, and a file is written through the file API. Then the faults stop and the test checks the promise "nothing
 * lost, every failure reported": every command reported as done left its line exactly once, the shell's cwd and
 * {@code STEP} agree with the file, every failure was a {@link SandboxException} with a message, and after
 * {@code destroy()} no execution runs and no object of the sandbox is left in the bucket. One line per scenario
 * is printed ({@code FAULT | …}); docs/RELIABILITY.md's table is made of them.
 */
@RequiresPrivateNamespaces
class CloudRunFaultMatrixTest {
    private static final Duration T = Duration.ofSeconds(60);
    private static final String S = "main";
    private static final String CLOUD_RUN = "google.cloud.run.v2.";
    private static final String OBJECTS = "storage.objects.*";

    @RegisterExtension
    static final ProcessRunnerCloud localCloud = new ProcessRunnerCloud();

    /** What the executors logged, in the report of a failed test: the only view into a crash's timing. */
    @RegisterExtension
    final TestWatcher logsOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            System.out.println("---- execution logs ----\n" + localCloud.harness().executionLogs());
        }
    };

    @AfterEach
    void clearFaults() {
        localCloud.harness().cloud.faults().clear();
    }

    // ---- bursts and error rates on every API: absorbed by retries -----------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"once", "session"})
    void cloudRunAdminUnavailableForThreeSeconds(String mode) {
        Outcome o = workload(mode, "Cloud Run Admin API (every Jobs and Executions method) UNAVAILABLE for 3 s from sandbox creation",
                () -> burst(CLOUD_RUN + "Jobs/*", CLOUD_RUN + "Executions/*", Status.Code.UNAVAILABLE, Duration.ofSeconds(3)));
        assertThat(o.failures).as("failures").isEmpty();
        assertThat(o.injected).as("injected errors").isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"once", "session"})
    void cloudRunAdminQuotaExhaustedForThreeSeconds(String mode) {
        Outcome o = workload(mode, "Cloud Run Admin API (every Jobs and Executions method) RESOURCE_EXHAUSTED for 3 s from sandbox creation",
                () -> burst(CLOUD_RUN + "Jobs/*", CLOUD_RUN + "Executions/*", Status.Code.RESOURCE_EXHAUSTED, Duration.ofSeconds(3)));
        assertThat(o.failures).as("failures").isEmpty();
        assertThat(o.injected).as("injected errors").isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"once", "session"})
    void executionReadsUnavailableOneTimeInFive(String mode) {
        Outcome o = workload(mode, "GetExecution UNAVAILABLE on 20 % of calls, for the whole run",
                () -> localCloud.harness().cloud.faults().add(FaultRule.forMethod(CLOUD_RUN + "Executions/GetExecution")
                        .failWith(Status.Code.UNAVAILABLE).probability(0.2).build()));
        assertThat(o.failures).as("failures").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"once", "session"})
    void cloudStorageReturns503ForThreeSeconds(String mode) {
        Outcome o = workload(mode, "Cloud Storage 503 on every object call for 3 s from sandbox creation (clients and executor alike)",
                () -> localCloud.harness().cloud.faults().add(FaultRule.forMethod(OBJECTS).failWith(Status.Code.UNAVAILABLE)
                        .forDuration(Duration.ofSeconds(3)).build()));
        assertThat(o.failures).as("failures").isEmpty();
        assertThat(o.injected).as("injected errors").isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"once", "session"})
    void cloudStorageReturns503OneTimeInTen(String mode) {
        Outcome o = workload(mode, "Cloud Storage 503 on 10 % of object calls, for the whole run (clients and executor alike)",
                () -> localCloud.harness().cloud.faults().add(FaultRule.forMethod(OBJECTS).failWith(Status.Code.UNAVAILABLE).probability(0.1).build()));
        assertThat(o.failures).as("failures").isEmpty();
        assertThat(o.injected).as("injected errors").isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"once", "session"})
    void cloudStorageRateLimitedForThreeSeconds(String mode) {
        Outcome o = workload(mode, "Cloud Storage 429 (RESOURCE_EXHAUSTED) on every object call for 3 s from sandbox creation",
                () -> localCloud.harness().cloud.faults().add(FaultRule.forMethod(OBJECTS).failWith(Status.Code.RESOURCE_EXHAUSTED)
                        .forDuration(Duration.ofSeconds(3)).build()));
        assertThat(o.failures).as("failures").isEmpty();
        assertThat(o.injected).as("injected errors").isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"once", "session"})
    void slowApis(String mode) {
        Outcome o = workload(mode, "slow APIs: +500 ms on every Cloud Run Admin call, +100 ms on every Cloud Storage call", () -> {
            localCloud.harness().cloud.faults().add(FaultRule.forMethod(CLOUD_RUN + "*").latency(Duration.ofMillis(500)).build());
            localCloud.harness().cloud.faults().add(FaultRule.forMethod("storage.*").latency(Duration.ofMillis(100)).build());
        });
        assertThat(o.failures).as("failures").isEmpty();
    }

    // ---- a start that cannot be repeated safely ---------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"once", "session"})
    void runJobRefusedOnce(String mode) {
        Runnable refuseNextRunJob = () -> localCloud.harness().cloud.faults().add(FaultRule.forMethod(CLOUD_RUN + "Jobs/RunJob")
                .failWith(Status.Code.UNAVAILABLE).times(1).build());
        Outcome o;
        if (mode.equals("once")) {
            // A once-mode command is one execution: repeating a RunJob whose answer was lost could run it twice.
            o = workload(mode, "RunJob UNAVAILABLE once (a command's start)", () -> {
            }, sandbox -> {
                refuseNextRunJob.run();
                return sandbox.execStateful("cd /; export STEP=lost; echo lost >> /workspace/w/f", S, T);
            });
            assertThat(o.failures).hasSize(1);
            assertThat(o.failures.get(0)).contains("RunJob").contains("not repeated");
        } else {
            // A session worker may start twice (the second steps aside), so the RunJob that starts it is repeated.
            o = workload(mode, "RunJob UNAVAILABLE once (the session worker's start)", refuseNextRunJob);
            assertThat(o.failures).isEmpty();
        }
        assertThat(o.injected).isEqualTo(1);
    }

    // ---- races ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"once", "session"})
    void twoClientsRacingOnOneSandbox(String mode) throws Exception {
        long racesBefore = localCloud.harness().cloud.storagePreconditionFailures();
        int perClient = mode.equals("once") ? 3 : 12;
        try (CloudRunJobsSandboxBackend a = backend(mode); CloudRunJobsSandboxBackend b = backend(mode)) {
            Sandbox first = a.create(SandboxSpec.newBuilder().build());
            Sandbox second = b.get(first.id());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                // Two clients, two shells each: every command rewrites its shell's state and the sandbox's shell list.
                List<Future<?>> work = new ArrayList<>();
                for (Sandbox client : List.of(first, second)) {
                    for (String shell : List.of("a", "b")) {
                        String session = shell + (client == first ? "1" : "2");
                        work.add(pool.submit(() -> {
                            for (int i = 1; i <= perClient; i++) {
                                ExecResult r = client.execStateful("export N=" + i + "; echo " + i + " >> /workspace/" + session, session, T);
                                assertThat(r.exitCode()).isZero();
                            }
                            return null;
                        }));
                    }
                }
                for (Future<?> f : work) {
                    f.get(10, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
            List<String> sessions = List.of("a1", "b1", "a2", "b2");
            String expected = IntStream.rangeClosed(1, perClient).mapToObj(i -> i + "\n").collect(Collectors.joining());
            for (String session : sessions) {
                assertThat(first.fileRead("/workspace/" + session, LineRange.all())).as(session).isEqualTo(expected);
                assertThat(second.sessionInfo(session).env()).as(session).containsEntry("N", String.valueOf(perClient));
            }
            assertThat(first.listSessions()).extracting(s -> s.sessionId()).containsAll(sessions);
            String id = first.id();
            first.destroy();
            long races = localCloud.harness().cloud.storagePreconditionFailures() - racesBefore;
            List<String> left = orphans(a, id);
            report(mode, "412 races: two clients, two shells each, " + perClient + " commands per shell at once",
                    "all " + 4 * perClient + " commands succeeded; " + races + " writes lost a generation race (412) and were re-read and applied",
                    "every shell's file has its " + perClient + " lines once, in order; every shell's N=" + perClient + "; all 4 shells listed",
                    left);
            assertThat(left).isEmpty();
        }
    }

    // ---- the executor dying ------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"once", "session"})
    void anExecutorCrashingMidCommandIsAClearFailureThatKeepsTheLastGoodState(String mode) {
        // A session's worker is started by the first command and serves the rest, so its crash is armed before the
        // sandbox exists, timed to hit the long command; a once-mode command is its own attempt, armed just before it.
        Runnable armWorkerCrash = () -> localCloud.harness().cloud.faults().crashNextTaskAttempts(1, Duration.ofSeconds(15));
        Outcome o = workload(mode, "the executor crashes (exit 137) during a command that would have changed cwd, env and a file",
                mode.equals("session") ? armWorkerCrash : () -> {
                }, sandbox -> {
                    if (mode.equals("once")) {
                        localCloud.harness().cloud.faults().crashNextTaskAttempts(1, Duration.ofSeconds(6));
                    }
                    return sandbox.execStateful("cd /; export STEP=lost; echo lost >> /workspace/w/f; sleep 120", S, T);
                });
        assertThat(o.failures).hasSize(1);
        assertThat(o.failures.get(0)).contains("last completed command");
    }

    @ParameterizedTest
    @ValueSource(strings = {"once", "session"})
    void aWorkerCancelledFromOutsideMidCommand(String mode) {
        Outcome o = workload(mode, "the execution running a command is cancelled from outside (as `gcloud run jobs executions cancel`)",
                () -> {
                }, sandbox -> {
                    Thread killer = new Thread(() -> {
                        sleep(Duration.ofSeconds(mode.equals("session") ? 2 : 8));
                        localCloud.harness().runningExecutions().forEach(localCloud.harness()::cancelFromOutside);
                    });
                    killer.start();
                    try {
                        return sandbox.execStateful("cd /; export STEP=lost; echo lost >> /workspace/w/f; sleep 120", S, T);
                    } finally {
                        join(killer);
                    }
                });
        assertThat(o.failures).hasSize(1);
        assertThat(o.failures.get(0)).containsAnyOf("stopped", "cancelled");
    }

    // ---- the workload -----------------------------------------------------------------------------------

    /** What a scenario's workload saw. */
    record Outcome(List<String> failures, long injected) {
    }

    /** Something done to a sandbox mid-workload that is expected to fail. */
    interface Disruption {
        ExecResult apply(Sandbox sandbox);
    }

    private static Outcome workload(String mode, String fault, Runnable arm) {
        return workload(mode, fault, arm, null);
    }

    /**
     * Runs the workload with {@code arm}'s faults from before sandbox creation; {@code disruption} (if any) runs after
     * the second numbered command, and its failure is reported like any other.
     */
    private static Outcome workload(String mode, String fault, Runnable arm, Disruption disruption) {
        int commands = mode.equals("once") ? 4 : 12;
        List<String> failures = new ArrayList<>();
        List<Integer> reportedDone = new ArrayList<>();
        long slowestMs = 0;
        try (CloudRunJobsSandboxBackend backend = backend(mode)) {
            arm.run();
            Sandbox sandbox = backend.create(SandboxSpec.newBuilder().build());
            String id = sandbox.id();
            attempt(failures, () -> sandbox.execStateful("mkdir -p /workspace/w && cd /workspace/w && export STEP=0 && echo 0 > f", S, T));
            boolean fileWritten = false;
            for (int i = 1; i <= commands; i++) {
                int n = i;
                long t0 = System.nanoTime();
                ExecResult r = attempt(failures, () -> sandbox.execStateful("export STEP=" + n + "; echo " + n + " >> f; echo " + n, S, T));
                slowestMs = Math.max(slowestMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                if (r != null) {
                    assertThat(r.stdout()).isEqualTo(n + "\n");
                    reportedDone.add(n);
                }
                if (i == 2) {
                    fileWritten = attempt(failures, () -> {
                        sandbox.fileWrite("/workspace/w/data.txt", "kept\n", false, false, false);
                        return "ok";
                    }) != null;
                    if (disruption != null) {
                        attempt(failures, () -> disruption.apply(sandbox));
                    }
                }
            }
            long injected = localCloud.harness().cloud.faults().injectedErrorCount();
            localCloud.harness().cloud.faults().clear();

            // Faults over: what is left must be exactly what was reported as done.
            ExecResult after = sandbox.execStateful("pwd; echo $STEP; cat f", S, T);
            List<String> lines = Arrays.asList(after.stdout().split("\n"));
            assertThat(lines.get(0)).as("cwd").isEqualTo("/workspace/w");
            List<String> fileLines = lines.subList(2, lines.size());
            Set<String> distinct = new LinkedHashSet<>(fileLines);
            assertThat(fileLines).as("no command ran twice").hasSameSizeAs(distinct);
            assertThat(fileLines).as("every command reported as done left its line")
                    .containsAll(reportedDone.stream().map(String::valueOf).toList());
            assertThat(lines.get(1)).as("STEP is what the last command that ran exported").isEqualTo(fileLines.get(fileLines.size() - 1));
            List<String> unreported = fileLines.stream().filter(l -> !l.equals("0") && !reportedDone.contains(Integer.parseInt(l))).toList();
            if (fileWritten) {
                assertThat(sandbox.fileRead("/workspace/w/data.txt", LineRange.all())).isEqualTo("kept\n");
            }

            sandbox.destroy();
            List<String> left = orphans(backend, id);
            int total = commands + 1 + (disruption != null ? 1 : 0);
            String saw = failures.isEmpty()
                    ? "all " + total + " commands and the file write succeeded (slowest command " + slowestMs + " ms)"
                    : (total - failures.size()) + " of " + total + " commands succeeded; " + failures.size() + " failed: "
                            + failures.stream().distinct().map(CloudRunFaultMatrixTest::firstSentence).collect(Collectors.joining(" / "));
            String kept = "cwd /workspace/w, STEP=" + lines.get(1) + ", file lines " + String.join(",", fileLines)
                    + " = the commands reported done" + (unreported.isEmpty() ? "" : " plus " + unreported + " (failed but ran)")
                    + (fileWritten ? ", data.txt intact" : "") + "; no command ran twice";
            report(mode, fault + (injected > 0 ? " [" + injected + " errors injected]" : ""), saw, kept, left);
            assertThat(left).as("orphans").isEmpty();
            assertThat(unreported).as("commands reported failed that ran anyway").isEmpty();
            return new Outcome(failures, injected);
        }
    }

    /** Runs {@code call}; a {@link SandboxException} is recorded as what the user saw and {@code null} returned. */
    private static <T> T attempt(List<String> failures, java.util.concurrent.Callable<T> call) {
        try {
            return call.call();
        } catch (SandboxException e) {
            assertThat(e.getMessage()).as("a failure says what happened").isNotBlank();
            failures.add(e.getClass().getSimpleName() + ": " + e.getMessage());
            return null;
        } catch (Exception e) {
            throw new AssertionError("not a SandboxException: " + e, e);
        }
    }

    /** What a destroyed sandbox left behind: executions still running, objects under its prefix. */
    private static List<String> orphans(CloudRunJobsSandboxBackend backend, String sandboxId) {
        List<String> left = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<Execution> running = backend.jobs().runningExecutions();
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(200)); // a cancelled execution takes a moment to record its end
            running = backend.jobs().runningExecutions();
        }
        running.forEach(e -> left.add("execution " + CloudRunJobManager.shortName(e.getName())));
        for (Blob b : localCloud.harness().clients.storage().list(LocalCloudHarness.BUCKET,
                Storage.BlobListOption.prefix(SessionStateStore.sandboxPrefix(sandboxId))).iterateAll()) {
            left.add("object " + b.getName());
        }
        return left;
    }

    private static void report(String mode, String fault, String saw, String kept, List<String> orphans) {
        System.out.println("FAULT | cloudrun/" + mode + " | " + fault + " | " + saw + " | " + kept + " | "
                + (orphans.isEmpty() ? "none (0 executions running, 0 objects left)" : String.join(", ", orphans)));
    }

    private static String firstSentence(String message) {
        int semicolon = message.indexOf(';');
        String head = semicolon > 0 ? message.substring(0, semicolon) : message;
        return head.length() > 160 ? head.substring(0, 160) + "…" : head;
    }

    private static void burst(String methodA, String methodB, Status.Code code, Duration duration) {
        localCloud.harness().cloud.faults().add(FaultRule.forMethod(methodA).failWith(code).forDuration(duration).build());
        localCloud.harness().cloud.faults().add(FaultRule.forMethod(methodB).failWith(code).forDuration(duration).build());
    }

    private static CloudRunJobsSandboxBackend backend(String mode) {
        return localCloud.harness().backend(Map.of("SANDBOX_MODE", mode, "SANDBOX_IDLE_TIMEOUT", "30s"));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void join(Thread t) {
        try {
            t.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
