package io.sandboxops.app.cli;

import io.sandboxops.app.env.LocalCloudSeeder;
import io.sandboxops.app.env.RunningEmulator;
import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.Environments;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.emulator.LocalCloudConfig;
import io.sandboxops.emulator.LocalCloudMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "emulator", description = "The local stand-in for the Google APIs.", subcommands = EmulatorCommand.Start.class,
        footerHeading = "%nExamples:%n",
        footer = {"  sandboxctl emulator start", "  sandboxctl emulator start --port 9400 --data-dir /tmp/emulator"})
final class EmulatorCommand {
    @Mixin
    HelpOption help;

    @Access(Access.Kind.LOCAL)
    @Command(name = "start", description = {"Run the emulator in the foreground, print its endpoints; Ctrl-C stops it.",
            "It is seeded as the local environment and recorded, so `--env local` verbs find it."},
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl emulator start", "  sandboxctl emulator start --port 9400 --data-dir /tmp/emulator",
                    "  sandboxctl emulator start --runner process --process-command ./run-task",
                    "  sandboxctl emulator start --latency-profile gcp-regional --latency-seed 7",
                    "  sandboxctl emulator start --fault 'storage.objects.get:error=503:times=2'"})
    static final class Start implements Callable<Integer> {
        @Mixin
        HelpOption help;
        @Spec
        CommandSpec spec;
        @Option(names = "--data-dir", paramLabel = "DIR", description = "Where storage objects live (default ~/.sandbox-ops/emulator).")
        Path dataDir;
        @Option(names = "--port", paramLabel = "PORT", description = "gRPC port (Cloud Run, Operations, Monitoring, Logging); default a free port.")
        Integer port;
        @Option(names = "--storage-port", paramLabel = "PORT", description = "Cloud Storage port (default PORT+1 with --port, else a free port).")
        Integer storagePort;
        @Option(names = "--project", paramLabel = "ID", description = "Project id (default local-project).")
        String project;
        @Option(names = "--location", paramLabel = "REGION", description = "Cloud Run region (default us-central1).")
        String location;
        @Option(names = "--runner", paramLabel = "RUNNER", completionCandidates = Runners.class,
                description = "How executions run: docker (default) or process.")
        String runner;
        @Option(names = "--process-command", paramLabel = "CMD", description = "With --runner process: the command every task runs.")
        String processCommand;
        @Option(names = "--latency-profile", paramLabel = "NAME|FILE",
                description = "Per-method latency and execution start delay: none (default), gcp-regional, or a JSON profile file.")
        String latencyProfile;
        @Option(names = "--latency-seed", paramLabel = "N", description = "Seeds the profile's jitter (default random, printed at start).")
        Long latencySeed;
        @Option(names = "--fault", paramLabel = "SPEC",
                description = "A fault rule, repeatable: METHOD[:error=503|UNAVAILABLE][:probability=P][:times=N][:latency=200ms][:for=30s].")
        List<String> faults = new ArrayList<>();
        @Option(names = "--faults", paramLabel = "FILE", description = "Fault rules, one SPEC a line (# starts a comment).")
        Path faultsFile;

        @Override
        public Integer call() throws InterruptedException {
            List<String> args = new ArrayList<>();
            add(args, "--data-dir", dataDir);
            add(args, "--port", port);
            add(args, "--storage-port", storagePort);
            add(args, "--project", project);
            add(args, "--location", location);
            add(args, "--runner", runner);
            add(args, "--process-command", processCommand);
            add(args, "--latency-profile", latencyProfile);
            add(args, "--latency-seed", latencySeed);
            faults.forEach(f -> add(args, "--fault", f));
            add(args, "--faults", faultsFile);
            LocalCloudConfig config;
            try {
                config = LocalCloudMain.parseOptions(args.toArray(String[]::new));
            } catch (IllegalArgumentException e) {
                // The emulator's own option rules (a port out of range, --process-command without --runner process, a bad
                // --fault spec or latency profile): one set of rules, refused as a usage error (exit 2).
                throw Usage.error(spec, e.getMessage());
            }
            // Seeded like a project of the product and recorded, so `sandboxctl --env local` commands find it.
            Environment local = Environments.load(Environments.defaultFile()).get(Environment.LOCAL);
            LocalCloudMain.run(config, cloud -> {
                CloudTarget target = local.localTarget(cloud.endpoints().grpcTarget(), cloud.endpoints().storageHost(),
                        cloud.endpoints().accessToken());
                try (GoogleClients clients = new GoogleClients(target)) {
                    LocalCloudSeeder.seed(clients, local);
                }
                RunningEmulator.record(target);
                System.out.println("Seeded: bucket " + local.bucket() + ", service " + local.service() + " (rollout off).");
            }, RunningEmulator::forget);
            return 0;
        }

        private static void add(List<String> args, String option, Object value) {
            if (value != null) {
                args.add(option);
                args.add(value.toString());
            }
        }
    }

    /** The --runner values, for completion. */
    static final class Runners implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.of("docker", "process").iterator();
        }
    }
}
