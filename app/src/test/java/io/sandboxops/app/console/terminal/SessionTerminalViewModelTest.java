package io.sandboxops.app.console.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.app.console.sessions.SessionHandle;
import io.sandboxops.app.console.testing.ViewModelFixture;
import org.junit.jupiter.api.Test;

/**
 * Opening a terminal is a write: what is typed in it runs in the sandbox. So it goes through the same guard as running a
 * command (issue 14). The fake sandbox has no terminals; whether one was asked for is what these tests look at.
 */
class SessionTerminalViewModelTest {
    private final ViewModelFixture f = new ViewModelFixture();

    private SessionTerminalViewModel viewModel() {
        return new SessionTerminalViewModel(f.executor, f.status, f.guard, new SessionHandle(f.sandbox, f.sandbox.id()));
    }

    @Test
    void inProductionNoTerminalOpensUntilTheServiceNameIsTyped() {
        f.production();
        SessionTerminalViewModel vm = viewModel();
        f.dialogs.typed = "not-the-service";
        vm.open();
        assertThat(f.sandbox.terminalsAsked).isEmpty();
        assertThat(f.dialogs.shown).singleElement().satisfies(p -> assertThat(p).startsWith("type: Open a terminal").contains("production"));
        assertThat(vm.stateProperty().get()).isEqualTo(SessionTerminalViewModel.State.CLOSED);

        f.dialogs.typed = ViewModelFixture.SERVICE;
        vm.open();
        assertThat(f.sandbox.terminalsAsked).containsExactly("sbx-1");
    }

    @Test
    void aReadOnlyEnvironmentOpensNoTerminal() {
        f.readOnly();
        SessionTerminalViewModel vm = viewModel();
        assertThat(vm.canOpenProperty().get()).isFalse();
        vm.open();
        assertThat(f.sandbox.terminalsAsked).isEmpty();
        assertThat(vm.messageProperty().get()).contains("Read-only");
    }

    @Test
    void aBackendWithoutTerminalsSaysSoAndCanBeAskedAgain() {
        SessionTerminalViewModel vm = viewModel();
        vm.open();
        assertThat(f.sandbox.terminalsAsked).containsExactly("sbx-1");
        assertThat(vm.stateProperty().get()).isEqualTo(SessionTerminalViewModel.State.CLOSED);
        assertThat(vm.messageProperty().get()).startsWith("Could not open a terminal: ").contains("no terminals");
        assertThat(vm.connectorProperty().get()).isNull();
        assertThat(vm.canOpenProperty().get()).isTrue();
    }
}
