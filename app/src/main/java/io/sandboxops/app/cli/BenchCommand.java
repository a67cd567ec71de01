package io.sandboxops.app.cli;

import io.sandboxops.app.env.SandboxBackends;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.docker.DockerExecBenchmark;
import io.sandboxops.core.env.CloudTarget;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", description = "Benchmarks.", subcommands = {BenchCommand.Exec.class, LoadBenchCommands.Concurrent.class,
        LoadBenchCommands.Sessions.class, LoadBenchCommands.Files.class})
final class BenchCommand {

    @Access(Access.Kind.LOCAL)
    @Command(name = "exec", description = "Warm stateful exec (echo hello) against a raw Docker exec round trip, same container, same run.")
    static final class Exec implements Callable<Integer> {
        @Option(names = "--iterations", defaultValue = "300", description = "Samples of each (default: ${DEFAULT-VALUE}).")
        int iterations;
        @Option(names = "--warmup", defaultValue = "100", description = "Stateful execs before measuring (default: ${DEFAULT-VALUE}).")
        int warmup;
        @Option(names = "--image", paramLabel = "IMG", description = "Image (default: the backend's).")
        String image;
        @Mixin
        EnvironmentOption env;
        @Mixin
        Output output;

        @Override
        public Integer call() {
            if (iterations < 10) {
                throw new CliException("--iterations must be at least 10 for a median and a p90 to mean anything");
            }
            // Opened as every verb opens it: observed, its events to the environment's Cloud Logging (or nowhere).
            Optional<CloudTarget> events = Backends.eventTarget(env);
            try (SandboxBackend backend = SandboxBackends.docker(events)) {
                DockerExecBenchmark.Report r = DockerExecBenchmark.run(backend, warmup, iterations, Optional.ofNullable(image), done -> {
                    if (!output.json && System.console() != null && done % 50 == 0) {
                        output.err().print("\rsamples: " + done + "/" + (2 * iterations));
                        output.err().flush();
                    }
                });
                if (!output.json && System.console() != null) {
                    output.err().println();
                }
                String text = String.format("image: %s, %d samples each, client events to %s%n"
                                + "warm execStateful(\"echo hello\"): median %.3f ms, p90 %.3f ms (min %.3f, max %.3f)%n"
                                + "raw docker exec (create+start+inspect): median %.3f ms, p90 %.3f ms (min %.3f, max %.3f)%n"
                                + "ratio (raw median / stateful median): %.1fx",
                        r.image(), iterations, eventsTo(events), r.statefulExec().medianMs(), r.statefulExec().p90Ms(), r.statefulExec().minMs(),
                        r.statefulExec().maxMs(), r.rawDockerExec().medianMs(), r.rawDockerExec().p90Ms(), r.rawDockerExec().minMs(),
                        r.rawDockerExec().maxMs(), r.ratio());
                output.print(Output.object("image", r.image(), "iterations", iterations, "events", eventsTo(events),
                        "stateful_exec_ms", Output.object("median", r.statefulExec().medianMs(), "p90", r.statefulExec().p90Ms(),
                                "min", r.statefulExec().minMs(), "max", r.statefulExec().maxMs()),
                        "raw_docker_exec_ms", Output.object("median", r.rawDockerExec().medianMs(), "p90", r.rawDockerExec().p90Ms(),
                                "min", r.rawDockerExec().minMs(), "max", r.rawDockerExec().maxMs()),
                        "ratio", r.ratio()), text);
            }
            return 0;
        }

        private static String eventsTo(Optional<CloudTarget> events) {
            return events.map(t -> "Cloud Logging of " + t.projectId() + t.grpcEndpoint().map(g -> " at " + g).orElse("")).orElse("nowhere");
        }
    }
}
