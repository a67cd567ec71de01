package io.sandboxops.core.state;

import io.sandboxops.core.testing.LocalTargets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.storage.BucketInfo;
import io.grpc.Status;
import io.sandboxops.core.api.SandboxConflictException;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudEndpoints;
import io.sandboxops.emulator.faults.FaultRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link SessionStateStore} against the emulator's Cloud Storage, through the real client. */
class SessionStateStoreTest {
    private static LocalCloud cloud;
    private static GoogleClients clients;
    private static SessionStateStore store;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start();
        LocalCloudEndpoints e = cloud.endpoints();
        clients = new GoogleClients(LocalTargets.of(e));
        clients.storage().create(BucketInfo.of("state"));
        store = new SessionStateStore(clients.storage(), "state", RetryPolicy.defaults());
    }

    @AfterAll
    static void stop() {
        clients.close();
        cloud.close();
    }

    @AfterEach
    void clearFaults() {
        cloud.faults().clear();
    }

    @Test
    void eightThreadsTimesFiftyUpdatesToOneSessionAreAllApplied() throws Exception {
        store.updateShell("sbx-conc", "main", s -> ShellState.fresh("main", "/workspace", Map.of("N", "0"), Instant.now()));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    store.updateShell("sbx-conc", "main", s -> {
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
        assertThat(store.readShell("sbx-conc", "main").orElseThrow().value().env()).containsEntry("N", "400");
    }

    @Test
    void anUpdateFromAKnownStateThatWentStaleIsAppliedOnTopOfTheNewerOne() {
        SessionStateStore.Versioned<ShellState> known = store.updateShell("sbx-known", "main", Optional.empty(),
                s -> ShellState.fresh("main", "/a", Map.of("A", "1"), Instant.now()));
        SessionStateStore.Versioned<ShellState> again = store.updateShell("sbx-known", "main", Optional.of(known),
                s -> withCwd(s.orElseThrow(), "/b"));
        assertThat(again.generation()).isEqualTo(store.readShell("sbx-known", "main").orElseThrow().generation());

        store.updateShell("sbx-known", "main", s -> {
            ShellState c = s.orElseThrow();
            return new ShellState(c.schemaVersion(), c.sessionId(), c.cwd(), Map.of("A", "1", "OTHER", "writer"), c.backgroundProcesses(),
                    c.lastCommand(), c.createdAt(), Instant.now());
        });
        ShellState last = store.updateShell("sbx-known", "main", Optional.of(again), s -> withCwd(s.orElseThrow(), "/c")).value();
        assertThat(last.cwd()).isEqualTo("/c");
        assertThat(last.env()).as("the other writer's change survives").containsEntry("OTHER", "writer");
        assertThat(store.readShell("sbx-known", "main").orElseThrow().value()).isEqualTo(last);
    }

    private static ShellState withCwd(ShellState s, String cwd) {
        return new ShellState(s.schemaVersion(), s.sessionId(), cwd, s.env(), s.backgroundProcesses(), s.lastCommand(), s.createdAt(), Instant.now());
    }

    @Test
    void aStaleGenerationIsAConflictAndNothingIsLost() {
        long g1 = store.write("sessions/sbx-gen/x.json", Map.of("v", 1), 0);
        store.write("sessions/sbx-gen/x.json", Map.of("v", 2), g1);
        assertThatThrownBy(() -> store.write("sessions/sbx-gen/x.json", Map.of("v", 3), g1)).isInstanceOf(SandboxConflictException.class);
        assertThatThrownBy(() -> store.write("sessions/sbx-gen/x.json", Map.of("v", 4), 0)).isInstanceOf(SandboxConflictException.class);
        assertThat(store.read("sessions/sbx-gen/x.json", Map.class).orElseThrow().value()).containsEntry("v", 2);
    }

    @Test
    void updatesSucceedWhenTenPercentOfStorageCallsFailWith503() {
        cloud.faults().add(FaultRule.forMethod("*").failWith(Status.Code.UNAVAILABLE).probability(0.1).build());
        for (int i = 0; i < 40; i++) {
            final int n = i;
            store.updateShell("sbx-faults", "main", s -> ShellState.fresh("main", "/w" + n, Map.of(), Instant.now()));
        }
        assertThat(store.readShell("sbx-faults", "main").map(v -> v.value().cwd())).isEqualTo(Optional.of("/w39"));
    }
}
