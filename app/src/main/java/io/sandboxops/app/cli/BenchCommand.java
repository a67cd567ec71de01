package io.sandboxops.app.cli;

import io.sandboxops.app.env.SandboxBackends;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.docker.DockerExecBenchmark;
import io.sandboxops.core.env.CloudTarget;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", description = "Benchmarks: exec latency, the plan's load tests, a session's terminal and start times, on either backend.",
        footerHeading = "%nExamples:%n",
        footer = {"  sandboxctl bench exec", "  sandboxctl bench concurrent --short", "  sandboxctl bench files --backend cloudrun --env local --short",
                "  sandboxctl bench terminal --short", "  sandboxctl bench start --backend docker"},
        subcommands = {BenchCommand.Exec.class, LoadBenchCommands.Concurrent.class,
        LoadBenchCommands.Sessions.class, LoadBenchCommands.Files.class, LoadBenchCommands.TerminalBench.class, StartBenchCommand.class})
final class BenchCommand {
    @Mixin
    HelpOption help;

    @Access(Access.Kind.LOCAL)
    @Command(name = "exec", description = "Warm stateful exec (echo hello) against a raw Docker exec round trip, same container, same run.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl bench exec", "  sandboxctl bench exec --iterations 1000 --warmup 200 --json"})
    static final class Exec implements Callable<Integer> {
        @Mixin
        HelpOption help;
        @Spec
        CommandSpec spec;
        @Option(names = "--iterations", defaultValue = "300", paramLabel = "N", description = "Samples of each, at least 10 (default: ${DEFAULT-VALUE}).")
        int iterations;
        @Option(names = "--warmup", defaultValue = "100", paramLabel = "N", description = "Stateful execs before measuring (default: ${DEFAULT-VALUE}).")
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
                throw Usage.error(spec, "--iterations must be at least 10 for a median and a p90 to mean anything");
            }
            if (warmup < 0) {
                throw Usage.error(spec, "--warmup must be 0 or more, not " + warmup);
            }
            // Opened as every verb opens it: observed, its events to the environment's Cloud Logging (or nowhere).
            Optional<CloudTarget> events = Backends.eventTarget(env);
            try (SandboxBackend backend = SandboxBackends.docker(events, 0)) {
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
