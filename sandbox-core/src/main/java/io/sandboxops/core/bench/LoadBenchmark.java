package io.sandboxops.core.bench;

import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.SessionInfo;
import io.sandboxops.core.api.TransferProgress;
import io.sandboxops.core.util.ByteSize;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The original plan's load tests (concurrent executions, session stress, file stress) over any
 * {@link SandboxBackend}: each run creates one sandbox labelled {@code purpose=benchmark}, loads it, checks what
 * it got back, and destroys it. Timings are reported, never judged: whether they are fast enough is for the
 * reader of docs/PERFORMANCE.md, while the correctness parts (failures, state isolation, hashes) are what a test
 * asserts on.
 */
public final class LoadBenchmark {

    /** How long one command may run before it counts as a failure. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    /** The most failure descriptions a report keeps; the count is always complete. */
    static final int MAX_PROBLEMS = 20;

    private final SandboxBackend backend;
    private final SandboxSpec spec;

    /** @param spec what each run's sandbox is created from; a {@code purpose=benchmark} label is added */
    public LoadBenchmark(SandboxBackend backend, SandboxSpec spec) {
        this.backend = backend;
        this.spec = spec.toBuilder().label("purpose", "benchmark").build();
    }

    /** Told each finished unit of work (a command, a session, a file) out of the expected total (0 when open-ended). */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> {
        };

        void update(long done, long total);
    }

    // ---- settings ----------------------------------------------------------------------------------------

    /** N sessions running commands at once for a duration. */
    public record ConcurrentSettings(int sessions, Duration duration) {
        public static final ConcurrentSettings FULL = new ConcurrentSettings(20, Duration.ofSeconds(300));
        public static final ConcurrentSettings SHORT = new ConcurrentSettings(4, Duration.ofSeconds(5));

        public ConcurrentSettings {
            requireRange("sessions", sessions, 1, 200);
            if (duration.isNegative() || duration.isZero() || duration.compareTo(Duration.ofHours(1)) > 0) {
                throw new SandboxInvalidInputException("duration must be from 1 s to 1 h, not " + duration.toSeconds() + " s");
            }
        }
    }

    /** S sessions each running C commands that change cwd and env. */
    public record SessionSettings(int sessions, int commands) {
        public static final SessionSettings FULL = new SessionSettings(100, 50);
        public static final SessionSettings SHORT = new SessionSettings(8, 10);

        public SessionSettings {
            requireRange("sessions", sessions, 1, 400);
            requireRange("commands", commands, 2, 10_000);
        }
    }

    /** F files of a size, each uploaded, downloaded and compared by SHA-256. */
    public record FileSettings(int files, long sizeBytes) {
        public static final FileSettings FULL = new FileSettings(100, 10L * 1000 * 1000);
        public static final FileSettings SHORT = new FileSettings(4, 1000L * 1000);

        public FileSettings {
            requireRange("files", files, 1, 10_000);
            if (sizeBytes < 0 || sizeBytes > Sandbox.MAX_TRANSFER_BYTES) {
                throw new SandboxInvalidInputException("size must be from 0 to " + Sandbox.MAX_TRANSFER_BYTES + " bytes (" + ByteSize.decimal(Sandbox.MAX_TRANSFER_BYTES) + "), not " + sizeBytes);
            }
        }
    }

    static void requireRange(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw new SandboxInvalidInputException(what + " must be from " + min + " to " + max + ", not " + value);
        }
    }

    // ---- reports -----------------------------------------------------------------------------------------

    /** Command latency in milliseconds over every command that finished (failed ones included). */
    public record Latency(int samples, double p50Ms, double p90Ms, double p99Ms, double minMs, double maxMs) {
        static Latency of(long[] nanos) {
            if (nanos.length == 0) {
                return new Latency(0, 0, 0, 0, 0, 0);
            }
            long[] s = nanos.clone();
            Arrays.sort(s);
            return new Latency(s.length, ms(percentile(s, 50)), ms(percentile(s, 90)), ms(percentile(s, 99)), ms(s[0]), ms(s[s.length - 1]));
        }

        private static long percentile(long[] sorted, int p) {
            int rank = (int) Math.ceil(p / 100.0 * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
        }

        private static double ms(long nanos) {
            return nanos / 1e6;
        }
    }

    /**
     * @param commands every command started
     * @param failures commands that threw, timed out, exited non-zero or printed something else than asked
     * @param problems the first {@value #MAX_PROBLEMS} failures, described
     */
    public record ConcurrentReport(String backend, int sessions, Duration duration, long commands, long failures,
                                   Latency latency, double commandsPerSecond, List<String> problems) {
    }

    /**
     * @param failures            commands that failed, or saw a previous value that was not their own session's
     * @param isolationViolations sessions whose cwd or env afterwards was not what their own commands left
     */
    public record SessionReport(String backend, int sessions, int commandsPerSession, long commands, long failures,
                                int sessionsVerified, int isolationViolations, Latency latency, Duration elapsed,
                                List<String> problems) {
    }

    /**
     * @param hashMismatches   files whose downloaded SHA-256 differed from the uploaded one
     * @param heapPeakBytes    the sum of the heap pools' peak usage during the run (an upper bound of the real peak)
     */
    public record FileReport(String backend, int files, long sizeBytes, long bytesUp, long bytesDown,
                             double uploadMBps, double downloadMBps, int hashMismatches, long failures,
                             long heapUsedBeforeBytes, long heapUsedAfterBytes, long heapPeakBytes, Duration elapsed,
                             List<String> problems) {
    }

    // ---- concurrent executions ---------------------------------------------------------------------------

    /** Each of N sessions runs {@code echo} commands back to back until the duration is over. */
    public ConcurrentReport concurrent(ConcurrentSettings settings, Progress progress) {
        try (Sandbox sandbox = backend.create(spec)) {
            try {
                long deadline = System.nanoTime() + settings.duration().toNanos();
                Queue<Long> samples = new ConcurrentLinkedQueue<>();
                AtomicLong failures = new AtomicLong();
                AtomicLong started = new AtomicLong();
                List<String> problems = Collections.synchronizedList(new ArrayList<>());
                long t0 = System.nanoTime();
                runAll(settings.sessions(), settings.duration().plus(COMMAND_TIMEOUT).plusSeconds(30), i -> {
                    String session = "load-" + i;
                    for (long n = 0; System.nanoTime() < deadline; n++) {
                        String expected = session + "-" + n;
                        started.incrementAndGet();
                        long c0 = System.nanoTime();
                        try {
                            ExecResult r = sandbox.execStateful("echo " + expected, session, COMMAND_TIMEOUT);
                            samples.add(System.nanoTime() - c0);
                            if (!r.succeeded() || !r.stdout().equals(expected + "\n")) {
                                fail(failures, problems, session + ": \"echo " + expected + "\" gave exit " + r.exitCode()
                                        + (r.timedOut() ? " (timed out)" : "") + ", stdout \"" + r.stdout().strip() + "\"");
                            }
                        } catch (SandboxException e) {
                            samples.add(System.nanoTime() - c0);
                            fail(failures, problems, session + ": " + e.getMessage());
                        }
                        progress.update(started.get(), 0);
                    }
                }, failures, problems);
                double seconds = (System.nanoTime() - t0) / 1e9;
                long[] all = flatten(samples);
                return new ConcurrentReport(backend.name(), settings.sessions(), settings.duration(), started.get(), failures.get(),
                        Latency.of(all), all.length / seconds, List.copyOf(problems));
            } finally {
                sandbox.destroy();
            }
        }
    }

    // ---- session stress ----------------------------------------------------------------------------------

    /**
     * Each of S sessions runs C commands, concurrently with the others. Command {@code j} of session {@code i}
     * prints the value its previous command exported, then moves to its own directory and exports its own values.
     * Afterwards every session's {@link SessionInfo} and a fresh command in it must show exactly what its last
     * command left, and none of the other sessions' variables.
     */
    public SessionReport sessions(SessionSettings settings, int parallelism, Progress progress) {
        requireRange("parallelism", parallelism, 1, 64);
        try (Sandbox sandbox = backend.create(spec)) {
            try {
                AtomicLong failures = new AtomicLong();
                AtomicLong done = new AtomicLong();
                List<String> problems = Collections.synchronizedList(new ArrayList<>());
                Queue<Long> samples = new ConcurrentLinkedQueue<>();
                long total = (long) settings.sessions() * settings.commands();
                long t0 = System.nanoTime();
                Duration budget = COMMAND_TIMEOUT.multipliedBy(2).plusMillis(
                        500L * total / Math.max(1, Math.min(parallelism, settings.sessions()))).plusSeconds(60);
                runAllBounded(settings.sessions(), parallelism, budget, i -> {
                    String session = sessionName(i);
                    for (int j = 0; j < settings.commands(); j++) {
                        String before = j == 0 ? "" : value(i, j - 1);
                        String command = "printf '%s\\n' \"$BENCH_LAST\"; mkdir -p " + dir(i, j) + " && cd " + dir(i, j)
                                + " && export BENCH_LAST=" + value(i, j) + " BENCH_OWNER_" + i + "=" + i;
                        long c0 = System.nanoTime();
                        try {
                            ExecResult r = sandbox.execStateful(command, session, COMMAND_TIMEOUT);
                            samples.add(System.nanoTime() - c0);
                            if (!r.succeeded() || !r.stdout().equals(before + "\n") || !r.cwd().equals(dir(i, j))) {
                                fail(failures, problems, session + " command " + j + ": exit " + r.exitCode() + ", saw BENCH_LAST=\""
                                        + r.stdout().strip() + "\" (expected \"" + before + "\"), cwd " + r.cwd());
                            }
                        } catch (SandboxException e) {
                            samples.add(System.nanoTime() - c0);
                            fail(failures, problems, session + " command " + j + ": " + e.getMessage());
                        }
                        progress.update(done.incrementAndGet(), total);
                    }
                }, failures, problems);
                Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);

                int verified = 0;
                int violations = 0;
                for (int i = 0; i < settings.sessions(); i++) {
                    List<String> wrong = verifySession(sandbox, i, settings);
                    if (wrong.isEmpty()) {
                        verified++;
                    } else {
                        violations++;
                        wrong.forEach(w -> addProblem(problems, w));
                    }
                }
                return new SessionReport(backend.name(), settings.sessions(), settings.commands(), total, failures.get(), verified,
                        violations, Latency.of(flatten(samples)), elapsed, List.copyOf(problems));
            } finally {
                sandbox.destroy();
            }
        }
    }

    private static List<String> verifySession(Sandbox sandbox, int i, SessionSettings settings) {
        List<String> wrong = new ArrayList<>();
        String session = sessionName(i);
        int last = settings.commands() - 1;
        try {
            SessionInfo info = sandbox.sessionInfo(session);
            if (!info.cwd().equals(dir(i, last))) {
                wrong.add(session + ": session info cwd " + info.cwd() + ", expected " + dir(i, last));
            }
            if (!value(i, last).equals(info.env().get("BENCH_LAST"))) {
                wrong.add(session + ": session info BENCH_LAST=" + info.env().get("BENCH_LAST") + ", expected " + value(i, last));
            }
            for (Map.Entry<String, String> e : info.env().entrySet()) {
                if (e.getKey().startsWith("BENCH_OWNER_") && !e.getKey().equals("BENCH_OWNER_" + i)) {
                    wrong.add(session + ": sees another session's variable " + e.getKey());
                }
            }
            ExecResult r = sandbox.execStateful("pwd; printf '%s\\n' \"$BENCH_LAST\"; env | grep -c '^BENCH_OWNER_' || true", session,
                    COMMAND_TIMEOUT);
            String expected = dir(i, last) + "\n" + value(i, last) + "\n1\n";
            if (!r.stdout().equals(expected)) {
                wrong.add(session + ": its shell shows \"" + r.stdout().replace("\n", "|") + "\", expected \"" + expected.replace("\n", "|") + "\"");
            }
        } catch (SandboxException e) {
            wrong.add(session + ": cannot be verified: " + e.getMessage());
        }
        return wrong;
    }

    private static String sessionName(int i) {
        return "stress-" + i;
    }

    private static String dir(int i, int j) {
        return "/tmp/bench/s" + i + "/d" + (j % 3);
    }

    private static String value(int i, int j) {
        return "s" + i + "-c" + j;
    }

    // ---- file stress -------------------------------------------------------------------------------------

    /**
     * Uploads F files of pseudo-random bytes (generated while streaming, never held whole), downloads each back
     * through a digest, compares the SHA-256 of both sides, and deletes it. Heap use is read before and after,
     * each after a GC request, and the heap pools' peaks are reset at the start.
     */
    public FileReport files(FileSettings settings, Progress progress) {
        MessageDigest upDigest = sha256();
        MessageDigest downDigest = sha256();
        try (Sandbox sandbox = backend.create(spec)) {
            try {
                long heapBefore = Heap.usedAfterGc();
                Heap.resetPeaks();
                long upNanos = 0;
                long downNanos = 0;
                long bytesUp = 0;
                long bytesDown = 0;
                int mismatches = 0;
                long failures = 0;
                List<String> problems = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int f = 0; f < settings.files(); f++) {
                    String path = "/tmp/bench-files/f" + f + ".bin";
                    try {
                        upDigest.reset();
                        long u0 = System.nanoTime();
                        bytesUp += sandbox.fileUpload(new RandomBytes(settings.sizeBytes(), f, upDigest), settings.sizeBytes(), path,
                                TransferProgress.NONE);
                        upNanos += System.nanoTime() - u0;
                        downDigest.reset();
                        DigestingSink sink = new DigestingSink(downDigest);
                        long d0 = System.nanoTime();
                        bytesDown += sandbox.fileDownload(path, sink, TransferProgress.NONE);
                        downNanos += System.nanoTime() - d0;
                        String up = HexFormat.of().formatHex(upDigest.digest());
                        String down = HexFormat.of().formatHex(downDigest.digest());
                        if (!up.equals(down) || sink.count != settings.sizeBytes()) {
                            mismatches++;
                            addProblem(problems, path + ": sent sha256 " + up + ", got back " + down + " (" + sink.count + " bytes)");
                        }
                        sandbox.fileDelete(path);
                    } catch (SandboxException e) {
                        failures++;
                        addProblem(problems, path + ": " + e.getMessage());
                    }
                    progress.update(f + 1, settings.files());
                }
                Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
                long heapPeak = Heap.peaks();
                long heapAfter = Heap.usedAfterGc();
                return new FileReport(backend.name(), settings.files(), settings.sizeBytes(), bytesUp, bytesDown,
                        megabytesPerSecond(bytesUp, upNanos), megabytesPerSecond(bytesDown, downNanos), mismatches, failures,
                        heapBefore, heapAfter, heapPeak, elapsed, List.copyOf(problems));
            } finally {
                sandbox.destroy();
            }
        }
    }

    private static double megabytesPerSecond(long bytes, long nanos) {
        return nanos == 0 ? 0 : (bytes / 1e6) / (nanos / 1e9);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** {@code size} pseudo-random bytes from a seed, produced as they are read and fed to a digest. */
    static final class RandomBytes extends InputStream {
        private final SplittableRandom random;
        private final MessageDigest digest;
        private long remaining;

        RandomBytes(long size, long seed, MessageDigest digest) {
            this.random = new SplittableRandom(seed);
            this.digest = digest;
            this.remaining = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining == 0) {
                return -1;
            }
            int n = (int) Math.min(len, remaining);
            for (int k = 0; k < n; k++) {
                b[off + k] = (byte) random.nextInt(256);
            }
            digest.update(b, off, n);
            remaining -= n;
            return n;
        }
    }

    /** Counts and digests what it is given, and keeps none of it. */
    static final class DigestingSink extends OutputStream {
        private final MessageDigest digest;
        long count;

        DigestingSink(MessageDigest digest) {
            this.digest = digest;
        }

        @Override
        public void write(int b) {
            digest.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            digest.update(b, off, len);
            count += len;
        }
    }

    // ---- running workers ---------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Worker {
        void run(int index);
    }

    private static void runAll(int workers, Duration budget, Worker worker, AtomicLong failures, List<String> problems) {
        runAllBounded(workers, workers, budget, worker, failures, problems);
    }

    /** Runs {@code workers} tasks on a pool of {@code parallelism} threads, waiting at most {@code budget}. */
    private static void runAllBounded(int workers, int parallelism, Duration budget, Worker worker, AtomicLong failures,
                                      List<String> problems) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(workers, parallelism), r -> {
            Thread t = new Thread(r, "load-benchmark");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                int index = i;
                futures.add(pool.submit(() -> worker.run(index)));
            }
            long deadline = System.nanoTime() + budget.toNanos();
            for (Future<?> f : futures) {
                try {
                    f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    fail(failures, problems, "a worker did not finish within " + budget.toSeconds() + " s");
                    f.cancel(true);
                } catch (java.util.concurrent.ExecutionException e) {
                    fail(failures, problems, "a worker failed: " + e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("the benchmark was interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void fail(AtomicLong failures, List<String> problems, String problem) {
        failures.incrementAndGet();
        addProblem(problems, problem);
    }

    private static void addProblem(List<String> problems, String problem) {
        synchronized (problems) {
            if (problems.size() < MAX_PROBLEMS) {
                problems.add(problem);
            }
        }
    }

    private static long[] flatten(Queue<Long> samples) {
        return samples.stream().mapToLong(Long::longValue).toArray();
    }
}
