package io.sandboxops.emulator;

import io.sandboxops.emulator.faults.FaultRule;
import io.sandboxops.emulator.faults.LatencyProfile;
import io.sandboxops.emulator.run.DockerExecutionRunner;
import io.sandboxops.emulator.run.ProcessExecutionRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the local cloud in the foreground until Ctrl-C: {@code sandboxctl emulator start} calls
 * {@link #parseOptions(String...)} and {@link #run(LocalCloudConfig)}.
 */
public final class LocalCloudMain {

    public static final String USAGE = String.join(System.lineSeparator(),
            "Usage: emulator [--data-dir DIR] [--port PORT] [--storage-port PORT] [--project ID] [--location REGION]",
            "                [--runner docker|process] [--process-command \"CMD ARG...\"] [--revision-ready-delay MILLIS]",
            "                [--latency-profile NAME|FILE] [--latency-seed N] [--fault SPEC]... [--faults FILE]",
            "",
            "  --data-dir DIR        where storage objects live (default ~/.sandbox-ops/emulator)",
            "  --port PORT           gRPC port of Cloud Run, Operations, Monitoring, Logging (default: a free port)",
            "  --storage-port PORT   Cloud Storage JSON API port (default PORT+1 when --port is given, else a free port)",
            "  --project ID          project id of the emulator's own logs and metrics (default local-project)",
            "  --location REGION     Cloud Run region (default us-central1)",
            "  --runner docker|process   how tasks run (default docker: a container of the job's image, host network)",
            "  --process-command CMD  with --runner process (and then required): the local command every task runs,",
            "                        the container args appended",
            "  --revision-ready-delay MILLIS  time a new service revision takes to become ready (default 500)",
            "  --latency-profile NAME|FILE  per-method latency and execution start delay: none (default), gcp-regional,",
            "                        or a JSON profile file (emulator/README.md, Latency profiles)",
            "  --latency-seed N      seeds the profile's jitter, to draw the same latencies again (default: random, printed)",
            "  --fault SPEC          a fault rule, repeatable: METHOD[:error=503|UNAVAILABLE][:probability=P][:times=N]",
            "                        [:latency=200ms][:for=30s], e.g. storage.objects.get:error=503:probability=0.1",
            "  --faults FILE         fault rules, one SPEC a line (# starts a comment)");

    private LocalCloudMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        LocalCloudConfig config;
        try {
            config = parseOptions(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        run(config);
    }

    /** Starts the cloud, prints its endpoints, and blocks until the JVM is asked to stop. */
    public static void run(LocalCloudConfig config) throws InterruptedException {
        run(config, cloud -> { }, () -> { });
    }

    /**
     * As {@link #run(LocalCloudConfig)}, telling {@code onStarted} once the cloud serves (before its endpoints are
     * printed) and {@code onStopping} before it closes.
     */
    public static void run(LocalCloudConfig config, java.util.function.Consumer<LocalCloud> onStarted, Runnable onStopping)
            throws InterruptedException {
        LocalCloud cloud = LocalCloud.start(config);
        try {
            onStarted.accept(cloud);
        } catch (RuntimeException e) {
            cloud.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping the local cloud...");
            onStopping.run();
            cloud.close();
            stopped.countDown();
        }, "local-cloud-shutdown"));
        System.out.println("Local cloud running (data in " + cloud.dataDir() + "). Press Ctrl-C to stop.");
        System.out.println(cloud.endpoints().describe());
        if (!config.latencyProfile().isEmpty()) {
            System.out.println("latency profile: " + config.latencyProfile().name() + " (seed " + cloud.latencySeed()
                    + ": --latency-seed " + cloud.latencySeed() + " draws the same latencies again)");
        }
        if (!config.faults().isEmpty()) {
            System.out.println("fault rules: " + config.faults().size() + " (from --fault / --faults)");
        }
        // The one place the token is shown: whoever started the emulator needs it to point other clients at it.
        System.out.println("access token (this run only): " + cloud.endpoints().accessToken());
        System.out.flush();
        stopped.await();
    }

    /** Parses the command line into a configuration; an unknown or incomplete option is an IllegalArgumentException. */
    public static LocalCloudConfig parseOptions(String... args) {
        LocalCloudConfig.Builder b = LocalCloudConfig.newBuilder()
                .dataDir(Path.of(System.getProperty("user.home"), ".sandbox-ops", "emulator"));
        String runner = "docker";
        List<String> processCommand = List.of();
        Integer storagePort = null;
        int port = 0;
        List<FaultRule> faults = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("-h") || option.equals("--help")) {
                throw new IllegalArgumentException("Options of the local cloud:");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Missing value after " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--data-dir" -> b.dataDir(Path.of(value));
                case "--port" -> port = port(value, option);
                case "--storage-port" -> storagePort = port(value, option);
                case "--project" -> b.projectId(value);
                case "--location" -> b.location(value);
                case "--runner" -> {
                    if (!value.equals("docker") && !value.equals("process")) {
                        throw new IllegalArgumentException("--runner must be docker or process, not " + value);
                    }
                    runner = value;
                }
                case "--process-command" -> processCommand = Arrays.asList(value.trim().split("\\s+"));
                case "--revision-ready-delay" -> b.revisionReadyDelay(Duration.ofMillis(number(value, option)));
                case "--latency-profile" -> b.latencyProfile(LatencyProfile.of(value));
                case "--latency-seed" -> b.latencySeed(number(value, option));
                case "--fault" -> faults.add(FaultRule.parse(value));
                case "--faults" -> faults.addAll(faultFile(Path.of(value)));
                default -> throw new IllegalArgumentException("Unknown option " + option);
            }
        }
        if (!processCommand.isEmpty() && !runner.equals("process")) {
            throw new IllegalArgumentException("--process-command needs --runner process");
        }
        if (processCommand.isEmpty() && runner.equals("process")) {
            // Checked here, at start: a job's container names an image and seldom a command, so without one every
            // execution would fail to start, long after the emulator said it was running.
            throw new IllegalArgumentException("--runner process needs --process-command \"CMD ARG...\": the local command "
                    + "every task runs, with the container's args appended (for example --process-command \"java -jar "
                    + "executor.jar\", or \"sh -c\" to run each job's first argument as a shell command). "
                    + "To run each job's own image instead, use --runner docker.");
        }
        b.faults(faults);
        b.grpcPort(port);
        b.storagePort(storagePort != null ? storagePort : port == 0 ? 0 : port + 1);
        List<String> command = processCommand;
        if (runner.equals("docker")) {
            b.runner(DockerExecutionRunner::connect);
        } else {
            b.runner(() -> ProcessExecutionRunner.of(command));
        }
        return b.build();
    }

    /** One {@link FaultRule#parse(String) spec} a line; blank lines and {@code #} comments are skipped. */
    private static List<FaultRule> faultFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("--faults " + file + ": cannot read it (" + e.getMessage() + ")");
        }
        List<FaultRule> rules = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                rules.add(FaultRule.parse(line));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--faults " + file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return rules;
    }

    private static int port(String value, String option) {
        long p = number(value, option);
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException(option + " must be a port number (0-65535), not " + value);
        }
        return (int) p;
    }

    private static long number(String value, String option) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, not " + value);
        }
    }
}
