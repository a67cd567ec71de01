package io.sandboxops.core.bench;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.PoolStatus;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.SandboxTimeoutException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import io.sandboxops.core.cloudrun.CloudRunSettings;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.state.SessionStateStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * How fast a Cloud Run session starts (issue 16), in one run, each figure beside a reference from the same run:
 * <ul>
 *   <li>a new session's first command with a warm pool of one: the claim of the idle worker and the command's round
 *       trip (the sandbox is created first, untimed, and the pool is refilled before each round), against a cold start
 *       (the same first command with no pool: RunJob, the execution's start, the worker's restore);</li>
 *   <li>a warm command ({@code true}) on a live worker, against the floor of any Cloud Storage mailbox: a request
 *       written, read, an answer written, read, one after the other from this client, with nothing between them (no
 *       polling delay, no claim, no state). No mailbox in Storage answers faster than its own four calls, so where the
 *       floor's median is over the goal, the goal is out of reach of DESIGN §5's transport under that latency, and the
 *       figure says how far above the floor the command is. One Storage GET alone is printed beside it;</li>
 *   <li>the Storage round trips a warm command waits for, one after the other (its critical path): the client's two (the
 *       request's insert, then the look at the outbox that finds the answer; its looks overlap, so the others wait for
 *       nothing), and the worker's, from its code path ({@link #WORKER_PATH}); beside them, every call the client made,
 *       counted with {@link SessionStateStore.Calls} (the answer's removal runs in the background and is counted apart).</li>
 * </ul>
 */
public final class CloudRunStartBenchmark {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration POOL_WAIT = Duration.ofMinutes(3);

    /**
     * @param poolRounds   first commands with the pool, at least 10
     * @param coldRounds   first commands without it, at least 1
     * @param warmCommands warm commands timed, at least 10
     */
    public record Settings(int poolRounds, int coldRounds, int warmCommands) {
        public static final Settings FULL = new Settings(10, 3, 50);

        public Settings {
            LoadBenchmark.requireRange("pool rounds", poolRounds, 10, 1000);
            LoadBenchmark.requireRange("cold rounds", coldRounds, 1, 100);
            LoadBenchmark.requireRange("warm commands", warmCommands, 10, 100_000);
        }
    }

    /**
     * @param pooledFirst        the first command of a session that claims a pooled worker, beside a cold start's
     * @param warm               a warm command, beside the mailbox's floor (insert, get, insert, get in sequence)
     * @param getMillis          one Storage GET (of an object that exists), median
     * @param createMillis       creating each pooled round's sandbox (untimed in the figures), median
     * @param clientCallsPerWarm Storage calls this client made per warm command, its overlapping looks included (the
     *                           answer's removal, in the background, not)
     * @param clientCalls        all of them by kind, over every warm command
     */
    public record Report(StartFigure pooledFirst, StartFigure warm, double getMillis, double createMillis, double clientCallsPerWarm,
                         String clientCalls) {
        public List<String> lines() {
            return List.of(pooledFirst.line(), warm.line(),
                    floorLine(),
                    String.format(Locale.ROOT, "creating the sandbox before each pooled first command (untimed above): median %.1f ms", createMillis),
                    String.format(Locale.ROOT, "Storage round trips per warm command on the critical path: client %d (insert the request, "
                                    + "the look that finds the answer), worker %d (%s); total %d. Calls the client made per warm command: %.1f "
                                    + "(overlapping looks; measured: %s)",
                            CLIENT_ROUND_TRIPS, WORKER_ROUND_TRIPS, WORKER_PATH, CLIENT_ROUND_TRIPS + WORKER_ROUND_TRIPS, clientCallsPerWarm, clientCalls));
        }

        private String floorLine() {
            double floor = warm.referenceMedian().orElse(Double.NaN);
            double goal = warm.goal().millis().orElse(Double.NaN);
            String verdict = floor > goal
                    ? String.format(Locale.ROOT, "over the %.0f ms goal by itself: no Storage mailbox meets that goal under this latency",
                            goal)
                    : String.format(Locale.ROOT, "under the %.0f ms goal", goal);
            return String.format(Locale.ROOT, "the mailbox floor (a request written and read, an answer written and read, in sequence, "
                    + "nothing between) median %.1f ms, %s; the warm command spends %.1f ms above it; one Storage GET alone: median %.1f ms",
                    floor, verdict, warm.median() - floor, getMillis);
        }
    }

    /**
     * The worker's Storage round trips for a warm {@code true}, in order, from its code (Main, SignedInbox, Worker): the
     * inbox listing that finds the request (a request of up to {@link io.sandboxops.core.cloudrun.Mailbox#MAX_INLINE_REQUEST}
     * bytes comes in its metadata, so its content is not read), the claiming delete with the manifest's generation (the
     * pull) beside it, the shell's state (saved beside the file checkpoint, which writes nothing when no file changed), the
     * answer. The listings that find nothing before it are the worker's idle loop, not counted.
     */
    public static final String WORKER_PATH = "list inbox (the request in the listing's metadata), delete (claim) beside get manifest "
            + "generation, insert state, insert answer";
    private static final int WORKER_ROUND_TRIPS = 4;
    private static final int CLIENT_ROUND_TRIPS = 2;

    private final CloudRunJobsSandboxBackend pooled;
    private final CloudRunJobsSandboxBackend cold;

    /**
     * @param pooled a session-mode backend with {@code SANDBOX_POOL_CLOUDRUN} of at least 1
     * @param cold   the same backend without a pool
     */
    public CloudRunStartBenchmark(CloudRunJobsSandboxBackend pooled, CloudRunJobsSandboxBackend cold) {
        if (pooled.settings().poolSize() < 1 || cold.settings().poolSize() != 0
                || pooled.settings().mode() != CloudRunSettings.Mode.SESSION || cold.settings().mode() != CloudRunSettings.Mode.SESSION) {
            throw new IllegalArgumentException("the start benchmark needs two session-mode backends, one with a pool and one without");
        }
        this.pooled = pooled;
        this.cold = cold;
        // Its sessions would otherwise claim the pooled backend's idle worker: the reference is a start, always.
        cold.neverClaim();
    }

    public Report run(Settings settings, Consumer<String> progress) {
        List<Sandbox> made = new ArrayList<>();
        try {
            pooled.startPool();
            List<Double> first = new ArrayList<>();
            List<Double> creates = new ArrayList<>();
            Sandbox warmSandbox = null;
            for (int i = 0; i < settings.poolRounds(); i++) {
                awaitIdle();
                long c = System.nanoTime();
                Sandbox s = pooled.create(SandboxSpec.newBuilder().build());
                creates.add(ms(c));
                made.add(s);
                long t = System.nanoTime();
                check(s.execStateful("true", "main", COMMAND_TIMEOUT));
                first.add(ms(t));
                progress.accept(String.format(Locale.ROOT, "pooled first command %d: %.1f ms", i + 1, first.get(i)));
                warmSandbox = s;
            }
            List<Double> coldFirst = new ArrayList<>();
            for (int i = 0; i < settings.coldRounds(); i++) {
                Sandbox s = cold.create(SandboxSpec.newBuilder().build());
                made.add(s);
                long t = System.nanoTime();
                check(s.execStateful("true", "main", COMMAND_TIMEOUT));
                coldFirst.add(ms(t));
                progress.accept(String.format(Locale.ROOT, "cold first command %d: %.1f ms", i + 1, coldFirst.get(i)));
            }
            // Warm: on the last pooled session's worker.
            String object = "sessions/" + warmSandbox.id() + "/sandbox.json";
            SessionStateStore.Calls calls = pooled.storageCalls();
            List<Double> warm = new ArrayList<>();
            List<Double> get = new ArrayList<>();
            long before = calls.total();
            long deletesBefore = calls.delete.get();
            String kindsBefore = calls.toString();
            for (int i = 0; i < settings.warmCommands(); i++) {
                long t = System.nanoTime();
                check(warmSandbox.execStateful("true", "main", COMMAND_TIMEOUT));
                warm.add(ms(t));
            }
            waitForBackgroundDeletes(calls, deletesBefore + settings.warmCommands());
            long callsMade = calls.total() - before;
            long offPath = calls.delete.get() - deletesBefore;
            String kinds = kindsBefore + " → " + calls;
            List<Double> floor = new ArrayList<>();
            try (GoogleClients clients = new GoogleClients(pooled.settings().target())) {
                Storage storage = clients.storage();
                BlobId id = BlobId.of(pooled.settings().stateBucket(), object);
                storage.get(id); // the connection is made before timing, as the warm commands' is
                for (int i = 0; i < settings.warmCommands(); i++) {
                    long t = System.nanoTime();
                    storage.get(id);
                    get.add(ms(t));
                }
                // Under the sandbox's prefix, outside its mailbox (the worker never looks there), and removed with it.
                String prefix = "sessions/" + warmSandbox.id() + "/bench-floor/";
                byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < settings.warmCommands(); i++) {
                    BlobId request = BlobId.of(pooled.settings().stateBucket(), prefix + "request-" + i);
                    BlobId answer = BlobId.of(pooled.settings().stateBucket(), prefix + "answer-" + i);
                    long t = System.nanoTime();
                    storage.create(BlobInfo.newBuilder(request).build(), body, Storage.BlobTargetOption.doesNotExist());
                    storage.readAllBytes(request);
                    storage.create(BlobInfo.newBuilder(answer).build(), body, Storage.BlobTargetOption.doesNotExist());
                    storage.readAllBytes(answer);
                    floor.add(ms(t));
                    storage.delete(request);
                    storage.delete(answer);
                }
            }
            double perCommand = (callsMade - offPath) / (double) settings.warmCommands();
            StartFigure pooledFirst = new StartFigure("Cloud Run pool of " + pooled.settings().poolSize() + ": claim → first command", first,
                    "cold start → first command", coldFirst, StartFigure.Goal.millis(600));
            StartFigure warmFigure = new StartFigure("Cloud Run warm command (true)", warm, "mailbox floor: 4 Storage calls", floor,
                    StartFigure.Goal.millis(200));
            return new Report(pooledFirst, warmFigure, StartFigure.median(get), StartFigure.median(creates), perCommand,
                    kinds + " (" + offPath + " answer removals in the background, not counted)");
        } finally {
            for (Sandbox s : made) {
                try {
                    s.destroy();
                } catch (RuntimeException e) {
                    progress.accept("could not destroy " + s.id() + ": " + e.getMessage());
                }
            }
        }
    }

    private void awaitIdle() {
        long deadline = System.nanoTime() + POOL_WAIT.toNanos();
        while (true) {
            PoolStatus s = pooled.poolStatus();
            if (s.idle() >= 1) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new SandboxUnavailableException("the warm pool had no idle worker after " + POOL_WAIT.toMinutes() + " minutes: " + s);
            }
            sleep(50);
        }
    }

    /** The answers' removals run on a background thread; wait (briefly) until they are in the count. */
    private static void waitForBackgroundDeletes(SessionStateStore.Calls calls, long expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (calls.delete.get() < expected && System.nanoTime() < deadline) {
            sleep(10);
        }
    }

    private static void check(ExecResult r) {
        if (r.exitCode() != 0 || r.timedOut()) {
            throw new SandboxTimeoutException("a benchmark command failed: exit " + r.exitCode() + (r.timedOut() ? ", timed out" : ""));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxUnavailableException("interrupted", e);
        }
    }

    private static double ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }
}
