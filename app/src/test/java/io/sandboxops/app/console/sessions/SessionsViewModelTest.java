package io.sandboxops.app.console.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.app.console.environment.WriteGuard;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.CurrentThreadTaskExecutor;
import io.sandboxops.app.console.testing.FakeSandboxBackend;
import io.sandboxops.app.console.testing.FakeWorkspace;
import io.sandboxops.app.console.testing.RecordingDialogService;
import io.sandboxops.core.api.PoolStatus;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.observe.PriceTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import javafx.beans.property.SimpleObjectProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SessionsViewModelTest {
    private static final Instant NOW = Instant.parse("2026-11-26T03:00:00Z");

    private final CurrentThreadTaskExecutor executor = new CurrentThreadTaskExecutor();
    private final RecordingDialogService dialogs = new RecordingDialogService();
    private final StatusLine status = new StatusLine();
    private final FakeSandboxBackend backend = new FakeSandboxBackend();
    private final SimpleObjectProperty<ConsoleEnvironment> environment = new SimpleObjectProperty<>(ConsoleEnvironment.local());
    private final SimpleObjectProperty<Workspace> workspace = new SimpleObjectProperty<>();
    private SessionsViewModel vm;

    @BeforeEach
    void setUp() {
        backend.add("sbx-a", NOW.minusSeconds(600)).execStateful("cd /tmp && export DB_PASSWORD=hunter2", "sbx-a", Duration.ofSeconds(1));
        backend.add("sbx-b", NOW.minusSeconds(60));
        vm = new SessionsViewModel(executor, status, new WriteGuard(environment, dialogs), workspace, Clock.fixed(NOW, ZoneOffset.UTC));
        workspace.set(FakeWorkspace.of(backend));
        vm.start();
    }

    private SessionRow row(String id) {
        return vm.allRows().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void listsEverySessionWithItsCwdMaskedLastCommandAndAge() {
        assertThat(vm.allRows()).extracting(SessionRow::id).containsExactlyInAnyOrder("sbx-a", "sbx-b");
        SessionRow a = row("sbx-a");
        assertThat(a.cwdProperty().get()).isEqualTo("/tmp");
        assertThat(a.lastCommandProperty().get()).isEqualTo("cd /tmp && export DB_PASSWORD=••••••").doesNotContain("hunter2");
        assertThat(a.ageProperty().get()).isEqualTo(Duration.ofMinutes(10));
        assertThat(row("sbx-b").cwdProperty().get()).isEmpty();
    }

    @Test
    void filterMatchesIdStateCommandAndCwd() {
        vm.filterProperty().set("tmp");
        assertThat(vm.rows()).extracting(SessionRow::id).containsExactly("sbx-a");
        vm.filterProperty().set("SBX-B");
        assertThat(vm.rows()).extracting(SessionRow::id).containsExactly("sbx-b");
        vm.filterProperty().set("");
        assertThat(vm.rows()).hasSize(2);
    }

    @Test
    void aRefreshUpdatesRowsInPlaceSoTheSelectionSurvives() {
        SessionRow a = row("sbx-a");
        vm.selectedProperty().set(a);
        backend.setState("sbx-a", "exited");
        backend.add("sbx-c", NOW);
        executor.tick();
        assertThat(row("sbx-a")).isSameAs(a);
        assertThat(a.state()).isEqualTo("exited");
        assertThat(vm.selectedProperty().get()).isSameAs(a);
        assertThat(vm.allRows()).hasSize(3);
    }

    @Test
    void selectingARowOpensItsSessionForTheWorkspaceViews() {
        vm.selectedProperty().set(row("sbx-b"));
        assertThat(vm.openSessionProperty().get().sessionId()).isEqualTo("sbx-b");
        assertThat(vm.openSessionProperty().get().sandbox()).isSameAs(backend.sandbox("sbx-b"));
    }

    @Test
    void createAddsASessionOnTheChosenBackendAndSelectsIt() {
        vm.createBackendProperty().set(FakeSandboxBackend.NAME);
        vm.create();
        assertThat(vm.allRows()).hasSize(3);
        assertThat(vm.selectedProperty().get().id()).isEqualTo("fake-1");
        assertThat(status.message()).contains("Created session fake-1");
    }

    @Test
    void closeAsksThenRemovesTheSandbox() {
        vm.selectedProperty().set(row("sbx-b"));
        vm.closeSelected();
        assertThat(dialogs.shown).anyMatch(s -> s.startsWith("confirm: Close session sbx-b"));
        assertThat(backend.sandbox("sbx-b").destroyed).isTrue();
        assertThat(vm.allRows()).extracting(SessionRow::id).containsExactly("sbx-a");
    }

    @Test
    void declinedCloseChangesNothing() {
        dialogs.answer = false;
        vm.selectedProperty().set(row("sbx-b"));
        vm.closeSelected();
        assertThat(backend.sandbox("sbx-b").destroyed).isFalse();
    }

    @Test
    void cleanupRemovesAllButTheSelected() {
        backend.add("sbx-c", NOW);
        executor.tick();
        vm.selectedProperty().set(row("sbx-b"));
        dialogs.typed = "2";
        vm.cleanupAllButSelected();
        assertThat(vm.allRows()).extracting(SessionRow::id).containsExactly("sbx-b");
        assertThat(status.message()).isEqualTo("Removed 2 sessions; kept sbx-b.");
    }

    @Test
    void cleanupOfOthersNeedsTheirCountTypedNotJustAClick() {
        backend.add("sbx-c", NOW);
        executor.tick();
        vm.selectedProperty().set(row("sbx-b"));
        dialogs.answer = true;
        dialogs.typed = "";
        vm.cleanupAllButSelected();
        dialogs.typed = "cleanup";
        vm.cleanupAllButSelected();
        assertThat(vm.allRows()).extracting(SessionRow::id).containsExactlyInAnyOrder("sbx-a", "sbx-b", "sbx-c");
        assertThat(dialogs.shown).allMatch(s -> s.startsWith("type: Clean up other sessions: Remove 2 sessions on every backend"));
    }

    @Test
    void aReadOnlyEnvironmentRefusesWritesAndDisablesThem() {
        environment.set(new ConsoleEnvironment("prod-ro", ConsoleEnvironment.Kind.GCP, true, true, "x"));
        vm.selectedProperty().set(row("sbx-b"));
        assertThat(vm.canCreateProperty().get()).isFalse();
        assertThat(vm.canCloseProperty().get()).isFalse();
        vm.closeSelected();
        assertThat(backend.sandbox("sbx-b").destroyed).isFalse();
        assertThat(dialogs.shown).anyMatch(s -> s.contains("read-only"));
    }

    @Test
    void productionNeedsTheNameTypedBeforeAClose() {
        environment.set(new ConsoleEnvironment("prod-eu", ConsoleEnvironment.Kind.GCP, true, false, "x"));
        vm.selectedProperty().set(row("sbx-b"));
        dialogs.typed = "prod";
        vm.closeSelected();
        assertThat(backend.sandbox("sbx-b").destroyed).isFalse();
        vm.selectedProperty().set(row("sbx-b"));
        dialogs.typed = "prod-eu";
        vm.closeSelected();
        assertThat(backend.sandbox("sbx-b").destroyed).isTrue();
    }

    @Test
    void aThousandSessionsAppearAtOnceAndTheirDetailsFillInBatches() {
        for (int i = 0; i < 1000; i++) {
            backend.add(String.format("sbx-bulk-%04d", i), NOW.minusSeconds(i)).execStateful("echo " + i, String.format("sbx-bulk-%04d", i), Duration.ofSeconds(1));
        }
        executor.tick();
        assertThat(vm.allRows()).hasSize(1002);
        long withDetails = vm.allRows().stream().filter(r -> !r.lastCommandProperty().get().isEmpty()).count();
        // Two were read on the first refresh; this one read at most a batch more.
        assertThat(withDetails).isLessThanOrEqualTo(1 + SessionsViewModel.MAX_DETAILS_PER_REFRESH + 1);
        vm.filterProperty().set("bulk-0999");
        assertThat(vm.rows()).extracting(SessionRow::id).containsExactly("sbx-bulk-0999");
    }

    @Test
    void withoutABackendThePlaceholderSaysWhy() {
        workspace.set(new FakeWorkspace(ConsoleEnvironment.local(), java.util.Map.of(), java.util.List.of()));
        assertThat(vm.allRows()).isEmpty();
        assertThat(vm.placeholderProperty().get()).contains("No sandbox backend answers");
        assertThat(vm.canCreateProperty().get()).isFalse();
    }

    /** Issue 12, attack 5: on production a session was created with no question at all. */
    @Test
    void onProductionCreatingASessionNeedsTheServiceNameTyped() {
        environment.set(ConsoleEnvironment.of(new Environment("prod", Environment.Kind.GCP, "acme-prod", "europe-west1", "agent-backend",
                null, null, null, true, false)));
        vm.createBackendProperty().set(FakeSandboxBackend.NAME);
        int before = backend.list().size();
        dialogs.typed = "prod";
        vm.create();
        assertThat(backend.list()).hasSize(before);
        dialogs.typed = "agent-backend";
        vm.create();
        assertThat(backend.list()).hasSize(before + 1);
    }

    @Test
    void onProductionTheServiceNameIsWhatIsTypedAsRolloutAsksForIt() {
        environment.set(ConsoleEnvironment.of(new Environment("prod", Environment.Kind.GCP, "acme-prod", "europe-west1", "agent-backend",
                null, null, null, true, false)));
        vm.selectedProperty().set(row("sbx-b"));
        dialogs.typed = "prod";
        vm.closeSelected();
        assertThat(backend.sandbox("sbx-b").destroyed).isFalse();
        vm.selectedProperty().set(row("sbx-b"));
        dialogs.typed = "agent-backend";
        vm.closeSelected();
        assertThat(backend.sandbox("sbx-b").destroyed).isTrue();
    }

    @Test
    void theCwdAndLastCommandOfASessionAreShownInert() {
        backend.add("sbx-c", NOW.minusSeconds(5)).execStateful("cd /tmp/\u001b[8mx && echo \u001b]0;owned\u0007", "sbx-c", Duration.ofSeconds(1));
        vm.refresh();
        assertThat(row("sbx-c").lastCommandProperty().get()).doesNotContain("\u001b").doesNotContain("\u0007");
    }

    @Test
    void thePoolsAreSummedUpWithTheSessionsRefreshAndHiddenWithoutOne() {
        assertThat(vm.poolSummaryProperty().get()).as("no backend keeps a pool").isEmpty();
        FakeSandboxBackend cloudRun = new FakeSandboxBackend("cloudrun");
        FakeSandboxBackend docker = new FakeSandboxBackend("docker");
        workspace.set(new FakeWorkspace(ConsoleEnvironment.local(), java.util.Map.of("docker", docker, "cloudrun", cloudRun), java.util.List.of()));
        // One idle Cloud Run worker for an hour at Tier 1 list price: 3600 s × (1 vCPU × $0.000018 + 2 GiB × $0.000002).
        PriceTable price = PriceTable.cloudRunJobsTier1();
        docker.setPool(new PoolStatus("docker", 2, 2, 0, 0, "the local engine: no charge", java.util.List.of(
                new PoolStatus.Member("sbx-pool-1", "idle", NOW), new PoolStatus.Member("sbx-pool-2", "idle", NOW))));
        cloudRun.setPool(new PoolStatus("cloudrun", 1, 1, 0, price.cost(3600), price.source(), java.util.List.of(
                new PoolStatus.Member("exec-1", "idle", NOW))));
        vm.refresh();
        assertThat(vm.poolSummaryProperty().get()).isIn("Pool: Docker 2/2 idle · Cloud Run 1/1 idle · $0.0792/h",
                "Pool: Cloud Run 1/1 idle · Docker 2/2 idle · $0.0792/h");
        assertThat(vm.poolDetailsProperty().get()).contains("Cloud Run: 1 asked, 1 idle, 0 starting; $0.0792/h at Cloud Run jobs list price, Tier 1")
                .contains("Docker: 2 asked, 2 idle, 0 starting; $0/h (the local engine: no charge)");

        cloudRun.setPool(new PoolStatus("cloudrun", 1, 0, 1, price.cost(3600), price.source(), java.util.List.of(
                new PoolStatus.Member("exec-2", "starting", NOW))));
        executor.tick();
        assertThat(vm.poolSummaryProperty().get()).contains("Cloud Run 0/1 idle (1 starting)");

        workspace.set(null);
        assertThat(vm.poolSummaryProperty().get()).as("another environment's pool is not shown").isEmpty();
    }
}
