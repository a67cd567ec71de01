package io.sandboxops.core.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.Terminal;
import io.sandboxops.core.api.TerminalSize;
import io.sandboxops.core.api.TransferProgress;
import io.sandboxops.core.docker.DockerEngine;
import io.sandboxops.core.docker.DockerSandboxBackend;
import io.sandboxops.core.observe.ObservedSandboxBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A sandbox terminal ({@link Sandbox#openTerminal}) measured as a person meets it, each figure beside a reference taken
 * in the same run on the same sandbox:
 * <ul>
 *   <li>keystroke to echo: one byte typed into {@code cat} on a raw-mode terminal until that byte comes back, against a
 *       warm {@code execStateful("true")} (the session's own round trip);</li>
 *   <li>output throughput: {@code cat} of a file of text (made in the sandbox with {@code head -c}) through the
 *       terminal until a marker after it arrives, against the same bytes by the shortest other path — a raw
 *       {@code docker exec -t cat} on Docker, a {@code fileDownload} elsewhere; the median of the timed rounds, which
 *       follow a first, cold round (the client's code not compiled yet), reported apart;</li>
 *   <li>the client's heap, used after GC, before and after the throughput run, and the pools' peak in between: the bytes
 *       stream through, nothing keeps them.</li>
 * </ul>
 * Timings are reported, never judged (docs/PERFORMANCE.md has the goals); a test checks the report's form.
 */
public final class TerminalBenchmark {
    /** Where the file to print is made: in a persisted root, where Cloud Run's fileDownload (the reference there) reads. */
    static final String FILE = "/tmp/terminal-bench.txt";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
    /** How long a terminal may take to show its prompt and run the first line typed. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** Markers printed by {@code echo} after a step; typed with quotes inside, so the typed line's echo never matches. */
    private static final String READY = "__bench_ready__";
    private static final String READY_TYPED = "__bench_\"\"ready__";
    private static final String DONE = "__bench_done__";
    private static final String DONE_TYPED = "__bench_\"\"done__";

    /**
     * @param keystrokes keystrokes measured (and as many warm {@code true} execs)
     * @param warmup     keystrokes and execs before measuring, at least 1 (the first one waits for {@code cat} to start)
     * @param fileBytes  the size of the file printed through the terminal
     * @param rounds     timed rounds of each throughput, after an untimed one
     */
    public record Settings(int keystrokes, int warmup, long fileBytes, int rounds) {
        public static final Settings FULL = new Settings(500, 50, 50_000_000L, 3);
        public static final Settings SHORT = new Settings(20, 3, 200_000L, 1);
        public static final long MAX_FILE_BYTES = 500_000_000L;

        public Settings {
            LoadBenchmark.requireRange("keystrokes", keystrokes, 10, 100_000);
            LoadBenchmark.requireRange("warmup", warmup, 1, 10_000);
            LoadBenchmark.requireRange("rounds", rounds, 1, 20);
            if (fileBytes < 1000 || fileBytes > MAX_FILE_BYTES) {
                throw new SandboxInvalidInputException("the file size must be from 1000 bytes to 500 MB, not " + fileBytes);
            }
        }
    }

    /**
     * The median of the timed rounds.
     *
     * @param how           what moved the bytes
     * @param fileBytes     the file's size
     * @param bytesReceived what arrived: through a terminal a little more than the file (CR before each LF, the typed line)
     * @param elapsed       from the request until the last byte
     * @param rounds        the MB/s of every timed round, in order
     * @param coldMBps      the MB/s of the first, untimed round
     */
    public record Throughput(String how, long fileBytes, long bytesReceived, Duration elapsed, List<Double> rounds, double coldMBps) {
        /** @return the file's bytes per second, in MB (10^6 bytes) */
        public double megabytesPerSecond() {
            return megabytesPerSecond(fileBytes, elapsed);
        }

        static double megabytesPerSecond(long bytes, Duration elapsed) {
            return bytes / 1e6 / Math.max(1e-9, elapsed.toNanos() / 1e9);
        }

        /** @return the median round of {@code timed} (the slower middle one for an even count), with every round's MB/s */
        static Throughput median(Throughput cold, List<Throughput> timed) {
            List<Throughput> sorted = new ArrayList<>(timed);
            sorted.sort(java.util.Comparator.comparing(Throughput::elapsed));
            Throughput m = sorted.get(sorted.size() / 2);
            return new Throughput(m.how(), m.fileBytes(), m.bytesReceived(), m.elapsed(),
                    timed.stream().map(Throughput::megabytesPerSecond).toList(), cold.megabytesPerSecond());
        }
    }

    /**
     * @param terminalOpenMs  how long {@code openTerminal} took (the latency terminal's)
     * @param keystrokeEcho   one byte into {@code cat} on a raw terminal until it came back
     * @param warmExecTrue    the reference: a warm {@code execStateful("true")}
     * @param terminalCat     the file through the terminal
     * @param referenceCat    the same file by the shortest other path
     * @param heapPeakBytes   the sum of the heap pools' peaks during the throughput run (an upper bound of the real peak)
     * @param problems        what did not match (fewer bytes than the file, a marker never seen)
     */
    public record Report(String backend, String mode, Settings settings, double terminalOpenMs, LoadBenchmark.Latency keystrokeEcho,
                         LoadBenchmark.Latency warmExecTrue, Throughput terminalCat, Throughput referenceCat, long heapUsedBeforeBytes,
                         long heapUsedAfterBytes, long heapPeakBytes, List<String> problems) {
    }

    private final SandboxBackend backend;
    private final SandboxSpec spec;

    /** @param spec what the run's sandbox is created from; a {@code purpose=benchmark} label is added */
    public TerminalBenchmark(SandboxBackend backend, SandboxSpec spec) {
        this.backend = backend;
        this.spec = spec.toBuilder().label("purpose", "benchmark").build();
    }

    /**
     * Creates a sandbox, measures, and destroys it.
     *
     * @param progress told each keystroke measured, out of all keystrokes and execs
     * @throws SandboxException when a step fails (the backend has no terminals, a terminal never became ready)
     */
    public Report run(Settings settings, LoadBenchmark.Progress progress) {
        List<String> problems = new ArrayList<>();
        Sandbox sandbox = backend.create(spec);
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "terminal-bench-watchdog");
            t.setDaemon(true);
            return t;
        });
        try {
            String session = sandbox.id();
            long total = 2L * (settings.keystrokes() + settings.warmup());
            AtomicLong done = new AtomicLong();
            LoadBenchmark.Latency reference = warmExecs(sandbox, session, settings, () -> progress.update(done.incrementAndGet(), total));
            makeFile(sandbox, session, settings.fileBytes());

            long t0 = System.nanoTime();
            LoadBenchmark.Latency echo;
            double openMs;
            try (Terminal terminal = sandbox.openTerminal(session, TerminalSize.DEFAULT)) {
                openMs = (System.nanoTime() - t0) / 1e6;
                echo = keystrokes(terminal, settings, watchdog, () -> progress.update(done.incrementAndGet(), total));
            }

            Throughput throughTerminal;
            long heapBefore;
            long heapPeak;
            try (Terminal terminal = sandbox.openTerminal(session, TerminalSize.DEFAULT)) {
                type(terminal, "stty -echo; echo " + READY_TYPED + "\r");
                awaitMarker(terminal, READY, READY_TIMEOUT, watchdog, "the throughput terminal's prompt");
                heapBefore = Heap.usedAfterGc();
                Heap.resetPeaks();
                Throughput cold = cat(terminal, settings.fileBytes(), watchdog);
                List<Throughput> timed = new ArrayList<>();
                for (int round = 0; round < settings.rounds(); round++) {
                    timed.add(cat(terminal, settings.fileBytes(), watchdog));
                }
                throughTerminal = Throughput.median(cold, timed);
                heapPeak = Heap.peaks();
                requireWholeFile(cold, timed, problems);
            }
            long heapAfter = Heap.usedAfterGc();
            Throughput cold = referenceCat(sandbox, settings.fileBytes());
            List<Throughput> timed = new ArrayList<>();
            for (int round = 0; round < settings.rounds(); round++) {
                timed.add(referenceCat(sandbox, settings.fileBytes()));
            }
            Throughput referenceThroughput = Throughput.median(cold, timed);
            requireWholeFile(cold, timed, problems);
            return new Report(backend.name(), backend.mode(), settings, openMs, echo, reference, throughTerminal, referenceThroughput, heapBefore,
                    heapAfter, heapPeak, List.copyOf(problems));
        } finally {
            watchdog.shutdownNow();
            sandbox.destroy();
        }
    }

    /** A round that brought fewer bytes than the file is a problem: its rate would flatter. */
    private static void requireWholeFile(Throughput cold, List<Throughput> timed, List<String> problems) {
        List<Throughput> all = new ArrayList<>(timed);
        all.add(0, cold);
        for (int round = 0; round < all.size(); round++) {
            Throughput t = all.get(round);
            if (t.bytesReceived() < t.fileBytes()) {
                problems.add(t.how() + ", round " + round + (round == 0 ? " (cold)" : "") + ": " + t.bytesReceived() + " bytes of a "
                        + t.fileBytes() + "-byte file");
            }
        }
    }

    private static LoadBenchmark.Latency warmExecs(Sandbox sandbox, String session, Settings settings, Runnable tick) {
        long[] nanos = new long[settings.keystrokes()];
        for (int i = 0; i < settings.warmup() + settings.keystrokes(); i++) {
            long t0 = System.nanoTime();
            ExecResult r = sandbox.execStateful("true", session, COMMAND_TIMEOUT);
            long dt = System.nanoTime() - t0;
            if (r.exitCode() != 0) {
                throw new SandboxException("the reference command `true` exited " + r.exitCode() + ": " + r.stderr().strip());
            }
            if (i >= settings.warmup()) {
                nanos[i - settings.warmup()] = dt;
            }
            tick.run();
        }
        return LoadBenchmark.Latency.of(nanos);
    }

    private static void makeFile(Sandbox sandbox, String session, long bytes) {
        // Text, as a log a person would cat: base64 of random bytes, cut to size with head -c.
        String command = "head -c " + bytes + " /dev/urandom | base64 -w 76 | head -c " + bytes + " > " + FILE + " && stat -c %s " + FILE;
        ExecResult r = sandbox.execStateful(command, session, COMMAND_TIMEOUT);
        if (r.exitCode() != 0 || !r.stdout().strip().equals(Long.toString(bytes))) {
            throw new SandboxException("could not make the " + bytes + "-byte file " + FILE + " in the sandbox (exit " + r.exitCode() + "): "
                    + (r.stderr().isBlank() ? r.stdout().strip() : r.stderr().strip()));
        }
    }

    /**
     * {@code cat} on a raw terminal without echo: the only bytes that come back after the marker are cat's copies of the
     * keys typed, each as soon as cat read it.
     */
    private static LoadBenchmark.Latency keystrokes(Terminal terminal, Settings settings, ScheduledExecutorService watchdog, Runnable tick) {
        type(terminal, "stty raw -echo; echo " + READY_TYPED + "; cat\r");
        awaitMarker(terminal, READY, READY_TIMEOUT, watchdog, "the latency terminal's prompt");
        long[] nanos = new long[settings.keystrokes()];
        InputStream out = terminal.output();
        Duration budget = READY_TIMEOUT.plusSeconds(settings.warmup() + settings.keystrokes());
        try (Deadline ignored = Deadline.closing(terminal, budget, watchdog)) {
            for (int i = 0; i < settings.warmup() + settings.keystrokes(); i++) {
                byte key = (byte) ('a' + i % 26);
                long t0 = System.nanoTime();
                terminal.write(new byte[] {key});
                int b;
                do {
                    b = out.read();
                } while (b >= 0 && b != key);
                long dt = System.nanoTime() - t0;
                if (b < 0) {
                    throw new SandboxException("the terminal ended before keystroke " + (i + 1) + " came back"
                            + " (every keystroke together may take " + budget.toSeconds() + " s)");
                }
                if (i >= settings.warmup()) {
                    nanos[i - settings.warmup()] = dt;
                }
                tick.run();
            }
        } catch (IOException e) {
            throw new SandboxException("reading the terminal failed: " + e.getMessage(), e);
        }
        return LoadBenchmark.Latency.of(nanos);
    }

    private static Throughput cat(Terminal terminal, long fileBytes, ScheduledExecutorService watchdog) {
        // At least 100 kB/s, else the run is over: a stalled terminal ends the benchmark instead of hanging it.
        Duration budget = READY_TIMEOUT.plusSeconds(fileBytes / 100_000);
        long t0 = System.nanoTime();
        type(terminal, "cat " + FILE + "; echo " + DONE_TYPED + "\r");
        long received = awaitMarker(terminal, DONE, budget, watchdog, "the end of the file");
        return new Throughput("terminal: cat", fileBytes, received, Duration.ofNanos(System.nanoTime() - t0), List.of(), 0);
    }

    private Throughput referenceCat(Sandbox sandbox, long fileBytes) {
        if (ObservedSandboxBackend.unwrap(backend) instanceof DockerSandboxBackend) {
            return rawDockerExecCat(sandbox.id(), fileBytes);
        }
        CountingStream counted = new CountingStream();
        long t0 = System.nanoTime();
        sandbox.fileDownload(FILE, counted, TransferProgress.NONE);
        return new Throughput("fileDownload", fileBytes, counted.count, Duration.ofNanos(System.nanoTime() - t0), List.of(), 0);
    }

    /** What a client without our terminal gets: {@code docker exec -t <container> cat FILE}, straight through the engine API. */
    private static Throughput rawDockerExecCat(String sandboxId, long fileBytes) {
        try (DockerClient docker = DockerEngine.connect()) {
            List<Container> containers = docker.listContainersCmd()
                    .withLabelFilter(Map.of(DockerSandboxBackend.LABEL_SANDBOX_ID, sandboxId)).exec();
            if (containers.isEmpty()) {
                throw new SandboxException("the benchmark's container (sandbox " + sandboxId + ") is gone");
            }
            long t0 = System.nanoTime();
            String exec = docker.execCreateCmd(containers.get(0).getId()).withCmd("cat", FILE).withTty(true).withAttachStdout(true)
                    .exec().getId();
            AtomicLong received = new AtomicLong();
            try (ResultCallback.Adapter<Frame> callback = docker.execStartCmd(exec).withTty(true).exec(new ResultCallback.Adapter<>() {
                @Override
                public void onNext(Frame frame) {
                    received.addAndGet(frame.getPayload().length);
                }
            })) {
                if (!callback.awaitCompletion(READY_TIMEOUT.toSeconds() + fileBytes / 100_000, TimeUnit.SECONDS)) {
                    throw new SandboxException("the raw docker exec of cat did not finish at 100 kB/s or more");
                }
            }
            return new Throughput("raw docker exec -t cat", fileBytes, received.get(), Duration.ofNanos(System.nanoTime() - t0), List.of(), 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted", e);
        } catch (IOException e) {
            throw new SandboxException("the raw docker exec of cat failed: " + e.getMessage(), e);
        }
    }

    private static void type(Terminal terminal, String line) {
        terminal.write(line.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads the terminal's output until {@code marker}, holding only a buffer and the marker's length of it.
     *
     * @return the bytes read, marker included
     */
    private static long awaitMarker(Terminal terminal, String marker, Duration timeout, ScheduledExecutorService watchdog, String what) {
        Marker m = new Marker(marker);
        byte[] buffer = new byte[64 * 1024];
        long count = 0;
        InputStream out = terminal.output();
        try (Deadline deadline = Deadline.closing(terminal, timeout, watchdog)) {
            int n;
            while ((n = out.read(buffer)) >= 0) {
                int end = m.find(buffer, n);
                if (end >= 0) {
                    return count + end;
                }
                count += n;
            }
            throw new SandboxException("the terminal ended before " + what + (deadline.expired() ? " within " + timeout.toSeconds() + " s" : ""));
        } catch (IOException e) {
            throw new SandboxException("reading the terminal failed while waiting for " + what + ": " + e.getMessage(), e);
        }
    }

    /**
     * Finds a marker in a stream read buffer by buffer, across buffer boundaries. Only a byte equal to the marker's last
     * is looked at twice, so scanning 50 MB costs next to nothing beside reading it.
     */
    static final class Marker {
        private final byte[] marker;
        private final byte[] tail;
        private int tailLength;

        Marker(String marker) {
            this.marker = marker.getBytes(StandardCharsets.US_ASCII);
            this.tail = new byte[this.marker.length - 1];
        }

        /** @return how many bytes of {@code buffer} up to and including the marker's end, or -1 when it has not ended in it */
        int find(byte[] buffer, int length) {
            byte last = marker[marker.length - 1];
            for (int i = 0; i < length; i++) {
                if (buffer[i] == last && endsAt(buffer, i)) {
                    return i + 1;
                }
            }
            keepTail(buffer, length);
            return -1;
        }

        private boolean endsAt(byte[] buffer, int i) {
            for (int k = 1; k < marker.length; k++) {
                int at = i - k;
                byte b;
                if (at >= 0) {
                    b = buffer[at];
                } else if (tailLength + at >= 0) {
                    b = tail[tailLength + at];
                } else {
                    return false;
                }
                if (b != marker[marker.length - 1 - k]) {
                    return false;
                }
            }
            return true;
        }

        /** Keeps the last bytes seen, as many as a marker ending in the next buffer may reach back. */
        private void keepTail(byte[] buffer, int length) {
            if (length >= tail.length) {
                System.arraycopy(buffer, length - tail.length, tail, 0, tail.length);
                tailLength = tail.length;
            } else {
                int keep = Math.min(tailLength, tail.length - length);
                System.arraycopy(tail, tailLength - keep, tail, 0, keep);
                System.arraycopy(buffer, 0, tail, keep, length);
                tailLength = keep + length;
            }
        }
    }

    /** Closes a terminal that takes longer than its budget, so a blocked read ends instead of hanging the benchmark. */
    private static final class Deadline implements AutoCloseable {
        private final ScheduledFuture<?> timer;
        private final AtomicBoolean expired;

        private Deadline(ScheduledFuture<?> timer, AtomicBoolean expired) {
            this.timer = timer;
            this.expired = expired;
        }

        static Deadline closing(Terminal terminal, Duration budget, ScheduledExecutorService watchdog) {
            AtomicBoolean expired = new AtomicBoolean();
            ScheduledFuture<?> timer = watchdog.schedule(() -> {
                expired.set(true);
                terminal.close();
            }, budget.toMillis(), TimeUnit.MILLISECONDS);
            return new Deadline(timer, expired);
        }

        boolean expired() {
            return expired.get();
        }

        @Override
        public void close() {
            timer.cancel(false);
        }
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
