package io.sandboxops.app.console.main;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.EnvironmentsViewModel;
import io.sandboxops.app.console.environment.ServiceStatus;
import io.sandboxops.app.console.status.StatusLine;
import io.sandboxops.app.console.task.CurrentThreadTaskExecutor;
import io.sandboxops.app.console.testing.FakeWorkspace;
import io.sandboxops.core.api.SandboxUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainViewModelTest {
    private static final ConsoleEnvironment PROD = new ConsoleEnvironment("prod-eu", ConsoleEnvironment.Kind.GCP, true, false, "prod");

    private final CurrentThreadTaskExecutor executor = new CurrentThreadTaskExecutor();
    private final StatusLine status = new StatusLine();
    private final List<String> closed = new ArrayList<>();

    private FakeWorkspace workspace(ConsoleEnvironment env, ServiceStatus... statuses) {
        return new FakeWorkspace(env, Map.of(), List.of(statuses));
    }

    @Test
    void opensOnLocalAndSaysWhatIsUnavailableInWords() {
        EnvironmentsViewModel envs = new EnvironmentsViewModel(() -> List.of(PROD, ConsoleEnvironment.local()));
        MainViewModel vm = new MainViewModel(executor, status, envs, env -> workspace(env,
                new ServiceStatus("Docker", ServiceStatus.Health.UNAVAILABLE, "no Docker engine answers at unix:///var/run/docker.sock")));
        vm.start();
        assertThat(envs.selectedProperty().get().name()).isEqualTo("local");
        assertThat(vm.workspaceProperty().get().environment().name()).isEqualTo("local");
        assertThat(vm.services()).extracting(ServiceStatus::detail).containsExactly("no Docker engine answers at unix:///var/run/docker.sock");
        assertThat(status.message()).isEqualTo("No sandbox backend answers in local, so no sessions can be shown. "
                + "Docker unavailable: no Docker engine answers at unix:///var/run/docker.sock");
        assertThat(status.severity()).isEqualTo(StatusLine.Severity.WARNING);
        assertThat(envs.bannerProperty().get()).isEmpty();
    }

    @Test
    void switchingToProductionShowsTheBannerAndClosesTheOldWorkspace() {
        EnvironmentsViewModel envs = new EnvironmentsViewModel(() -> List.of(ConsoleEnvironment.local(), PROD));
        MainViewModel vm = new MainViewModel(executor, status, envs,
                env -> new FakeWorkspace(env, Map.of(), List.of()).onClose(() -> closed.add(env.name())));
        vm.start();
        envs.selectedProperty().set(PROD);
        assertThat(closed).containsExactly("local");
        assertThat(vm.workspaceProperty().get().environment()).isEqualTo(PROD);
        assertThat(envs.productionProperty().get()).isTrue();
        assertThat(envs.bannerProperty().get()).isEqualTo("PRODUCTION — prod-eu — changes affect real users");
        vm.shutdown();
        assertThat(closed).containsExactly("local", "prod-eu");
    }

    @Test
    void aFailureToOpenIsAStatusLineNotAnException() {
        EnvironmentsViewModel envs = new EnvironmentsViewModel(() -> List.of(ConsoleEnvironment.local()));
        MainViewModel vm = new MainViewModel(executor, status, envs, env -> {
            throw new SandboxUnavailableException("credentials expired; run gcloud auth application-default login");
        });
        vm.start();
        assertThat(vm.workspaceProperty().get()).isNull();
        assertThat(status.message()).isEqualTo("Could not open local: credentials expired; run gcloud auth application-default login");
        assertThat(vm.openingProperty().get()).isFalse();
    }
}
