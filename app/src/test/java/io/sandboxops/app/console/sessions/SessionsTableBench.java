package io.sandboxops.app.console.sessions;

import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.app.console.environment.WriteGuard;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.CurrentThreadTaskExecutor;
import io.sandboxops.app.console.testing.FakeSandboxBackend;
import io.sandboxops.app.console.testing.FakeWorkspace;
import io.sandboxops.app.console.testing.RecordingDialogService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import javafx.beans.property.SimpleObjectProperty;

/**
 * How the sessions table's view model keeps up with many sessions: the time of one refresh (list, merge, one
 * batch of details) and of a filter change, over an in-memory backend, so the figure is the console's own work.
 * <pre>java -cp "$(cat app/target/test-cp.txt):app/target/classes:app/target/test-classes" \
 *     io.sandboxops.app.console.sessions.SessionsTableBench [sessions] [rounds]</pre>
 */
public final class SessionsTableBench {
    private SessionsTableBench() {
    }

    public static void main(String[] args) {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Instant now = Instant.parse("2026-11-26T03:00:00Z");
        FakeSandboxBackend backend = new FakeSandboxBackend();
        for (int i = 0; i < sessions; i++) {
            String id = String.format("sbx-bulk-%04d", i);
            backend.add(id, now.minusSeconds(i)).execStateful("echo " + i, id, Duration.ofSeconds(1));
        }
        CurrentThreadTaskExecutor executor = new CurrentThreadTaskExecutor();
        SimpleObjectProperty<ConsoleEnvironment> environment = new SimpleObjectProperty<>(ConsoleEnvironment.local());
        SimpleObjectProperty<Workspace> workspace = new SimpleObjectProperty<>();
        SessionsViewModel vm = new SessionsViewModel(executor, new StatusLine(), new WriteGuard(environment, new RecordingDialogService()),
                workspace, Clock.systemUTC());
        workspace.set(FakeWorkspace.of(backend));
        vm.start();
        long[] refresh = new long[rounds];
        long[] filter = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            executor.tick();
            refresh[r] = System.nanoTime() - t0;
            long t1 = System.nanoTime();
            vm.filterProperty().set(r % 2 == 0 ? "bulk-09" : "");
            filter[r] = System.nanoTime() - t1;
        }
        System.out.printf("%d sessions, %d rounds: refresh median %.2f ms (p90 %.2f), filter median %.2f ms (p90 %.2f), rows %d%n",
                sessions, rounds, median(refresh), p90(refresh), median(filter), p90(filter), vm.allRows().size());
    }

    private static double median(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }

    private static double p90(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[(int) Math.ceil(0.9 * s.length) - 1] / 1e6;
    }
}
