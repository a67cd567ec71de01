package io.sandboxops.app.bench;

import io.sandboxops.core.bench.StartFigure;
import io.sandboxops.core.bench.StartFigure.Goal;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The whole-process figures of {@code sandboxctl bench start}: each command started as a person starts it (its
 * launcher, a new process), timed from the start of the process to its end (or to the line that says the window is
 * on screen), beside a reference measured in the same run:
 * <ul>
 * <li>{@code sandboxctl --version} against {@code java -version} of the same java (goal ≤ 3×);</li>
 * <li>{@code sandboxctl rollout status --env local} against an emulator this benchmark starts (goal ≤ 1,000 ms);</li>
 * <li>{@code sandboxctl exec} on a live Docker session (goal ≤ 1,000 ms; skipped, saying so, when no engine answers);</li>
 * <li>the console's first frame against a bare JavaFX window from the same launcher, runtime and jar
 *     ({@code console --bare-window}; goal ≤ 1.25×), and its full window (views and theme, built in the window the first
 *     frame showed; goal ≤ 2,500 ms);</li>
 * <li>the console's sessions listed after its first frame (goal ≤ 2,000 ms), and its resident memory once the
 *     environment has opened ({@link MemoryFigure}, goal ≤ 320 MB).</li>
 * </ul>
 * The console needs a display: {@code $DISPLAY} when set, else an {@code Xvfb} this benchmark starts. Every process runs
 * with a scratch home ({@code -Duser.home} through {@code JAVA_TOOL_OPTIONS}, which both the checkout's and the
 * installed launchers pass to their JVM), so it neither reads nor changes the person's environments, emulator record
 * or console preferences. Run it with {@link #main}.
 */
public final class ProcessStartBenchmark {
    private static final Pattern FIRST_FRAME = Pattern.compile("first frame after \\d+ ms");
    private static final Pattern FULL_WINDOW = Pattern.compile("full window after \\d+ ms");
    private static final Pattern LISTED = Pattern.compile("sessions listed (\\d+) ms after the first frame");
    private static final Pattern RSS = Pattern.compile("VmRSS: (\\d+) kB");

    /**
     * @param sandboxctl the command that starts sandboxctl, e.g. {@code [bin/sandboxctl]} or {@code [/opt/sandbox-ops/bin/sandboxctl]}
     * @param console    the command that starts the console, e.g. {@code [bin/console]}
     * @param java       the java whose {@code -version} is the reference (the one the launchers run)
     * @param samples    runs of each command
     */
    public record Launchers(List<String> sandboxctl, List<String> console, String java, int samples) {
        public Launchers {
            sandboxctl = List.copyOf(sandboxctl);
            console = List.copyOf(console);
            if (samples < 1) {
                throw new IllegalArgumentException("samples must be at least 1, not " + samples);
            }
        }
    }

    /** A figure in megabytes, beside its goal: {@link StartFigure} is in milliseconds. */
    public record MemoryFigure(String what, List<Double> samplesMb, double goalMb) {
        public MemoryFigure {
            samplesMb = List.copyOf(samplesMb);
        }

        public double median() {
            double[] s = samplesMb.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }

        public boolean met() {
            return median() <= goalMb;
        }

        public String line() {
            return String.format(Locale.ROOT, "%-52s median %9.1f MB (n=%d) | goal ≤ %.0f MB %s", what, median(), samplesMb.size(), goalMb,
                    met() ? "met" : "MISSED");
        }
    }

    /** What one run measured; a figure it could not take is named in {@code skipped} with the reason. */
    public record Report(List<StartFigure> figures, List<MemoryFigure> memory, List<String> skipped) {
    }

    private final Launchers launchers;
    private final Path home;

    public ProcessStartBenchmark(Launchers launchers) {
        this.launchers = launchers;
        try {
            this.home = Files.createTempDirectory("process-start-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every figure this machine can take now. */
    public List<StartFigure> figures() {
        return run().figures();
    }

    public Report run() {
        List<StartFigure> figures = new ArrayList<>();
        List<MemoryFigure> memory = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        try {
            List<Double> javaVersion = new ArrayList<>();
            List<Double> version = new ArrayList<>();
            for (int i = 0; i < launchers.samples(); i++) {
                javaVersion.add(timed(List.of(launchers.java(), "-version"), false));
                version.add(timed(sandboxctl("--version"), true));
            }
            figures.add(new StartFigure("sandboxctl --version", version, "java -version", javaVersion, Goal.ratio(3)));

            Process emulator = start(sandboxctl("emulator", "start"), true);
            try {
                awaitEmulatorRecord(emulator);
                List<Double> status = new ArrayList<>();
                for (int i = 0; i < launchers.samples(); i++) {
                    status.add(timed(sandboxctl("rollout", "status", "--env", "local"), true));
                }
                figures.add(new StartFigure("sandboxctl rollout status --env local", status, "java -version", javaVersion, Goal.millis(1000)));
            } catch (RuntimeException e) {
                skipped.add("rollout status --env local: " + e.getMessage());
            } finally {
                stop(emulator);
            }

            try {
                figures.add(exec(javaVersion));
            } catch (RuntimeException e) {
                skipped.add("exec on a live Docker session: " + e.getMessage());
            }

            Optional<Process> xvfb = Optional.empty();
            try {
                String display = System.getenv("DISPLAY");
                if (display == null || display.isBlank()) {
                    Process x = new ProcessBuilder("Xvfb", "-displayfd", "1", "-screen", "0", "1600x1000x24", "-nolisten", "tcp")
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                    xvfb = Optional.of(x);
                    display = ":" + new BufferedReader(new InputStreamReader(x.getInputStream(), StandardCharsets.UTF_8)).readLine().strip();
                }
                console(display, figures, memory);
            } catch (IOException | RuntimeException e) {
                skipped.add("console: " + e.getMessage());
            } finally {
                xvfb.ifPresent(ProcessStartBenchmark::stop);
            }
        } finally {
            deleteHome();
        }
        return new Report(figures, memory, skipped);
    }

    private StartFigure exec(List<Double> javaVersion) {
        Run create = runToEnd(sandboxctl("session", "create"), true);
        if (create.status() != 0) {
            throw new IllegalStateException("session create failed (no Docker engine, or no sandbox image?): " + create.err().strip());
        }
        String session = create.out().strip();
        try {
            List<Double> exec = new ArrayList<>();
            for (int i = 0; i < launchers.samples(); i++) {
                exec.add(timed(sandboxctl("exec", "--session", session, "--", "true"), true));
            }
            return new StartFigure("sandboxctl exec (live Docker session)", exec, "java -version", javaVersion, Goal.millis(1000));
        } finally {
            runToEnd(sandboxctl("session", "close", "--session", session), true);
        }
    }

    private void console(String display, List<StartFigure> figures, List<MemoryFigure> memory) {
        List<Double> bare = new ArrayList<>();
        List<Double> frame = new ArrayList<>();
        List<Double> full = new ArrayList<>();
        List<Double> listed = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        for (int i = 0; i < launchers.samples(); i++) {
            bare.add(untilLine(consoleCommand("--bare-window"), display, FIRST_FRAME, List.of()).get(0));
            List<Double> c = untilLine(consoleCommand("--smoke=sessions"), display, FIRST_FRAME, List.of(FULL_WINDOW, LISTED, RSS));
            frame.add(c.get(0));
            full.add(c.get(1));
            listed.add(c.get(2));
            rss.add(c.get(3) / 1024);
        }
        figures.add(new StartFigure("console first frame (whole process)", frame, "bare JavaFX window, same launcher", bare, Goal.ratio(1.25)));
        // The first frame is the light window; the console's own views and theme follow in it. Issue 6's goal for them.
        figures.add(new StartFigure("console full window (whole process)", full, "bare JavaFX window, same launcher", bare, Goal.millis(2500)));
        figures.add(new StartFigure("console sessions listed after the first frame", listed, "", List.of(), Goal.millis(2000)));
        memory.add(new MemoryFigure("console resident memory, local opened (VmRSS)", rss, 320));
    }

    private List<String> sandboxctl(String... args) {
        List<String> c = new ArrayList<>(launchers.sandboxctl());
        c.addAll(List.of(args));
        return c;
    }

    private List<String> consoleCommand(String arg) {
        List<String> c = new ArrayList<>(launchers.console());
        c.add(arg);
        return c;
    }

    private ProcessBuilder builder(List<String> command, boolean scratchHome) {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (scratchHome) {
            pb.environment().put("JAVA_TOOL_OPTIONS", "-Duser.home=" + home);
        }
        return pb;
    }

    private Process start(List<String> command, boolean scratchHome) {
        try {
            return builder(command, scratchHome).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Milliseconds from starting the process to its end; a failed run is an error, not a figure. */
    private double timed(List<String> command, boolean scratchHome) {
        long t0 = System.nanoTime();
        Run r = runToEnd(command, scratchHome);
        double ms = (System.nanoTime() - t0) / 1e6;
        if (r.status() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + r.status() + ": " + r.err().strip());
        }
        return ms;
    }

    private record Run(int status, String out, String err) {
    }

    private Run runToEnd(List<String> command, boolean scratchHome) {
        try {
            Path out = Files.createTempFile(home, "out", ".txt");
            Path err = Files.createTempFile(home, "err", ".txt");
            Process p = builder(command, scratchHome).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not end in 120 s");
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Starts {@code command} on {@code display} and reads its output: the first value is the milliseconds from the start
     * of the process to the line {@code first} matches; then, for each further pattern in turn, its group 1 as a number.
     */
    private List<Double> untilLine(List<String> command, String display, Pattern first, List<Pattern> then) {
        ProcessBuilder pb = builder(command, true).redirectErrorStream(true);
        pb.environment().put("DISPLAY", display);
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Double> values = new ArrayList<>();
        List<Pattern> wanted = new ArrayList<>(then);
        StringBuilder seen = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                seen.append(line).append('\n');
                if (values.isEmpty()) {
                    if (first.matcher(line).find()) {
                        values.add((System.nanoTime() - t0) / 1e6);
                    }
                    continue;
                }
                if (!wanted.isEmpty()) {
                    Matcher m = wanted.get(0).matcher(line);
                    if (m.find()) {
                        // A line with a figure gives that figure; one without, the time it came since the process started.
                        values.add(m.groupCount() >= 1 ? Double.parseDouble(m.group(1)) : (System.nanoTime() - t0) / 1e6);
                        wanted.remove(0);
                    }
                }
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (values.size() != 1 + then.size()) {
            throw new IllegalStateException(String.join(" ", command) + " did not print what it measures; it printed:\n" + seen);
        }
        return values;
    }

    private void awaitEmulatorRecord(Process emulator) {
        Path record = home.resolve(".sandbox-ops").resolve("local-emulator.properties");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(record)) {
            if (!emulator.isAlive()) {
                throw new IllegalStateException("sandboxctl emulator start exited " + emulator.exitValue());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the emulator did not start in 120 s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deleteHome() {
        try (Stream<Path> all = Files.walk(home)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a scratch directory under the temp dir; left for the OS
        }
    }

    /**
     * From a checkout: {@code java -cp app/target/sandboxctl-console.jar io.sandboxops.app.bench.ProcessStartBenchmark
     * [SAMPLES] [SANDBOXCTL CONSOLE]}; the launchers default to {@code bin/sandboxctl} and {@code bin/console} (or give the
     * installed ones, {@code /opt/sandbox-ops/bin/sandboxctl /opt/sandbox-ops/bin/sandbox-ops}).
     */
    public static void main(String[] args) {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String sandboxctl = args.length > 2 ? args[1] : "bin/sandboxctl";
        String console = args.length > 2 ? args[2] : "bin/console";
        String before = loadAverage();
        Report report = new ProcessStartBenchmark(new Launchers(List.of(sandboxctl), List.of(console), "java", samples)).run();
        System.out.println("load average before: " + before);
        report.figures().forEach(f -> System.out.println(f.line()));
        report.memory().forEach(m -> System.out.println(m.line()));
        report.skipped().forEach(s -> System.out.println("skipped: " + s));
        System.out.println("load average after: " + loadAverage());
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
