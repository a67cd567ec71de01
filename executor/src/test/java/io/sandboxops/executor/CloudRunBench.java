package io.sandboxops.executor;

import com.google.logging.v2.ListLogEntriesRequest;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.cloudrun.CloudRunJobManager;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Benchmarks of the Cloud Run backend against the emulator (not a test): a warm command in session mode, a
 * once-mode command end to end with the Google API calls it made. Prints median and p90, and from the executors'
 * own JSON log lines (read back from the emulator's Cloud Logging) where a warm command's time goes in the worker,
 * the executor's start-up (process start to restored files, to worker ready, to first request) and the state load.
 *
 * <pre>java -cp "$(cat executor/target/test-cp.txt):executor/target/classes:executor/target/test-classes" io.sandboxops.executor.CloudRunBench [warm-runs] [once-runs]</pre>
 */
public final class CloudRunBench {
    private CloudRunBench() {
    }

    public static void main(String[] args) {
        int warmRuns = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int onceRuns = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Duration t = Duration.ofSeconds(60);
        try (LocalCloudHarness harness = LocalCloudHarness.withProcessRunner()) {
            try (CloudRunJobsSandboxBackend backend = harness.backend(Map.of("SANDBOX_MODE", "session", "SANDBOX_IDLE_TIMEOUT", "60s"))) {
                Sandbox s = backend.create(SandboxSpec.newBuilder().build());
                long first = System.nanoTime();
                s.execStateful("echo first", "main", t);
                System.out.printf("session: cold first command (worker start + restore + command): %d ms%n", (System.nanoTime() - first) / 1_000_000);
                List<Long> warm = new ArrayList<>();
                for (int i = 0; i < warmRuns; i++) {
                    long start = System.nanoTime();
                    ExecResult r = s.execStateful("echo " + i, "main", t);
                    warm.add((System.nanoTime() - start) / 1_000_000);
                    if (r.exitCode() != 0) {
                        throw new IllegalStateException("command failed: " + r);
                    }
                }
                report("session: warm `echo` round trip", warm);
                workerPhases(harness, warmRuns);
                startup(harness);
                s.destroy();
            }
            try (CloudRunJobsSandboxBackend backend = harness.backend(Map.of("SANDBOX_MODE", "once"))) {
                Sandbox s = backend.create(SandboxSpec.newBuilder().build());
                s.execStateful("true", "main", t);
                CloudRunJobManager.Counters c = backend.jobs().counters();
                long callsBefore = c.total();
                long runsBefore = c.runJob.get();
                List<Long> once = new ArrayList<>();
                for (int i = 0; i < onceRuns; i++) {
                    long start = System.nanoTime();
                    s.execStateful("echo " + i, "main", t);
                    once.add((System.nanoTime() - start) / 1_000_000);
                }
                report("once: command end to end", once);
                System.out.printf("once: Cloud Run API calls per command: %.1f (RunJob %.1f, the rest GetExecution polls); %s%n",
                        (c.total() - callsBefore) / (double) onceRuns, (c.runJob.get() - runsBefore) / (double) onceRuns, c);
                s.destroy();
            }
        }
    }

    /** The executor's start-up and state-load timings, from its JSON log lines. */
    private static void startup(LocalCloudHarness harness) {
        for (String event : List.of("start", "restored", "worker-ready", "first-request", "state-loaded")) {
            harness.clients.logging().listLogEntries(ListLogEntriesRequest.newBuilder()
                    .addResourceNames("projects/" + harness.cloud.endpoints().projectId())
                    .setFilter("jsonPayload.event=\"" + event + "\"").setOrderBy("timestamp asc").build())
                    .iterateAll().forEach(e -> {
                        StringBuilder out = new StringBuilder("executor: ").append(event);
                        e.getJsonPayload().getFieldsMap().forEach((k, v) -> {
                            if (k.endsWith("_ms")) {
                                out.append(' ').append(k).append('=').append(v.getNumberValue());
                            }
                        });
                        System.out.println(out);
                    });
        }
    }

    /** The worker's own timings of the last {@code n} commands, from its JSON log lines in the emulator's Cloud Logging. */
    private static void workerPhases(LocalCloudHarness harness, int n) {
        String filter = "jsonPayload.event=\"exec-phases\"";
        List<Map<String, Double>> lines = new ArrayList<>();
        harness.clients.logging().listLogEntries(ListLogEntriesRequest.newBuilder()
                .addResourceNames("projects/" + harness.cloud.endpoints().projectId()).setFilter(filter).setOrderBy("timestamp desc").build())
                .iterateAll().forEach(e -> {
                    if (lines.size() < n) {
                        Map<String, Double> m = new java.util.TreeMap<>();
                        e.getJsonPayload().getFieldsMap().forEach((k, v) -> {
                            if (k.endsWith("_ms")) {
                                m.put(k, v.getNumberValue());
                            }
                        });
                        lines.add(m);
                    }
                });
        if (lines.isEmpty()) {
            return;
        }
        StringBuilder out = new StringBuilder("session: worker-side phases per warm command (median ms):");
        for (String k : lines.get(0).keySet()) {
            List<Double> v = lines.stream().map(m -> m.getOrDefault(k, 0.0)).sorted().toList();
            out.append(String.format(" %s %.1f", k.substring(0, k.length() - 3), v.get(v.size() / 2)));
        }
        System.out.println(out);
    }

    private static void report(String what, List<Long> ms) {
        List<Long> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        System.out.printf("%s: n=%d median %d ms, p90 %d ms, min %d ms, max %d ms%n", what, sorted.size(), sorted.get(sorted.size() / 2),
                sorted.get((int) Math.floor(sorted.size() * 0.9) - (sorted.size() >= 10 ? 0 : 0) >= sorted.size() ? sorted.size() - 1
                        : (int) Math.floor(sorted.size() * 0.9)), sorted.get(0), sorted.get(sorted.size() - 1));
    }
}
