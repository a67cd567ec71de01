package io.sandboxops.executor;

import io.sandboxops.core.bench.CloudRunStartBenchmark;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import java.util.Map;

/**
 * {@link CloudRunStartBenchmark} against the emulator with the real executor as local processes (not a test): a pool of
 * one against cold starts, warm commands against the floor of a Storage mailbox, and the Storage calls of a warm command.
 *
 * <pre>java [-Dbench.latency=gcp-regional] [-Dbench.phases=true] -cp "$(cat executor/target/test-cp.txt):executor/target/classes:executor/target/test-classes" io.sandboxops.executor.CloudRunStartBench [pool-rounds] [cold-rounds] [warm-commands]</pre>
 *
 * {@code bench.latency} names the emulator's latency profile (default {@code none}); {@code bench.phases} prints the
 * workers' own log lines of each phase after the figures.
 */
public final class CloudRunStartBench {
    private CloudRunStartBench() {
    }

    public static void main(String[] args) {
        CloudRunStartBenchmark.Settings full = CloudRunStartBenchmark.Settings.FULL;
        CloudRunStartBenchmark.Settings settings = new CloudRunStartBenchmark.Settings(
                args.length > 0 ? Integer.parseInt(args[0]) : full.poolRounds(),
                args.length > 1 ? Integer.parseInt(args[1]) : full.coldRounds(),
                args.length > 2 ? Integer.parseInt(args[2]) : full.warmCommands());
        Map<String, String> common = Map.of("SANDBOX_MODE", "session", "SANDBOX_IDLE_TIMEOUT", "120s", "SANDBOX_POOL_IDLE_TIMEOUT", "120s");
        io.sandboxops.emulator.faults.LatencyProfile latency = io.sandboxops.emulator.faults.LatencyProfile.of(System.getProperty("bench.latency", "none"));
        System.out.println("emulator latency profile: " + latency.name());
        try (LocalCloudHarness harness = LocalCloudHarness.withProcessRunner(latency)) {
            Map<String, String> pooledEnv = new java.util.HashMap<>(common);
            pooledEnv.put("SANDBOX_POOL_CLOUDRUN", "1");
            try (CloudRunJobsSandboxBackend pooled = harness.backend(pooledEnv); CloudRunJobsSandboxBackend cold = harness.backend(common)) {
                CloudRunStartBenchmark.Report r = new CloudRunStartBenchmark(pooled, cold).run(settings, System.out::println);
                System.out.println();
                r.lines().forEach(System.out::println);
            }
            if (Boolean.getBoolean("bench.phases")) {
                // Where a claimed worker's time goes, from its own log lines.
                for (String line : harness.executionLogs().split("\n")) {
                    if (line.matches(".*(pool-warm[a-z-]*|pool-claimed|pool-idle\"|restored|worker-ready|first-request|exec-phases|\"start\").*")) {
                        System.out.println(line.replaceAll("fields \\{ key: \"([a-z_]+)\" value \\{ [a-z_]+: ([^}]*) \\} \\}", "$1=$2"));
                    }
                }
            }
        }
        System.exit(0);
    }
}
