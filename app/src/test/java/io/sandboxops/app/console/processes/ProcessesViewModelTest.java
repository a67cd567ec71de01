package io.sandboxops.app.console.processes;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.app.console.testing.ViewModelFixture;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProcessesViewModelTest {
    private static final Duration T = Duration.ofSeconds(5);
    private final ViewModelFixture f = new ViewModelFixture();
    private ProcessesViewModel vm;

    @BeforeEach
    void setUp() {
        vm = new ProcessesViewModel(f.executor, f.status, f.guard, f.session);
        vm.start();
        f.sandbox.execStateful("sleep 100 &", "sbx-1", T);
        f.sandbox.execStateful("python -m http.server &", "sbx-1", T);
        f.sandbox.execStateful("API_KEY=s3cr3t node worker.js &", "other", T);
        f.openSession();
    }

    private ProcessRow row(long pid) {
        return vm.rows().stream().filter(r -> r.pid() == pid).findFirst().orElseThrow();
    }

    @Test
    void listsEveryProcessWithSecretsMasked() {
        assertThat(vm.rows()).extracting(ProcessRow::pid).containsExactlyInAnyOrder(100L, 101L, 102L);
        assertThat(row(102).command()).isEqualTo("API_KEY=•••••• node worker.js");
        vm.onlyThisSessionProperty().set(true);
        assertThat(vm.rows()).extracting(ProcessRow::pid).containsExactlyInAnyOrder(100L, 101L);
    }

    @Test
    void killOneAfterConfirmingAndTheTableFollows() {
        vm.selectedProperty().set(row(100));
        vm.killSelected();
        assertThat(f.dialogs.shown).anyMatch(s -> s.startsWith("confirm: Kill process 100"));
        assertThat(row(100).running()).isFalse();
        assertThat(row(101).running()).isTrue();
        assertThat(f.status.message()).isEqualTo("Killed 1: 100.");
    }

    @Test
    void killByPatternAndAll() {
        vm.patternProperty().set("sleep|http");
        vm.killMatching();
        assertThat(vm.rows()).filteredOn(ProcessRow::running).extracting(ProcessRow::pid).containsExactly(102L);
        vm.killAll();
        assertThat(vm.rows()).noneMatch(ProcessRow::running);
    }

    @Test
    void aBadPatternIsSaidNotThrown() {
        vm.patternProperty().set("(unclosed");
        vm.killMatching();
        assertThat(f.status.message()).startsWith("invalid pattern");
        assertThat(vm.rows()).allMatch(ProcessRow::running);
    }

    @Test
    void theSelectedProcessLogIsTailedOnEachTick() {
        vm.selectedProperty().set(row(101));
        assertThat(vm.logTailProperty().get()).isEqualTo("started python -m http.server\n");
        f.sandbox.appendLog(101, "GET / 200\n");
        f.executor.tick();
        assertThat(vm.logTailProperty().get()).endsWith("GET / 200\n");
        assertThat(vm.selectedProperty().get().pid()).isEqualTo(101);
    }

    @Test
    void aReadOnlyEnvironmentKillsNothing() {
        f.readOnly();
        vm.selectedProperty().set(row(100));
        assertThat(vm.canKillSelectedProperty().get()).isFalse();
        vm.killAll();
        assertThat(vm.rows()).allMatch(ProcessRow::running);
    }

    /** Issue 12, attack 5: on production a kill went ahead without the service name typed. */
    @Test
    void onProductionAKillNeedsTheServiceNameTyped() {
        f.production();
        vm.selectedProperty().set(row(100));
        f.dialogs.typed = "prod";
        vm.killSelected();
        vm.killAll();
        assertThat(vm.rows()).allMatch(ProcessRow::running);
        f.dialogs.typed = ViewModelFixture.SERVICE;
        vm.selectedProperty().set(row(100));
        vm.killSelected();
        assertThat(row(100).running()).isFalse();
    }

    @Test
    void aCommandWithEscapeSequencesIsListedInert() {
        f.sandbox.execStateful("sleep 5 # \u001b[2J\u001b]0;owned\u0007 &", "sbx-1", T);
        f.executor.tick();
        assertThat(vm.rows()).noneMatch(r -> r.command().contains("\u001b") || r.command().contains("\u0007"));
        assertThat(vm.rows()).anyMatch(r -> r.command().contains("\\e[2J"));
    }
}
