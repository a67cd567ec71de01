package io.sandboxops.app.cli;

import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.bench.LoadBenchmark;
import io.sandboxops.core.bench.TerminalBenchmark;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The original plan's load tests as {@code sandboxctl bench concurrent | sessions | files}, and a session's terminal as
 * {@code sandboxctl bench terminal}, on either backend:
 * {@code --backend docker} (the default, the local Docker engine) or {@code --backend cloudrun} (Cloud Run Jobs of
 * the environment {@code --env} names, in the mode {@code SANDBOX_MODE} says, session by default; for {@code local},
 * on the emulator that {@code sandboxctl emulator start} runs). Without options they run the full setting (the
 * plan's numbers); {@code --short} runs the seconds-long setting the tests use. An option given explicitly wins over
 * either. Exit status 1 when anything failed or did not match.
 */
final class LoadBenchCommands {
    private LoadBenchCommands() {
    }

    /**
     * What every load verb shares: --short, --backend, --env (with --confirm: the benchmark creates sessions there), --image,
     * --json, and a progress line on a terminal.
     */
    abstract static class LoadVerb implements Callable<Integer> {
        @Mixin
        HelpOption help;
        @Spec
        CommandSpec spec;
        @Option(names = "--short", description = "The short setting (seconds, as the tests run it) instead of the full one.")
        boolean quick;
        @Option(names = "--backend", defaultValue = Backends.DOCKER, paramLabel = "NAME", converter = Backends.Names.class,
                completionCandidates = Backends.Names.class,
                description = "docker (default) or cloudrun (with --env local: on the emulator `sandboxctl emulator start` runs).")
        String backend;
        @Mixin
        EnvironmentOption env;
        @Mixin
        ConfirmOption confirm;
        @Option(names = "--image", paramLabel = "IMG",
                description = "Image of the sandbox; for cloudrun the executor image (default: the backend's, or the environment's).")
        String image;
        @Mixin
        Output output;

        /** Opens the backend {@code --backend} names; for cloudrun, {@code --image} is the executor image its job runs. */
        SandboxBackend open() {
            return Backends.open(backend, env, image);
        }

        LoadBenchmark benchmark(SandboxBackend backend) {
            return new LoadBenchmark(backend, sandboxSpec());
        }

        /** What the benchmark's sandbox is created from: {@code --image}, else the backend's image. */
        SandboxSpec sandboxSpec() {
            SandboxSpec.Builder spec = SandboxSpec.newBuilder();
            if (image != null && !image.isBlank()) {
                spec.image(image.strip());
            }
            return spec.build();
        }

        LoadBenchmark.Progress progress(String unit) {
            if (output.json || System.console() == null) {
                return LoadBenchmark.Progress.NONE;
            }
            return (done, total) -> {
                if (done % 10 == 0 || done == total) {
                    synchronized (this) {
                        output.err().print("\r" + unit + ": " + done + (total > 0 ? "/" + total : ""));
                        output.err().flush();
                    }
                }
            };
        }

        void endProgress() {
            if (!output.json && System.console() != null) {
                output.err().println();
            }
        }

        static Object latency(LoadBenchmark.Latency l) {
            return Output.object("samples", l.samples(), "p50", l.p50Ms(), "p90", l.p90Ms(), "p99", l.p99Ms(), "min", l.minMs(),
                    "max", l.maxMs());
        }

        static String problems(List<String> problems) {
            return problems.isEmpty() ? "" : "\nproblems (first " + problems.size() + "):\n  " + String.join("\n  ", problems);
        }
    }

    @Access(Access.Kind.WRITE)
    @Command(name = "concurrent", description = "N sessions running commands at once for a duration: p50, p99, failures.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl bench concurrent --short", "  sandboxctl bench concurrent --sessions 20 --duration 60 --json",
                    "  sandboxctl bench concurrent --backend cloudrun --env local --short"})
    static final class Concurrent extends LoadVerb {
        @Option(names = "--sessions", paramLabel = "N", description = "Sessions at once (full: 20, short: 4).")
        Integer sessions;
        @Option(names = "--duration", paramLabel = "SECONDS", description = "How long (full: 300, short: 5).")
        Integer duration;

        @Override
        public Integer call() {
            LoadBenchmark.ConcurrentSettings base = quick ? LoadBenchmark.ConcurrentSettings.SHORT : LoadBenchmark.ConcurrentSettings.FULL;
            LoadBenchmark.ConcurrentSettings settings = Usage.check(spec, () -> new LoadBenchmark.ConcurrentSettings(
                    sessions == null ? base.sessions() : sessions, duration == null ? base.duration() : Duration.ofSeconds(duration)));
            LoadBenchmark.ConcurrentReport r;
            try (SandboxBackend backend = open()) {
                r = benchmark(backend).concurrent(settings, progress("commands"));
            }
            endProgress();
            String text = String.format("backend: %s, %d sessions for %d s%n"
                            + "commands: %d (%.1f/s), failures: %d%n"
                            + "latency: p50 %.3f ms, p99 %.3f ms (min %.3f, max %.3f)%s",
                    r.backend(), r.sessions(), r.duration().toSeconds(), r.commands(), r.commandsPerSecond(), r.failures(),
                    r.latency().p50Ms(), r.latency().p99Ms(), r.latency().minMs(), r.latency().maxMs(), problems(r.problems()));
            output.print(Output.object("benchmark", "concurrent", "backend", r.backend(), "sessions", r.sessions(),
                    "duration_s", r.duration().toSeconds(), "commands", r.commands(), "commands_per_s", r.commandsPerSecond(),
                    "failures", r.failures(), "latency_ms", latency(r.latency()), "problems", r.problems()), text);
            return r.failures() == 0 ? 0 : SandboxCtl.EXIT_FAILED;
        }
    }

    @Access(Access.Kind.WRITE)
    @Command(name = "sessions", description = "S sessions x C commands; then every session's cwd/env must be its own.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl bench sessions --short", "  sandboxctl bench sessions --sessions 100 --commands 50 --parallel 8"})
    static final class Sessions extends LoadVerb {
        @Option(names = "--sessions", paramLabel = "S", description = "Sessions (full: 100, short: 8).")
        Integer sessions;
        @Option(names = "--commands", paramLabel = "C", description = "Commands per session (full: 50, short: 10).")
        Integer commands;
        @Option(names = "--parallel", paramLabel = "P", defaultValue = "8", description = "Sessions running at once (default: ${DEFAULT-VALUE}).")
        int parallel;

        @Override
        public Integer call() {
            LoadBenchmark.SessionSettings base = quick ? LoadBenchmark.SessionSettings.SHORT : LoadBenchmark.SessionSettings.FULL;
            LoadBenchmark.SessionSettings settings = Usage.check(spec, () -> new LoadBenchmark.SessionSettings(
                    sessions == null ? base.sessions() : sessions, commands == null ? base.commands() : commands));
            LoadBenchmark.SessionReport r;
            try (SandboxBackend backend = open()) {
                r = benchmark(backend).sessions(settings, parallel, progress("commands"));
            }
            endProgress();
            String text = String.format("backend: %s, %d sessions x %d commands (%d at once), %.1f s%n"
                            + "failures: %d, sessions verified: %d/%d, isolation violations: %d%n"
                            + "latency: p50 %.3f ms, p99 %.3f ms (min %.3f, max %.3f)%s",
                    r.backend(), r.sessions(), r.commandsPerSession(), Math.min(parallel, r.sessions()), r.elapsed().toMillis() / 1e3,
                    r.failures(), r.sessionsVerified(), r.sessions(), r.isolationViolations(),
                    r.latency().p50Ms(), r.latency().p99Ms(), r.latency().minMs(), r.latency().maxMs(), problems(r.problems()));
            output.print(Output.object("benchmark", "sessions", "backend", r.backend(), "sessions", r.sessions(),
                    "commands_per_session", r.commandsPerSession(), "parallel", Math.min(parallel, r.sessions()),
                    "elapsed_ms", r.elapsed().toMillis(), "failures", r.failures(), "sessions_verified", r.sessionsVerified(),
                    "isolation_violations", r.isolationViolations(), "latency_ms", latency(r.latency()), "problems", r.problems()), text);
            return r.failures() == 0 && r.isolationViolations() == 0 ? 0 : SandboxCtl.EXIT_FAILED;
        }
    }

    @Access(Access.Kind.WRITE)
    @Command(name = "files", description = "F files up and down, compared by SHA-256: MB/s and JVM heap before/after.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl bench files --short", "  sandboxctl bench files --files 10 --size 50000000 --json"})
    static final class Files extends LoadVerb {
        @Option(names = "--files", paramLabel = "F", description = "Files (full: 100, short: 4).")
        Integer files;
        @Option(names = "--size", paramLabel = "BYTES", description = "Bytes per file, at most 500000000 (full: 10000000, short: 1000000).")
        Long size;

        @Override
        public Integer call() {
            LoadBenchmark.FileSettings base = quick ? LoadBenchmark.FileSettings.SHORT : LoadBenchmark.FileSettings.FULL;
            LoadBenchmark.FileSettings settings = Usage.check(spec, () -> new LoadBenchmark.FileSettings(
                    files == null ? base.files() : files, size == null ? base.sizeBytes() : size));
            LoadBenchmark.FileReport r;
            try (SandboxBackend backend = open()) {
                r = benchmark(backend).files(settings, progress("files"));
            }
            endProgress();
            String text = String.format("backend: %s, %d files x %d bytes, %.1f s%n"
                            + "upload: %.1f MB/s, download: %.1f MB/s%n"
                            + "sha256 mismatches: %d, failures: %d%n"
                            + "JVM heap used: %.1f MB before, %.1f MB after (heap pools' peak sum %.1f MB)%s",
                    r.backend(), r.files(), r.sizeBytes(), r.elapsed().toMillis() / 1e3, r.uploadMBps(), r.downloadMBps(),
                    r.hashMismatches(), r.failures(), r.heapUsedBeforeBytes() / 1e6, r.heapUsedAfterBytes() / 1e6,
                    r.heapPeakBytes() / 1e6, problems(r.problems()));
            output.print(Output.object("benchmark", "files", "backend", r.backend(), "files", r.files(), "size_bytes", r.sizeBytes(),
                    "elapsed_ms", r.elapsed().toMillis(), "bytes_up", r.bytesUp(), "bytes_down", r.bytesDown(),
                    "upload_mb_per_s", r.uploadMBps(), "download_mb_per_s", r.downloadMBps(), "sha256_mismatches", r.hashMismatches(),
                    "failures", r.failures(), "heap_used_before_bytes", r.heapUsedBeforeBytes(),
                    "heap_used_after_bytes", r.heapUsedAfterBytes(), "heap_peak_bytes", r.heapPeakBytes(), "problems", r.problems()), text);
            return r.failures() == 0 && r.hashMismatches() == 0 ? 0 : SandboxCtl.EXIT_FAILED;
        }
    }

    @Access(Access.Kind.WRITE)
    @Command(name = "terminal", description = {"A session's terminal (as `attach` and the console use it): keystroke-to-echo latency"
            + " against a warm execStateful(\"true\"), output throughput of cat of a file against the same file by another path"
            + " (raw docker exec -t cat on Docker, fileDownload on Cloud Run), each the median of timed rounds after a first, cold"
            + " one, and the client's heap before and after."},
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl bench terminal", "  sandboxctl bench terminal --short --json",
                    "  sandboxctl bench terminal --backend cloudrun --env local"})
    static final class TerminalBench extends LoadVerb {
        @Option(names = "--keystrokes", paramLabel = "N", description = "Keystrokes measured, and as many execs (full: 500, short: 20).")
        Integer keystrokes;
        @Option(names = "--warmup", paramLabel = "N", description = "Keystrokes and execs before measuring, at least 1 (full: 50, short: 3).")
        Integer warmup;
        @Option(names = "--size", paramLabel = "BYTES",
                description = "Bytes of the file printed with cat, at most 500000000 (full: 50000000, short: 200000).")
        Long size;
        @Option(names = "--rounds", paramLabel = "N",
                description = "Timed rounds of each cat, after a first, cold one; the median is shown (full: 3, short: 1).")
        Integer rounds;

        @Override
        public Integer call() {
            TerminalBenchmark.Settings base = quick ? TerminalBenchmark.Settings.SHORT : TerminalBenchmark.Settings.FULL;
            TerminalBenchmark.Settings settings = Usage.check(spec, () -> new TerminalBenchmark.Settings(
                    keystrokes == null ? base.keystrokes() : keystrokes, warmup == null ? base.warmup() : warmup,
                    size == null ? base.fileBytes() : size, rounds == null ? base.rounds() : rounds));
            TerminalBenchmark.Report r;
            try (SandboxBackend backend = open()) {
                r = new TerminalBenchmark(backend, sandboxSpec()).run(settings, progress("samples"));
            }
            endProgress();
            LoadBenchmark.Latency echo = r.keystrokeEcho();
            LoadBenchmark.Latency exec = r.warmExecTrue();
            TerminalBenchmark.Throughput cat = r.terminalCat();
            TerminalBenchmark.Throughput ref = r.referenceCat();
            String text = String.format("backend: %s (%s), %d keystrokes and execs after %d warm-up, a %d-byte file; terminal opened in %.1f ms%n"
                            + "keystroke to echo (cat, raw terminal): median %.3f ms, p90 %.3f ms, p99 %.3f ms (min %.3f, max %.3f)%n"
                            + "reference, warm execStateful(\"true\"): median %.3f ms, p90 %.3f ms, p99 %.3f ms (min %.3f, max %.3f)%n"
                            + "cat through the terminal: %.1f MB/s (%d bytes shown in %.3f s; rounds: %s MB/s; first, cold: %.1f MB/s)%n"
                            + "reference, %s: %.1f MB/s (%d bytes in %.3f s; rounds: %s MB/s; first, cold: %.1f MB/s)%n"
                            + "JVM heap used: %.1f MB before, %.1f MB after (heap pools' peak sum %.1f MB)%s",
                    r.backend(), r.mode(), settings.keystrokes(), settings.warmup(), settings.fileBytes(), r.terminalOpenMs(),
                    echo.p50Ms(), echo.p90Ms(), echo.p99Ms(), echo.minMs(), echo.maxMs(),
                    exec.p50Ms(), exec.p90Ms(), exec.p99Ms(), exec.minMs(), exec.maxMs(),
                    cat.megabytesPerSecond(), cat.bytesReceived(), cat.elapsed().toNanos() / 1e9, rounds(cat), cat.coldMBps(),
                    ref.how(), ref.megabytesPerSecond(), ref.bytesReceived(), ref.elapsed().toNanos() / 1e9, rounds(ref), ref.coldMBps(),
                    r.heapUsedBeforeBytes() / 1e6, r.heapUsedAfterBytes() / 1e6, r.heapPeakBytes() / 1e6, problems(r.problems()));
            output.print(Output.object("benchmark", "terminal", "backend", r.backend(), "mode", r.mode(),
                    "keystrokes", settings.keystrokes(), "warmup", settings.warmup(), "file_bytes", settings.fileBytes(),
                    "rounds", settings.rounds(),
                    "terminal_open_ms", r.terminalOpenMs(), "keystroke_echo_ms", latency(echo), "reference_exec_true_ms", latency(exec),
                    "terminal_cat", throughput(cat), "reference_cat", throughput(ref),
                    "heap_used_before_bytes", r.heapUsedBeforeBytes(), "heap_used_after_bytes", r.heapUsedAfterBytes(),
                    "heap_peak_bytes", r.heapPeakBytes(), "problems", r.problems()), text);
            return r.problems().isEmpty() ? 0 : SandboxCtl.EXIT_FAILED;
        }

        private static Object throughput(TerminalBenchmark.Throughput t) {
            return Output.object("how", t.how(), "bytes_received", t.bytesReceived(), "elapsed_ms", t.elapsed().toNanos() / 1e6,
                    "mb_per_s", t.megabytesPerSecond(), "rounds_mb_per_s", t.rounds(), "cold_mb_per_s", t.coldMBps());
        }

        private static String rounds(TerminalBenchmark.Throughput t) {
            return t.rounds().stream().map(r -> String.format("%.1f", r)).collect(java.util.stream.Collectors.joining(", "));
        }
    }
}
