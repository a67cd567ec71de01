package io.sandboxops.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.logging.v2.ListLogEntriesRequest;
import com.google.protobuf.Value;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.observe.Indicator;
import io.sandboxops.core.observe.MetricTargets;
import io.sandboxops.core.observe.MetricsService;
import io.sandboxops.core.observe.MetricsSnapshot;
import io.sandboxops.core.observe.PriceTable;
import io.sandboxops.core.rollout.Gate;
import io.sandboxops.core.rollout.RolloutPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12, attack 4: a sandbox forges the rollout's numbers. Code in a sandbox prints executor-shaped events
 * ({@code {"event":"command","duration_ms":900000}}) to the executor's own stdout, which Cloud Run turns into
 * structured log entries of the job. The metrics and the plan's gate must not move: they rest on the events the
 * client library writes for each operation it timed itself. Since issue 13 the lines do not even reach the job's log.
 */
@RequiresPrivateNamespaces
class ForgedMetricsTest {
    private static final int FORGED = 50;
    /** Every way a command reaches the task's log: PID 1's stdout (a container's init), the executor's (its parent shell's parent), its own. */
    private static final String FORGE = "line='{\"severity\":\"INFO\",\"event\":\"command\",\"op\":\"exec\",\"duration_ms\":900000}'; "
            + "for i in $(seq " + FORGED + "); do echo \"$line\"; "
            + "for f in /proc/1/fd/1 /proc/$PPID/fd/1; do (echo \"$line\" > \"$f\") 2>/dev/null || true; done; done";

    @RegisterExtension
    static final ProcessRunnerCloud localCloud = new ProcessRunnerCloud();

    @ParameterizedTest
    @ValueSource(strings = {"session", "once"})
    void fakeDurationLinesMoveNeitherTheMetricsNorTheGate(String mode) throws Exception {
        Instant from = Instant.now();
        List<Duration> measured = new ArrayList<>();
        ExecResult forged;
        try (SandboxBackend backend = localCloud.harness().observedBackend(Map.of("SANDBOX_MODE", mode, "SANDBOX_IDLE_TIMEOUT", "30s"))) {
            Sandbox sandbox = backend.create(SandboxSpec.newBuilder().build());
            try {
                for (int i = 0; i < 4; i++) {
                    exec(sandbox, "echo honest " + i, measured);
                }
                forged = exec(sandbox, FORGE, measured);
                assertThat(forged.stdout()).contains("\"duration_ms\":900000");
            } finally {
                sandbox.destroy();
            }
        }
        // Issue 13 closed the road the forgery took: PID 1 (the executor) runs from an executable-only launcher, so it is not
        // dumpable and a command cannot open its stdout through /proc; the lines stay in the command's own output.
        long inLog = await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> forgedEntries(from), n -> n == 0);

        Instant to = Instant.now();
        MetricsSnapshot m = new MetricsService(localCloud.harness().clients, "", PriceTable.cloudRunJobsTier1(), MetricTargets.originalPlan())
                .snapshot(from, to);
        System.out.println("ATTACK 4 | cloudrun/" + mode + " | " + inLog + " forged duration_ms=900000 entries in the job's log | "
                + String.join(" | ", m.describe()));
        Duration slowest = measured.stream().max(Duration::compareTo).orElseThrow();
        assertThat(m.latencySamples()).as("one sample per exec the client ran").isEqualTo(measured.size());
        assertThat(m.latencyP99()).as("p99 is the slowest exec the client timed").hasValueSatisfying(p99 ->
                assertThat(p99).isLessThanOrEqualTo(slowest).isLessThan(Duration.ofSeconds(60)));
        assertThat(m.evaluation(Indicator.LATENCY_P99)).hasValueSatisfying(e -> assertThat(e.value()).hasValueSatisfying(v ->
                assertThat(v).isLessThan(60.0)));
        Gate.Result gate = RolloutPlan.originalPlan().gate().evaluate(m);
        assertThat(gate.checks()).filteredOn(c -> c.name().equals("latency p99")).singleElement()
                .satisfies(c -> assertThat(c.breached()).as(c.describe()).isFalse());
        assertThat(gate.breaches()).noneMatch(b -> b.contains("latency"));
    }

    /** Runs a command and adds how long the caller waited for it, by this test's own clock. */
    private static ExecResult exec(Sandbox sandbox, String command, List<Duration> waited) {
        long t0 = System.nanoTime();
        ExecResult r = sandbox.execStateful(command, "main", Duration.ofSeconds(60));
        waited.add(Duration.ofNanos(System.nanoTime() - t0));
        assertThat(r.exitCode()).isZero();
        return r;
    }

    private static long forgedEntries(Instant since) {
        long[] n = new long[1];
        localCloud.harness().clients.logging().listLogEntries(ListLogEntriesRequest.newBuilder()
                .addResourceNames("projects/" + localCloud.harness().cloud.endpoints().projectId())
                .setFilter("resource.type=\"cloud_run_job\" AND jsonPayload.event=\"command\" AND timestamp>=\"" + since + "\"")
                .build()).iterateAll().forEach(e -> {
                    if (e.getJsonPayload().getFieldsOrDefault("duration_ms", Value.getDefaultInstance()).getNumberValue() == 900_000) {
                        n[0]++;
                    }
                });
        return n[0];
    }
}
