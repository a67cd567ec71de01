package io.sandboxops.core.state;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.sandboxops.core.testing.LocalStateBucket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.sandboxops.core.api.SandboxConflictException;
import io.sandboxops.emulator.faults.FaultRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link SessionStateStore} against the emulator's Cloud Storage, through the real client. */
class SessionStateStoreTest {
    @RegisterExtension
    static final LocalStateBucket state = new LocalStateBucket();

    @AfterEach
    void clearFaults() {
        state.cloud().faults().clear();
    }

    @Test
    void eightThreadsTimesFiftyUpdatesToOneSessionAreAllApplied() throws Exception {
        state.store().updateShell("sbx-conc", "main", s -> ShellState.fresh("main", "/workspace", Map.of("N", "0"), Instant.now()));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    state.store().updateShell("sbx-conc", "main", s -> {
                        ShellState c = s.orElseThrow();
                        int n = Integer.parseInt(c.env().get("N"));
                        return new ShellState(c.schemaVersion(), c.sessionId(), c.cwd(), Map.of("N", Integer.toString(n + 1)),
                                c.backgroundProcesses(), c.lastCommand(), c.createdAt(), Instant.now());
                    });
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertThat(state.store().readShell("sbx-conc", "main").orElseThrow().value().env()).containsEntry("N", "400");
    }

    @Test
    void anUpdateFromAKnownStateThatWentStaleIsAppliedOnTopOfTheNewerOne() {
        SessionStateStore.Versioned<ShellState> known = state.store().updateShell("sbx-known", "main", Optional.empty(),
                s -> ShellState.fresh("main", "/a", Map.of("A", "1"), Instant.now()));
        SessionStateStore.Versioned<ShellState> again = state.store().updateShell("sbx-known", "main", Optional.of(known),
                s -> withCwd(s.orElseThrow(), "/b"));
        assertThat(again.generation()).isEqualTo(state.store().readShell("sbx-known", "main").orElseThrow().generation());

        state.store().updateShell("sbx-known", "main", s -> {
            ShellState c = s.orElseThrow();
            return new ShellState(c.schemaVersion(), c.sessionId(), c.cwd(), Map.of("A", "1", "OTHER", "writer"), c.backgroundProcesses(),
                    c.lastCommand(), c.createdAt(), Instant.now());
        });
        ShellState last = state.store().updateShell("sbx-known", "main", Optional.of(again), s -> withCwd(s.orElseThrow(), "/c")).value();
        assertThat(last.cwd()).isEqualTo("/c");
        assertThat(last.env()).as("the other writer's change survives").containsEntry("OTHER", "writer");
        assertThat(state.store().readShell("sbx-known", "main").orElseThrow().value()).isEqualTo(last);
    }

    private static ShellState withCwd(ShellState s, String cwd) {
        return new ShellState(s.schemaVersion(), s.sessionId(), cwd, s.env(), s.backgroundProcesses(), s.lastCommand(), s.createdAt(), Instant.now());
    }

    @Test
    void aStaleGenerationIsAConflictAndNothingIsLost() {
        long g1 = state.store().write("sessions/sbx-gen/x.json", Map.of("v", 1), 0);
        state.store().write("sessions/sbx-gen/x.json", Map.of("v", 2), g1);
        assertThatThrownBy(() -> state.store().write("sessions/sbx-gen/x.json", Map.of("v", 3), g1)).isInstanceOf(SandboxConflictException.class);
        assertThatThrownBy(() -> state.store().write("sessions/sbx-gen/x.json", Map.of("v", 4), 0)).isInstanceOf(SandboxConflictException.class);
        assertThat(state.store().read("sessions/sbx-gen/x.json", Map.class).orElseThrow().value()).containsEntry("v", 2);
    }

    @Test
    void updatesSucceedWhenTenPercentOfStorageCallsFailWith503() {
        state.cloud().faults().add(FaultRule.forMethod("*").failWith(Status.Code.UNAVAILABLE).probability(0.1).build());
        for (int i = 0; i < 40; i++) {
            final int n = i;
            state.store().updateShell("sbx-faults", "main", s -> ShellState.fresh("main", "/w" + n, Map.of(), Instant.now()));
        }
        assertThat(state.store().readShell("sbx-faults", "main").map(v -> v.value().cwd())).isEqualTo(Optional.of("/w39"));
    }
}
