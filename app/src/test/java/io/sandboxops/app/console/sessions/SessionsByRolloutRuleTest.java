package io.sandboxops.app.console.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.ServiceStatus;
import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.app.console.environment.WriteGuard;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.CurrentThreadTaskExecutor;
import io.sandboxops.app.console.testing.EmulatedControlPlane;
import io.sandboxops.app.console.testing.FakeSandboxBackend;
import io.sandboxops.app.console.testing.FakeWorkspace;
import io.sandboxops.app.console.testing.RecordingDialogService;
import io.sandboxops.core.rollout.Bucketing;
import io.sandboxops.core.rollout.RolloutChange;
import io.sandboxops.core.rollout.RolloutProgress;
import io.sandboxops.core.rollout.SandboxFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import javafx.beans.property.SimpleObjectProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Create "by rollout rule": the real controller over the emulator says the flag and percentage, the core's rule picks. */
class SessionsByRolloutRuleTest {
    @TempDir
    Path home;

    private final CurrentThreadTaskExecutor executor = new CurrentThreadTaskExecutor();
    private final RecordingDialogService dialogs = new RecordingDialogService();
    private final StatusLine status = new StatusLine();
    private final FakeSandboxBackend docker = new FakeSandboxBackend(SandboxFactory.DOCKER);
    private final SimpleObjectProperty<ConsoleEnvironment> environment = new SimpleObjectProperty<>(ConsoleEnvironment.local());
    private final SimpleObjectProperty<Workspace> workspace = new SimpleObjectProperty<>();
    private EmulatedControlPlane cloud;
    private SessionsViewModel vm;

    @BeforeEach
    void open() {
        cloud = new EmulatedControlPlane(home.resolve("audit.jsonl"));
        vm = new SessionsViewModel(executor, status, new WriteGuard(environment, dialogs), workspace);
        workspace.set(new FakeWorkspace(ConsoleEnvironment.local(), Map.of(SandboxFactory.DOCKER, docker),
                List.of(new ServiceStatus("Docker", ServiceStatus.Health.UP, "fake engine"))).withControlPlane(cloud.plane));
    }

    @AfterEach
    void close() {
        vm.dispose();
        cloud.close();
    }

    private void rollout(boolean flag, int percentage) {
        cloud.plane.rollout().apply(new RolloutChange("set", Optional.of(flag), OptionalInt.of(percentage)), "test", "alice", RolloutProgress.NONE);
    }

    @Test
    void theRuleIsOfferedOnlyWhereTheRolloutCanBeReadAndTheKeyDefaultsToTheOsUser() {
        assertThat(vm.backendNames()).containsExactly(SandboxFactory.DOCKER, SessionsViewModel.BY_ROLLOUT_RULE);
        assertThat(vm.stickyKeyProperty().get()).isEqualTo(System.getProperty("user.name"));
        workspace.set(FakeWorkspace.of(new FakeSandboxBackend()));
        assertThat(vm.backendNames()).containsExactly(FakeSandboxBackend.NAME);
    }

    @Test
    void withTheRolloutOffTheRulePicksDockerSaysWhyAndCreatesThere() {
        vm.createBackendProperty().set(SessionsViewModel.BY_ROLLOUT_RULE);
        vm.stickyKeyProperty().set("user-42");
        assertThat(vm.canCreateProperty().get()).isTrue();
        vm.create();

        assertThat(vm.ruleChoiceProperty().get()).isEqualTo("By the rollout rule, \"user-42\" gets docker (USE_CLOUDRUN_JOBS_SANDBOX=false)"
                + " — manus-backend runs with USE_CLOUDRUN_JOBS_SANDBOX=false, 0 %.");
        assertThat(vm.ruleChoiceUnavailableProperty().get()).isFalse();
        assertThat(vm.allRows()).singleElement().satisfies(r -> assertThat(r.backend()).isEqualTo(SandboxFactory.DOCKER));
        assertThat(vm.selectedProperty().get()).isNotNull();
        assertThat(status.message()).startsWith("Created session ").endsWith(" on docker.");
    }

    @Test
    void theKeysBucketDecidesAtFiftyPercent() {
        rollout(true, 50);
        String key = "user-7";
        int bucket = Bucketing.bucket(Bucketing.FLAG_KEY, key);
        boolean cloudRun = bucket < 50;
        vm.createBackendProperty().set(SessionsViewModel.BY_ROLLOUT_RULE);
        vm.stickyKeyProperty().set(key);
        vm.create();
        assertThat(vm.ruleChoiceProperty().get()).startsWith("By the rollout rule, \"user-7\" gets " + (cloudRun ? "cloudrun" : "docker")
                + " (bucket " + bucket + (cloudRun ? " < " : " >= ") + "50 %) — manus-backend runs with USE_CLOUDRUN_JOBS_SANDBOX=true, 50 %");
        assertThat(vm.allRows()).hasSize(cloudRun ? 0 : 1);
    }

    @Test
    void aPickThisEnvironmentDoesNotHaveIsSaidAndNothingIsCreated() {
        rollout(true, 100);
        vm.createBackendProperty().set(SessionsViewModel.BY_ROLLOUT_RULE);
        vm.stickyKeyProperty().set("user-42");
        vm.create();
        assertThat(vm.ruleChoiceUnavailableProperty().get()).isTrue();
        assertThat(vm.ruleChoiceProperty().get()).contains("gets cloudrun (bucket ")
                .endsWith("But this environment has no cloudrun backend (it has docker): no session was created. Pick a backend yourself, or another key.");
        assertThat(status.severity()).isEqualTo(StatusLine.Severity.ERROR);
        assertThat(vm.allRows()).isEmpty();
        assertThat(vm.busyProperty().get()).isFalse();
    }

    @Test
    void aBlankKeyCannotCreate() {
        vm.createBackendProperty().set(SessionsViewModel.BY_ROLLOUT_RULE);
        vm.stickyKeyProperty().set("  ");
        assertThat(vm.canCreateProperty().get()).isFalse();
    }
}
