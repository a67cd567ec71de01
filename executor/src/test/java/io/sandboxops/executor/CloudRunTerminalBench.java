package io.sandboxops.executor;

import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.Terminal;
import io.sandboxops.core.api.TerminalSize;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Benchmark of a Cloud Run session-mode terminal against the emulator (not a test), with the process runner: the
 * keystroke-to-echo latency (one key written, until its echo is read from the output; bash's readline echoes it), the
 * output throughput of a {@code cat} through the terminal, and as the reference measured in the same run, a warm
 * {@code execStateful} round trip.
 *
 * <pre>java -cp "sandbox-core/target/classes:executor/target/classes:executor/target/test-classes:$(cat executor/target/test-cp.txt)" \
 *     io.sandboxops.executor.CloudRunTerminalBench [keys] [megabytes]</pre>
 */
public final class CloudRunTerminalBench {
    private CloudRunTerminalBench() {
    }

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int megabytes = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Duration t = Duration.ofSeconds(60);
        try (LocalCloudHarness harness = LocalCloudHarness.withProcessRunner();
             CloudRunJobsSandboxBackend backend = harness.backend(Map.of("SANDBOX_MODE", "session", "SANDBOX_IDLE_TIMEOUT", "120s"))) {
            Sandbox s = backend.create(SandboxSpec.newBuilder().build());
            s.execStateful("true", "main", t);
            List<Long> warm = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                long start = System.nanoTime();
                s.execStateful("echo " + i, "main", t);
                warm.add(System.nanoTime() - start);
            }
            report("reference: warm execStateful `echo` round trip", warm);

            try (Terminal term = s.openTerminal("main", TerminalSize.DEFAULT)) {
                Echoes echoes = new Echoes(term.output());
                echoes.quiet(1000);
                List<Long> latency = new ArrayList<>();
                for (int i = 0; i < keys; i++) {
                    byte key = (byte) ('a' + i % 26);
                    long start = System.nanoTime();
                    term.write(new byte[] {key});
                    echoes.await(key, start, t);
                    latency.add(System.nanoTime() - start);
                    if (i % 40 == 39) {
                        // Ctrl-U: an empty line again, so the echo stays one byte
                        term.write(new byte[] {0x15});
                        echoes.quiet(300);
                    }
                }
                report("terminal: keystroke-to-echo", latency);

                term.write(new byte[] {0x15});
                echoes.quiet(300);
                s.execStateful("head -c " + (megabytes * 786_432L) + " /dev/zero | base64 -w 0 > /tmp/bench.txt", "main", t);
                long bytes = megabytes * 1_048_576L;
                long start = System.nanoTime();
                term.write("stty -echo; cat /tmp/bench.txt; printf '\\n%s\\n' DO\"NE\"\n".getBytes(StandardCharsets.UTF_8));
                long got = echoes.untilDone(t.multipliedBy(5));
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("terminal: cat of %d MB: %d bytes in %.2f s, %.1f MB/s%n", megabytes, got, seconds, bytes / 1_048_576.0 / seconds);
            }
            s.destroy();
        }
    }

    /** Reads the output on its own thread; tells when a byte arrives. */
    private static final class Echoes {
        private final Object lock = new Object();
        private long lastByteAt = System.nanoTime();
        private long count;
        private final byte[] recent = new byte[64];
        private int recentLength;
        private boolean done;
        private final List<Byte> pending = new ArrayList<>();

        Echoes(InputStream in) {
            Thread reader = new Thread(() -> {
                byte[] b = new byte[65536];
                try {
                    int n;
                    while ((n = in.read(b)) >= 0) {
                        synchronized (lock) {
                            for (int i = 0; i < n; i++) {
                                pending.add(b[i]);
                                System.arraycopy(recent, 1, recent, 0, recent.length - 1);
                                recent[recent.length - 1] = b[i];
                            }
                            if (pending.size() > 4096) {
                                pending.subList(0, pending.size() - 4096).clear();
                            }
                            recentLength = Math.min(recent.length, recentLength + n);
                            count += n;
                            lastByteAt = System.nanoTime();
                            if (new String(recent, StandardCharsets.US_ASCII).contains("\nDONE")) {
                                done = true;
                            }
                            lock.notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // ends
                }
            }, "bench-output");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits until nothing arrived for {@code millis}, and forgets what came. */
        void quiet(long millis) throws InterruptedException {
            synchronized (lock) {
                while (System.nanoTime() - lastByteAt < millis * 1_000_000) {
                    lock.wait(millis);
                }
                pending.clear();
            }
        }

        void await(byte key, long since, Duration timeout) throws InterruptedException {
            long deadline = since + timeout.toNanos();
            synchronized (lock) {
                while (!pending.contains(key)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("no echo of " + (char) key);
                    }
                    lock.wait(1);
                }
                pending.clear();
            }
        }

        long untilDone(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (lock) {
                long before = count;
                while (!done) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the cat did not end");
                    }
                    lock.wait(10);
                }
                return count - before;
            }
        }
    }

    private static void report(String what, List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        System.out.printf("%s: n=%d median %.1f ms, p90 %.1f ms, min %.1f ms, max %.1f ms%n", what, sorted.size(),
                sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) (sorted.size() * 0.9)) / 1e6, sorted.get(0) / 1e6,
                sorted.get(sorted.size() - 1) / 1e6);
    }
}
