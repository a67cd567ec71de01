package io.sandboxops.core.bench;

import com.github.dockerjava.api.DockerClient;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.docker.DockerEngine;
import io.sandboxops.core.docker.DockerExecBenchmark;
import io.sandboxops.core.docker.DockerSandboxBackend;
import io.sandboxops.core.docker.EngineCalls;
import io.sandboxops.core.shell.ShellSession;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * {@code sandboxctl bench start} on Docker: how long a new sandbox takes to answer its first command, beside what the
 * engine itself needs for the same (a {@code docker run -d} and a {@code docker exec} of the same image, through the
 * engine API, with the same limits and protections), in one run:
 * <ul>
 *   <li>create → first command, no pool, goal ≤ 1.3× the reference;</li>
 *   <li>claim from a pool of 2 → first command, goal median ≤ 50 ms, from the client keeping the pool and from another
 *       (whose first command starts its own shell: beside one plain {@code docker exec} in the same container, the
 *       engine's floor for any new process there);</li>
 *   <li>a profile of one cold create: each engine call, when it started and how long its answer took.</li>
 * </ul>
 * The pooled ones carry the default spec (a label would make them other than the pool's); each sandbox is destroyed
 * after its round.
 */
public final class DockerStartBenchmark {
    static final double COLD_GOAL_RATIO = 1.3;
    static final double POOL_GOAL_MILLIS = 50;
    static final int POOL_SIZE = 2;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String COMMAND = "echo hello";

    /**
     * What one run measured.
     *
     * @param figures     each figure beside its reference
     * @param profile     one line per engine call of a cold create and its first command, in order
     * @param loadAverage the host's one-minute load average when the run ended (negative when unknown)
     */
    public record Report(List<StartFigure> figures, List<String> profile, double loadAverage) {
        public String text() {
            StringBuilder b = new StringBuilder();
            figures.forEach(f -> b.append(f.line()).append('\n'));
            b.append(String.format(Locale.ROOT, "load average (1 min) at the end: %.2f on %d CPUs%n", loadAverage,
                    Runtime.getRuntime().availableProcessors()));
            b.append("profile of one cold create → first command (ms from the start: call, answer time):\n");
            profile.forEach(l -> b.append("  ").append(l).append('\n'));
            return b.toString();
        }
    }

    private DockerStartBenchmark() {
    }

    /**
     * Measures {@code rounds} of each figure (the cold create and its reference alternate, so a change of load hits
     * both), creating and removing its own sandboxes; the cold ones are labelled {@code purpose=benchmark}.
     *
     * @param image    the image for every figure; empty for the backend's default
     * @param progress told each finished round
     */
    public static Report run(int rounds, Optional<String> image, IntConsumer progress) {
        String img = image.orElse(System.getenv().getOrDefault("SANDBOX_IMAGE", DockerSandboxBackend.DEFAULT_IMAGE));
        List<Double> cold = new ArrayList<>();
        List<Double> reference = new ArrayList<>();
        List<Double> pooled = new ArrayList<>();
        List<String> profile;
        List<Double> foreign = new ArrayList<>();
        List<Double> execFloor = new ArrayList<>();
        // The engine API without the backend: the references' own calls.
        try (DockerClient raw = DockerEngine.connect()) {
            try (DockerSandboxBackend backend = new DockerSandboxBackend(DockerEngine.connect(), img, ShellSession.Options.defaults())) {
                // Labelled, so never claimed from a pool another client keeps on the engine: this figure is the cold create.
                // (A create of the default spec first looks for another client's idle container: one list call more.)
                SandboxSpec spec = SandboxSpec.newBuilder().label("purpose", "benchmark").build();
                // One of each first: the image's layers and the engine's caches are warm for every measured round.
                coldRound(backend, spec);
                referenceRound(raw, img, spec);
                for (int i = 0; i < rounds; i++) {
                    cold.add(coldRound(backend, spec));
                    reference.add(referenceRound(raw, img, spec));
                    progress.accept(i + 1);
                }
                profile = profile(img, spec);
            }
            String pooledUser = SandboxSpec.newBuilder().build().user();
            try (DockerSandboxBackend pool = new DockerSandboxBackend(DockerEngine.connect(), img, ShellSession.Options.defaults());
                 DockerSandboxBackend other = new DockerSandboxBackend(DockerEngine.connect(), img, ShellSession.Options.defaults())) {
                pool.setPoolSize(POOL_SIZE);
                for (int i = 0; i < rounds; i++) {
                    pool.awaitPoolReady(Duration.ofSeconds(60));
                    pooled.add(pooledRound(pool, s -> { }));
                    pool.awaitPoolReady(Duration.ofSeconds(60));
                    // Its reference: one plain exec of the same command in the same container, right after (a new shell
                    // cannot start with less than the engine's exec).
                    foreign.add(pooledRound(other, s -> execFloor.add(exec(raw, DockerSandboxBackend.containerName(s.id()), pooledUser))));
                    progress.accept(rounds + i + 1);
                }
            }
        } catch (IOException e) {
            throw new SandboxException("closing the benchmark's Docker client: " + e.getMessage(), e);
        }
        String ref = "docker run -d + docker exec";
        List<StartFigure> figures = List.of(
                new StartFigure("Docker create → first command (no pool)", cold, ref, reference, StartFigure.Goal.ratio(COLD_GOAL_RATIO)),
                new StartFigure("Docker claim → first command (pool of " + POOL_SIZE + ")", pooled, "", List.of(),
                        StartFigure.Goal.millis(POOL_GOAL_MILLIS)),
                // Another client (a CLI process beside a console that keeps the pool) claims the container, but the
                // shell the pool opened answers its owner only: its first command starts a shell.
                new StartFigure("Docker claim from another client's pool → first command", foreign, "docker exec, same container",
                        execFloor, StartFigure.Goal.millis(POOL_GOAL_MILLIS)));
        return new Report(figures, profile, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static double coldRound(DockerSandboxBackend backend, SandboxSpec spec) {
        long t0 = System.nanoTime();
        Sandbox s = backend.create(spec);
        try {
            firstCommand(s);
            return millis(t0);
        } finally {
            s.destroy();
        }
    }

    /** Claim → first command; {@code after} runs on the sandbox once timed, before it is destroyed. */
    private static double pooledRound(DockerSandboxBackend pool, java.util.function.Consumer<Sandbox> after) {
        long t0 = System.nanoTime();
        Sandbox s = pool.create(SandboxSpec.newBuilder().build());
        try {
            firstCommand(s);
            double ms = millis(t0);
            after.accept(s);
            return ms;
        } finally {
            s.destroy();
        }
    }

    private static void firstCommand(Sandbox s) {
        ExecResult r = s.execStateful(COMMAND, s.id(), TIMEOUT);
        if (!r.stdout().equals("hello\n")) {
            throw new SandboxException("the benchmark's first command printed \"" + r.stdout() + "\" instead of hello");
        }
    }

    /**
     * What the engine needs at least: create and start a container of the image with the spec's user, workdir, limits
     * and protections ({@code docker run -d}), then one exec of the command, attached, and its exit status
     * ({@code docker exec}).
     */
    private static double referenceRound(DockerClient docker, String image, SandboxSpec spec) {
        long t0 = System.nanoTime();
        String id = docker.createContainerCmd(image)
                .withLabels(Map.of(DockerSandboxBackend.LABEL_APP, "sandbox-ops-bench-reference"))
                .withUser(spec.user())
                .withWorkingDir(spec.workdir())
                .withCmd("sleep", "infinity")
                .withHostConfig(DockerSandboxBackend.containment(spec))
                .exec().getId();
        try {
            docker.startContainerCmd(id).exec();
            exec(docker, id, spec.user());
            return millis(t0);
        } finally {
            docker.removeContainerCmd(id).withForce(true).exec();
        }
    }

    /**
     * {@code docker exec} of the command in a running container as {@code user}, attached, and its exit status: the
     * engine's own cost of a process in a container. Returns how long it took.
     */
    private static double exec(DockerClient docker, String container, String user) {
        long t0 = System.nanoTime();
        DockerExecBenchmark.rawExec(docker, container, user, "bash", "-c", COMMAND);
        return millis(t0);
    }

    /** One cold create and its first command on a client that notes each call. */
    private static List<String> profile(String image, SandboxSpec spec) {
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        long[] origin = {0};
        EngineCalls calls = (call, start, answered) -> {
            if (origin[0] != 0) {
                lines.add(String.format(Locale.ROOT, "%7.1f  %-70s %6.1f ms", (start - origin[0]) / 1e6,
                        call.replaceAll("/v1\\.[0-9]+", "").replaceAll("[0-9a-f]{64}", "<id>"), (answered - start) / 1e6));
            }
        };
        try (DockerSandboxBackend backend = new DockerSandboxBackend(DockerEngine.connect(calls), image, ShellSession.Options.defaults())) {
            origin[0] = System.nanoTime();
            Sandbox s = backend.create(spec);
            lines.add(String.format(Locale.ROOT, "%7.1f  create returned", (System.nanoTime() - origin[0]) / 1e6));
            firstCommand(s);
            lines.add(String.format(Locale.ROOT, "%7.1f  first command answered", (System.nanoTime() - origin[0]) / 1e6));
            origin[0] = 0;
            s.destroy();
        }
        return List.copyOf(lines);
    }

    private static double millis(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
