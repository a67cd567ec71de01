package io.sandboxops.executor;

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
 * once-mode command end to end with the Google API calls it made. Prints median and p90.
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

    private static void report(String what, List<Long> ms) {
        List<Long> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        System.out.printf("%s: n=%d median %d ms, p90 %d ms, min %d ms, max %d ms%n", what, sorted.size(), sorted.get(sorted.size() / 2),
                sorted.get((int) Math.floor(sorted.size() * 0.9) - (sorted.size() >= 10 ? 0 : 0) >= sorted.size() ? sorted.size() - 1
                        : (int) Math.floor(sorted.size() * 0.9)), sorted.get(0), sorted.get(sorted.size() - 1));
    }
}
