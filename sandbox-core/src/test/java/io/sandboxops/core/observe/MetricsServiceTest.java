package io.sandboxops.core.observe;

import io.sandboxops.core.testing.LocalTargets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.google.api.gax.longrunning.OperationFuture;
import com.google.cloud.run.v2.Container;
import com.google.cloud.run.v2.EnvVar;
import com.google.cloud.run.v2.Execution;
import com.google.cloud.run.v2.ExecutionTemplate;
import com.google.cloud.run.v2.Job;
import com.google.cloud.run.v2.RunJobRequest;
import com.google.cloud.run.v2.TaskTemplate;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.emulator.LocalCloud;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Metrics computed from executions the emulator ran, against a count made by hand from the same executions. */
class MetricsServiceTest {

    private static LocalCloud cloud;
    private static GoogleClients clients;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start();
        clients = new GoogleClients(LocalTargets.of(cloud));
    }

    @AfterAll
    static void stop() {
        clients.close();
        cloud.close();
    }

    /** A job whose container runs {@code sh -c "$SCRIPT"}; the emulator's process runner runs it locally. */
    static Job shellJob(String name) throws Exception {
        Job job = Job.newBuilder().setTemplate(ExecutionTemplate.newBuilder().setTemplate(TaskTemplate.newBuilder().setMaxRetries(0)
                .addContainers(Container.newBuilder().setImage("sandboxops/sandbox:latest").addCommand("sh").addArgs("-c")
                        .addArgs("eval \"$SCRIPT\"")))).build();
        return clients.jobs().createJobAsync(cloud.endpoints().locationName(), job, name).get(30, TimeUnit.SECONDS);
    }

    static OperationFuture<Execution, Execution> run(Job job, String script) {
        return clients.jobs().runJobAsync(RunJobRequest.newBuilder().setName(job.getName())
                .setOverrides(RunJobRequest.Overrides.newBuilder().addContainerOverrides(RunJobRequest.Overrides.ContainerOverride.newBuilder()
                        .addEnv(EnvVar.newBuilder().setName("SCRIPT").setValue(script)))).build());
    }

    private static Duration duration(Execution e) {
        return Duration.between(Instant.ofEpochSecond(e.getStartTime().getSeconds(), e.getStartTime().getNanos()),
                Instant.ofEpochSecond(e.getCompletionTime().getSeconds(), e.getCompletionTime().getNanos()));
    }

    @Test
    void metricsMatchAHandCountOfTheExecutionsRun() throws Exception {
        Job sandbox = shellJob("sbx-metrics");
        Job other = shellJob("other-job");
        List<Execution> finished = new ArrayList<>();
        // What a job prints is no metric: executor-shaped events, an ERROR line, stderr.
        finished.add(run(sandbox, "echo '{\"event\":\"command\",\"duration_ms\":120}'; sleep 0.3").get(60, TimeUnit.SECONDS));
        finished.add(run(sandbox, "echo '{\"event\":\"request\",\"op\":\"exec\",\"duration_ms\":80}';"
                + " echo '{\"event\":\"request\",\"op\":\"read\",\"duration_ms\":40}'; sleep 0.1").get(60, TimeUnit.SECONDS));
        finished.add(run(sandbox, "echo '{\"severity\":\"ERROR\",\"message\":\"state save failed\"}'; sleep 0.2").get(60, TimeUnit.SECONDS));
        finished.add(run(sandbox, "echo 'ls: cannot access x' >&2; sleep 0.4").get(60, TimeUnit.SECONDS));
        finished.add(run(sandbox, "echo '{\"event\":\"command\",\"duration_ms\":16000}'; sleep 0.2; exit 1").get(60, TimeUnit.SECONDS));
        // The client's own events, through the sink the backends write with: the latency and error rate rest on these.
        try (CloudLoggingEventSink sink = new CloudLoggingEventSink(clients.target())) {
            sink.record(event("cloudrun", "exec", SandboxEvent.Outcome.OK, 120));
            sink.record(event("cloudrun", "exec", SandboxEvent.Outcome.OK, 80));
            sink.record(event("cloudrun", "exec", SandboxEvent.Outcome.TIMED_OUT, 16000));
            sink.record(event("cloudrun", "exec", SandboxEvent.Outcome.UNAVAILABLE, 40));
            sink.record(event("cloudrun", "exec", SandboxEvent.Outcome.INVALID_INPUT, 1)); // refused before running: no latency
            sink.record(event("cloudrun", "file_read", SandboxEvent.Outcome.NOT_FOUND, 30)); // the caller's mistake: no error
            sink.record(event("cloudrun", "file_write", SandboxEvent.Outcome.FAILED, 50));
            sink.record(event("cloudrun", "create", SandboxEvent.Outcome.OK, 900));
            sink.record(event("docker", "exec", SandboxEvent.Outcome.INTERNAL, 600_000)); // the baseline's, not the canary's
        }
        finished.add(run(sandbox, "exit 3").get(60, TimeUnit.SECONDS));
        run(other, "exit 1").get(60, TimeUnit.SECONDS);
        OperationFuture<Execution, Execution> busy = run(sandbox, "sleep 60");
        String busyName = busy.getMetadata().get(30, TimeUnit.SECONDS).getName();
        await().atMost(10, TimeUnit.SECONDS).until(() -> clients.executions().getExecution(busyName).getRunningCount() == 1);

        MetricsService service = new MetricsService(clients, "sbx-", PriceTable.cloudRunJobsTier1(), MetricTargets.originalPlan(),
                MetricsService.LatencySource.EXECUTIONS);
        MetricsSnapshot running = service.snapshot(MetricsWindow.HOUR);
        assertThat(running.running()).isEqualTo(1);

        clients.executions().cancelExecutionAsync(busyName).get(30, TimeUnit.SECONDS);
        MetricsSnapshot m = service.snapshot(MetricsWindow.HOUR);
        System.out.println(String.join("\n", m.describe()));

        // By hand: 4 succeeded, 2 failed, 1 cancelled in sbx-*; other-job's failure is not ours.
        long succeeded = finished.stream().filter(e -> e.getSucceededCount() == 1).count();
        assertThat(succeeded).isEqualTo(4);
        assertThat(m.succeeded()).isEqualTo(4);
        assertThat(m.failed()).isEqualTo(2);
        assertThat(m.cancelled()).isEqualTo(1);
        assertThat(m.running()).isZero();
        assertThat(m.successRate()).hasValueSatisfying(r -> assertThat(r).isCloseTo(100.0 * 4 / 6, within(1e-9)));
        // Errors: the cloudrun operations that failed in the backend (unavailable, failed) of all 8; nothing the jobs printed.
        assertThat(m.operations()).isEqualTo(8);
        assertThat(m.operationErrors()).isEqualTo(2);
        assertThat(m.errorRate()).hasValueSatisfying(r -> assertThat(r).isCloseTo(100.0 * 2 / 8, within(1e-9)));
        // Side by side, from the same events: Cloud Run 3 ok, 2 caller's mistakes (not_found, invalid_input), 1 timed out, 2 errors;
        // success = ok ÷ all but the mistakes = 3 ÷ 6. Docker (the baseline): its one internal error.
        assertThat(m.canary().ok()).isEqualTo(3);
        assertThat(m.canary().callerMistakes()).isEqualTo(2);
        assertThat(m.canary().successRate()).hasValueSatisfying(r -> assertThat(r).isCloseTo(50.0, within(1e-9)));
        assertThat(m.baseline().backend()).isEqualTo("docker");
        assertThat(m.baseline().operations()).isEqualTo(1);
        assertThat(m.baseline().errorRate()).contains(100.0);
        assertThat(m.baseline().latencyP99()).contains(Duration.ofMinutes(10));
        assertThat(m.sideBySide()).anySatisfy(l -> assertThat(l).startsWith("error rate").contains("100.00 % (n=1)").contains("25.00 % (n=8)"));

        List<Duration> durations = finished.stream().map(MetricsServiceTest::duration).sorted().toList();
        assertThat(m.latencySamples()).isEqualTo(6);
        assertThat(m.latencyP50()).contains(durations.get(2)); // nearest rank: ceil(0.5 × 6) = 3rd
        assertThat(m.latencyP99()).contains(durations.get(5)); // ceil(0.99 × 6) = 6th

        double ran = finished.stream().mapToDouble(e -> duration(e).toNanos() / 1e9).sum();
        assertThat(m.billableSeconds()).as("billable time ≈ the time the sbx- executions ran, plus the cancelled one")
                .isGreaterThan(ran * 0.8);
        assertThat(m.cost()).isCloseTo(m.billableSeconds() * (0.000018 + 2 * 0.000002), within(1e-12));
        assertThat(m.costPer1000()).hasValueSatisfying(c -> assertThat(c).isCloseTo(m.cost() / 7 * 1000, within(1e-12)));

        assertThat(m.evaluation(Indicator.SUCCESS_RATE)).hasValueSatisfying(e -> {
            assertThat(e.level()).isEqualTo(Evaluation.Level.CRITICAL);
            assertThat(e.sampleSize()).isEqualTo(6);
        });
        assertThat(m.evaluation(Indicator.LATENCY_P99)).hasValueSatisfying(e -> assertThat(e.level()).isEqualTo(Evaluation.Level.OK));
        assertThat(m.evaluation(Indicator.COST_PER_1000)).hasValueSatisfying(e -> assertThat(e.level()).isEqualTo(Evaluation.Level.OK));

        // Per command, from the client's exec events: 40, 80, 120, 16000 ms by hand; nearest rank p50 = 2nd, p99 = 4th.
        MetricsSnapshot commands = new MetricsService(clients, "sbx-", PriceTable.cloudRunJobsTier1(), MetricTargets.originalPlan())
                .snapshot(MetricsWindow.HOUR);
        System.out.println(String.join("\n", commands.describe()));
        assertThat(commands.latencySource()).isEqualTo(MetricsService.LatencySource.CLIENT_EVENTS);
        assertThat(commands.source()).contains(SandboxEvent.LOG_ID).contains("never what a sandbox prints");
        assertThat(commands.latencySamples()).isEqualTo(4);
        assertThat(commands.latencyP50()).contains(Duration.ofMillis(80));
        assertThat(commands.latencyP99()).contains(Duration.ofMillis(16000));
        assertThat(commands.evaluation(Indicator.LATENCY_P99)).hasValueSatisfying(e -> assertThat(e.level()).isEqualTo(Evaluation.Level.CRITICAL));
        assertThat(commands.succeeded()).isEqualTo(m.succeeded());
    }

    private static SandboxEvent event(String backend, String operation, SandboxEvent.Outcome outcome, double ms) {
        return new SandboxEvent(Instant.now(), backend, backend.equals("docker") ? "container" : "session", operation, outcome, ms,
                SandboxEvent.sessionKey("sbx-hand-count"), java.util.OptionalInt.empty(), java.util.OptionalLong.empty());
    }

    @Test
    void anEmptyWindowHasNoDataRatherThanPerfectScores() {
        // Jobs no one runs, and a week before the emulator started: no execution, no client event.
        Instant weekAgo = Instant.now().minus(Duration.ofDays(7));
        MetricsSnapshot m = new MetricsService(clients, "nothing-runs-here-", PriceTable.cloudRunJobsTier1(), MetricTargets.originalPlan())
                .snapshot(weekAgo.minus(Duration.ofDays(7)), weekAgo);
        assertThat(m.completed()).isZero();
        assertThat(m.successRate()).isEmpty();
        assertThat(m.evaluations()).allSatisfy(e -> assertThat(e.level()).isEqualTo(Evaluation.Level.NO_DATA));
    }

    @Test
    void targetsClassifyValuesAsThePlanSays() {
        MetricTargets t = MetricTargets.originalPlan();
        assertThat(t.evaluate(Indicator.SUCCESS_RATE, java.util.Optional.of(99.7), 1000).level()).isEqualTo(Evaluation.Level.OK);
        assertThat(t.evaluate(Indicator.SUCCESS_RATE, java.util.Optional.of(99.2), 1000).level()).isEqualTo(Evaluation.Level.WARNING);
        assertThat(t.evaluate(Indicator.SUCCESS_RATE, java.util.Optional.of(98.9), 1000).level()).isEqualTo(Evaluation.Level.CRITICAL);
        assertThat(t.evaluate(Indicator.LATENCY_P50, java.util.Optional.of(4.0), 10).level()).isEqualTo(Evaluation.Level.WARNING);
        assertThat(t.evaluate(Indicator.LATENCY_P99, java.util.Optional.of(15.5), 10).level()).isEqualTo(Evaluation.Level.CRITICAL);
        assertThat(t.evaluate(Indicator.ERROR_RATE, java.util.Optional.of(1.0), 10).level()).isEqualTo(Evaluation.Level.WARNING);
        assertThat(t.evaluate(Indicator.COST_PER_1000, java.util.Optional.of(1.20), 10).level()).isEqualTo(Evaluation.Level.CRITICAL);
        assertThat(MetricsWindow.parse("6h").length()).isEqualTo(Duration.ofHours(6));
        assertThat(MetricsWindow.parse("90m").length()).isEqualTo(Duration.ofMinutes(90));
    }
}
