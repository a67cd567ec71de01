package io.sandboxops.app.cli;

import io.sandboxops.app.bench.ProcessStartBenchmark;
import io.sandboxops.app.env.SandboxBackends;
import io.sandboxops.core.bench.CloudRunStartBenchmark;
import io.sandboxops.core.bench.DockerStartBenchmark;
import io.sandboxops.core.bench.StartFigure;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.Environment;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sandboxctl bench start}: how long starting takes, each figure beside its reference measured in the same run,
 * judged against its goal. The figures come from {@link Source}s, one per benchmark; the command only runs the ones
 * {@code --backend} names, prints them and judges them.
 */
@Access(Access.Kind.WRITE)
@Command(name = "start", description = {"Start figures, each beside its reference measured in the same run and judged against its goal: "
        + "create → first command, claim from a warm pool → first command, and the CLI's own start.",
        "Exit status 1 when a goal is missed (the summary names it), 0 when every goal is met."},
        footerHeading = "%nExamples:%n",
        footer = {"  sandboxctl bench start", "  sandboxctl bench start --backend docker --rounds 5",
                "  sandboxctl bench start --backend cloudrun --env local --json"})
final class StartBenchCommand implements Callable<Integer> {
    static final int MIN_ROUNDS = 3;

    @Mixin
    HelpOption help;
    @Spec
    CommandSpec spec;
    @Option(names = "--backend", defaultValue = PoolCommand.ALL, paramLabel = "NAME", converter = PoolCommand.Choice.class,
            completionCandidates = PoolCommand.Choice.class, description = "docker, cloudrun or all (default: ${DEFAULT-VALUE}).")
    String backend;
    @Option(names = "--rounds", defaultValue = "10", paramLabel = "N",
            description = "Samples of each figure and of its reference, at least " + MIN_ROUNDS + " (default: ${DEFAULT-VALUE}).")
    int rounds;
    @Option(names = "--sandboxctl", paramLabel = "PATH", description = "With --backend all: the sandboxctl launcher the process figures start "
            + "(default: bin/sandboxctl of this checkout, else the installed one).")
    String sandboxctl;
    @Option(names = "--console", paramLabel = "PATH", description = "With --backend all: the console launcher (default: bin/console, else the installed one).")
    String console;
    @Mixin
    EnvironmentOption env;
    @Mixin
    ConfirmOption confirm;
    @Mixin
    Output output;

    /** What a source is given: how many rounds, the environment, and where to say how far it is. */
    record Run(int rounds, EnvironmentOption environment, PrintWriter progress) {
    }

    /**
     * What a source measured: its figures, lines that explain them (a profile, the load), and goals it judged that are
     * not times (the console's memory): how many, and those missed, by name.
     */
    record Result(List<StartFigure> figures, List<String> notes, int otherGoals, List<String> otherMissed) {
        Result {
            figures = List.copyOf(figures);
            notes = List.copyOf(notes);
            otherMissed = List.copyOf(otherMissed);
        }

        Result(List<StartFigure> figures, List<String> notes) {
            this(figures, notes, 0, List.of());
        }
    }

    /** One benchmark of start figures. */
    interface Source {
        /** e.g. {@code docker}, {@code cloudrun}, {@code cli} */
        String name();

        /** Whether {@code --backend NAME} runs it: {@code all}, or its own name. */
        default boolean runsFor(String backend) {
            return PoolCommand.ALL.equals(backend) || name().equals(backend);
        }

        Result run(Run run);
    }

    /**
     * Every source of this build. A benchmark that is not in the build is absent, not stood in for: its figures are
     * simply not printed.
     */
    List<Source> sources() {
        return List.of(new DockerSource(), new CloudRunSource(), new ProcessSource());
    }

    /**
     * Docker ({@link DockerStartBenchmark}): create → first command with no pool, against {@code docker run -d} and
     * {@code docker exec} of the same image through the engine API; claim from a pool of 2 → first command; and the
     * engine calls of one cold create.
     */
    static final class DockerSource implements Source {
        @Override
        public String name() {
            return Backends.DOCKER;
        }

        @Override
        public Result run(Run run) {
            DockerStartBenchmark.Report r = DockerStartBenchmark.run(run.rounds(), Optional.empty(), done -> {
                run.progress().println("docker: " + done + " measured");
                run.progress().flush();
            });
            // The report's own text: its figures' lines, then the load and the profile, which are the notes.
            List<String> lines = r.text().lines().toList();
            return new Result(r.figures(), lines.subList(r.figures().size(), lines.size()));
        }
    }

    /**
     * Cloud Run, on the environment's emulator or project ({@link CloudRunStartBenchmark}): a session's first command
     * claiming a pooled worker, against a cold start; a warm command, against the floor of a Storage mailbox. The pooled rounds are at
     * least 10, whatever --rounds says; the cold rounds a third of them (each waits for an execution to start).
     */
    static final class CloudRunSource implements Source {
        @Override
        public String name() {
            return Backends.CLOUDRUN;
        }

        @Override
        public Result run(Run run) {
            Environment env = run.environment().environment();
            CloudTarget target = EnvironmentOption.target(env);
            Map<String, String> session = Map.of("SANDBOX_MODE", "session");
            CloudRunStartBenchmark.Settings settings = new CloudRunStartBenchmark.Settings(Math.max(10, run.rounds()),
                    Math.max(1, run.rounds() / 3), Math.max(10, run.rounds() * 5));
            try (CloudRunJobsSandboxBackend pooled = SandboxBackends.cloudRunUnobserved(env, target, session, 1);
                 CloudRunJobsSandboxBackend cold = SandboxBackends.cloudRunUnobserved(env, target, session, 0)) {
                CloudRunStartBenchmark.Report r = new CloudRunStartBenchmark(pooled, cold).run(settings, line -> {
                    run.progress().println("cloudrun: " + line);
                    run.progress().flush();
                });
                List<String> lines = r.lines();
                return new Result(List.of(r.pooledFirst(), r.warm()), lines.subList(2, lines.size()));
            }
        }
    }

    /**
     * The whole-process figures ({@link ProcessStartBenchmark}): {@code sandboxctl --version}, {@code rollout status},
     * {@code exec} on a live Docker session, the console's first frame, sessions listed and memory, each started as a
     * person starts it through its launcher. Run with {@code --backend all} only: they are the CLI's and the console's,
     * not a backend's.
     */
    final class ProcessSource implements Source {
        @Override
        public String name() {
            return "process";
        }

        @Override
        public boolean runsFor(String backend) {
            return PoolCommand.ALL.equals(backend);
        }

        @Override
        public Result run(Run run) {
            ProcessStartBenchmark.Report r = new ProcessStartBenchmark(new ProcessStartBenchmark.Launchers(List.of(launcher(sandboxctl, "sandboxctl")),
                    List.of(launcher(console, "console")), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    run.rounds())).run();
            List<String> notes = new ArrayList<>();
            r.memory().forEach(m -> notes.add(m.line()));
            r.skipped().forEach(k -> notes.add("skipped: " + k));
            List<String> missed = r.memory().stream().filter(m -> !m.met()).map(m -> m.what() + " (goal ≤ " + (long) m.goalMb() + " MB)").toList();
            return new Result(r.figures(), notes, r.memory().size(), missed);
        }
    }

    /** The launcher given, else this checkout's {@code bin/NAME}, else the installed one. */
    static String launcher(String given, String name) {
        if (given != null && !given.isBlank()) {
            return given;
        }
        Path checkout = Path.of("bin", name);
        if (Files.isExecutable(checkout)) {
            return checkout.toString();
        }
        Path installed = Path.of("/opt/sandbox-ops/bin", name.equals("console") ? "sandbox-ops" : name);
        if (Files.isExecutable(installed)) {
            return installed.toString();
        }
        throw new CliException("no " + name + " launcher in ./bin or /opt/sandbox-ops/bin: run from a checkout, or pass --"
                + (name.equals("console") ? "console" : "sandboxctl") + " PATH");
    }

    @Override
    public Integer call() {
        if (rounds < MIN_ROUNDS) {
            throw Usage.error(spec, "--rounds must be at least " + MIN_ROUNDS + " for a median to mean anything, not " + rounds);
        }
        List<Source> chosen = sources().stream().filter(s -> s.runsFor(backend)).toList();
        if (chosen.isEmpty()) {
            throw new CliException("this build has no start benchmark for --backend " + backend + "; nothing was measured");
        }
        List<Object> json = new ArrayList<>();
        List<String> text = new ArrayList<>();
        int goals = 0;
        List<String> missed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (Source source : chosen) {
            Result r;
            try {
                r = source.run(new Run(rounds, env, output.err()));
            } catch (RuntimeException e) {
                // One benchmark that cannot run (no emulator, no engine) does not hide the others' figures.
                String why = SandboxCtl.message(e);
                failed.add(source.name() + ": " + why);
                text.add(source.name() + ": not measured: " + why);
                json.add(Output.object("source", source.name(), "error", why));
                continue;
            }
            text.add(source.name() + ":");
            r.figures().forEach(f -> text.add("  " + f.line()));
            r.notes().forEach(n -> text.add("  " + n));
            goals += r.figures().size() + r.otherGoals();
            r.figures().stream().filter(f -> !f.met()).forEach(f -> missed.add(f.what() + " (goal " + f.goal() + ")"));
            missed.addAll(r.otherMissed());
            json.add(Output.object("source", source.name(), "figures", r.figures().stream().map(StartBenchCommand::json).toList(),
                    "notes", r.notes(), "other_goals", r.otherGoals(), "other_missed", r.otherMissed()));
        }
        String summary = missed.isEmpty() ? "all " + goals + " goals met" : missed.size() + " of " + goals + " goals missed: " + String.join("; ", missed);
        text.add(summary);
        output.print(Output.object("backend", backend, "rounds", rounds, "sources", json, "goals", goals, "missed", missed.size(),
                "not_measured", failed, "summary", summary), String.join("\n", text));
        if (!failed.isEmpty()) {
            throw new CliException("bench start: not measured: " + String.join("; ", failed) + (missed.isEmpty() ? "" : "; " + summary));
        }
        if (!missed.isEmpty()) {
            output.err().println("sandboxctl: bench start: " + summary);
            output.err().flush();
            return SandboxCtl.EXIT_FAILED;
        }
        return 0;
    }

    static Map<String, Object> json(StartFigure f) {
        return Output.object("what", f.what(), "median_ms", f.median(), "samples_ms", f.samplesMillis(), "reference", f.reference(),
                "reference_median_ms", f.referenceMedian().isPresent() ? f.referenceMedian().getAsDouble() : null,
                "reference_samples_ms", f.referenceMillis(), "ratio", f.ratio().isPresent() ? f.ratio().getAsDouble() : null,
                "goal", f.goal().toString(), "met", f.met(), "line", f.line());
    }
}
