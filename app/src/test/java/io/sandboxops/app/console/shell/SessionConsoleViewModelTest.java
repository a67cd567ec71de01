package io.sandboxops.app.console.shell;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.app.console.testing.FakeSandbox;
import io.sandboxops.app.console.testing.ViewModelFixture;
import io.sandboxops.core.api.ExecResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SessionConsoleViewModelTest {
    private final ViewModelFixture f = new ViewModelFixture();
    private SessionConsoleViewModel vm;

    @BeforeEach
    void setUp() {
        vm = new SessionConsoleViewModel(f.executor, f.status, f.guard, f.session);
        f.openSession();
    }

    private void type(String command) {
        vm.commandProperty().set(command);
        vm.run();
    }

    @Test
    void aCommandShowsItsOutputAndTheNewCwdBecomesThePrompt() {
        type("cd /tmp && echo hi");
        assertThat(vm.output()).contains(new ConsoleLine(ConsoleLine.Kind.STDOUT, "hi"));
        assertThat(vm.cwdProperty().get()).isEqualTo("/tmp");
        assertThat(vm.exitCodeProperty().get()).isZero();
        assertThat(vm.commandProperty().get()).isEmpty();
        type("echo again");
        assertThat(vm.output()).contains(new ConsoleLine(ConsoleLine.Kind.COMMAND, "/tmp $ echo again"));
    }

    @Test
    void stderrIsToldApartAndAFailureIsMarked() {
        f.sandbox.onCommand(c -> FakeSandbox.result(2, "partial\n", "ls: cannot access 'x': No such file\n"));
        type("ls x");
        assertThat(vm.output()).contains(new ConsoleLine(ConsoleLine.Kind.STDOUT, "partial"),
                new ConsoleLine(ConsoleLine.Kind.STDERR, "ls: cannot access 'x': No such file"));
        assertThat(vm.output().get(vm.output().size() - 1)).isEqualTo(new ConsoleLine(ConsoleLine.Kind.FAILURE, "exit 2 · 12 ms"));
        assertThat(vm.exitCodeProperty().get()).isEqualTo(2);
        assertThat(vm.lastDurationProperty().get()).isEqualTo("12 ms");
    }

    @Test
    void theTimeoutFieldIsPassedAndATimeoutIsSaid() {
        f.sandbox.onCommand(c -> new ExecResult(130, "", "", "", "", OptionalLong.empty(), true, Duration.ofSeconds(3), 0, 0));
        vm.timeoutSecondsProperty().set(3);
        type("sleep 100");
        assertThat(vm.output()).anyMatch(l -> l.kind() == ConsoleLine.Kind.FAILURE && l.text().startsWith("timed out after 3 s"));
    }

    @Test
    void historyGoesUpAndDownAndKeepsTheLineBeingTyped() {
        type("echo one");
        type("echo two");
        vm.commandProperty().set("ec");
        vm.historyUp();
        assertThat(vm.commandProperty().get()).isEqualTo("echo two");
        vm.historyUp();
        vm.historyUp();
        assertThat(vm.commandProperty().get()).isEqualTo("echo one");
        vm.historyDown();
        vm.historyDown();
        assertThat(vm.commandProperty().get()).isEqualTo("ec");
    }

    @Test
    void secretsInTheEnvAndInTheEchoedCommandAreMaskedUntilRevealed() {
        type("export GITHUB_TOKEN=abc123");
        assertThat(vm.output()).anyMatch(l -> l.kind() == ConsoleLine.Kind.COMMAND && l.text().endsWith("GITHUB_TOKEN=••••••"));
        f.sandbox.setEnv("sbx-1", Map.of("GITHUB_TOKEN", "abc123", "LANG", "C.UTF-8"));
        vm.refreshInfo();
        EnvVariable token = vm.env().stream().filter(v -> v.name().equals("GITHUB_TOKEN")).findFirst().orElseThrow();
        EnvVariable lang = vm.env().stream().filter(v -> v.name().equals("LANG")).findFirst().orElseThrow();
        assertThat(token.shown(vm.revealSecretsProperty().get())).isEqualTo("••••••");
        assertThat(lang.shown(false)).isEqualTo("C.UTF-8");
        vm.revealSecretsProperty().set(true);
        assertThat(token.shown(vm.revealSecretsProperty().get())).isEqualTo("abc123");
    }

    @Test
    void aBackgroundCommandSaysItsPid() {
        type("sleep 100 &");
        assertThat(vm.output()).anyMatch(l -> l.text().startsWith("started in the background as pid 100"));
    }

    @Test
    void aReadOnlyEnvironmentRunsNothing() {
        f.readOnly();
        vm.commandProperty().set("rm -rf /workspace");
        assertThat(vm.canRunProperty().get()).isFalse();
        vm.run();
        assertThat(f.sandbox.commands).isEmpty();
    }

    @Test
    void switchingSessionsStartsAFreshConsole() {
        type("echo hi");
        f.session.set(null);
        assertThat(vm.output()).isEmpty();
        assertThat(vm.cwdProperty().get()).isEmpty();
    }

    @Test
    void withLiveOutputTheLinesShowAsTheyArriveAndTheUnfinishedLineIsReplaced() {
        vm.liveOutputProperty().set(true);
        f.sandbox.scriptInteractive(0, "building\npart", "building\npartial done\nwarning: slow\n", "building\npartial done\nwarning: slow\nok\n");
        type("make");
        assertThat(vm.runningProperty().get()).isTrue();
        assertThat(vm.output()).endsWith(new ConsoleLine(ConsoleLine.Kind.COMMAND, "$ make"),
                new ConsoleLine(ConsoleLine.Kind.LIVE, "building"), new ConsoleLine(ConsoleLine.Kind.LIVE, "part"));

        f.executor.tick();
        assertThat(vm.output()).endsWith(new ConsoleLine(ConsoleLine.Kind.LIVE, "building"),
                new ConsoleLine(ConsoleLine.Kind.LIVE, "partial done"), new ConsoleLine(ConsoleLine.Kind.LIVE, "warning: slow"));
        assertThat(vm.exitCodeProperty().get()).isNull();

        f.executor.tick();
        assertThat(vm.runningProperty().get()).isFalse();
        assertThat(vm.exitCodeProperty().get()).isZero();
        assertThat(vm.output()).filteredOn(l -> l.kind() == ConsoleLine.Kind.LIVE).extracting(ConsoleLine::text)
                .containsExactly("building", "partial done", "warning: slow", "ok");
        assertThat(vm.output().get(vm.output().size() - 1).text()).startsWith("exit 0 · ").endsWith(" · live: stdout and stderr interleaved");
        assertThat(f.executor.liveTimers()).as("the poll ends with the command").isZero();
        assertThat(f.sandbox.interactiveCalls).containsExactly("exec: make", "view", "view");
    }

    @Test
    void stoppingALiveCommandKillsItAndSaysSo() {
        vm.liveOutputProperty().set(true);
        f.sandbox.scriptInteractive(0, "waiting\n", "waiting\nstill\n");
        type("sleep 100");
        vm.stop();
        f.executor.tick();
        assertThat(f.sandbox.interactiveCalls).contains("kill");
        assertThat(vm.runningProperty().get()).isFalse();
        assertThat(vm.exitCodeProperty().get()).isEqualTo(130);
        assertThat(vm.output()).extracting(ConsoleLine::text).contains("stopped; the session keeps its cwd and exports");
    }

    @Test
    void aBackendWithoutAnInteractiveShellAndABackgroundCommandRunToTheEndWithStreamsApart() {
        vm.liveOutputProperty().set(true);
        type("cd /tmp && echo hi");
        assertThat(vm.output()).anySatisfy(l -> assertThat(l.text()).startsWith("this backend has no interactive shell"))
                .contains(new ConsoleLine(ConsoleLine.Kind.STDOUT, "hi"));
        assertThat(vm.cwdProperty().get()).isEqualTo("/tmp");

        f.sandbox.scriptInteractive(0, "never used\n");
        type("sleep 100 &");
        assertThat(f.sandbox.interactiveCalls).as("only execStateful lists a background process").isEmpty();
        assertThat(SessionConsoleViewModel.startsInTheBackground("make && make install")).isFalse();
    }

    /** Issue 12, attack 5: on production a command ran without the service name typed, as rollout asks for it. */
    @Test
    void onProductionACommandRunsOnlyAfterTheServiceNameIsTyped() {
        f.production();
        f.dialogs.typed = "prod";
        type("rm -rf /workspace");
        assertThat(f.sandbox.commands).isEmpty();
        assertThat(f.dialogs.shown).anyMatch(s -> s.startsWith("type: "));
        f.dialogs.typed = ViewModelFixture.SERVICE;
        type("echo confirmed");
        assertThat(f.sandbox.commands).containsExactly("echo confirmed");
    }

    @Test
    void onProductionALiveCommandAlsoWaitsForTheServiceName() {
        f.production();
        vm.liveOutputProperty().set(true);
        f.sandbox.scriptInteractive(0, "ok\n");
        type("make");
        assertThat(f.sandbox.interactiveCalls).isEmpty();
    }

    /** Issue 12, attack 5: escape sequences from the sandbox's env, cwd and output reached the screen raw. */
    @Test
    void escapeSequencesFromTheSandboxAreShownInert() {
        f.sandbox.onCommand(c -> new ExecResult(0, "\u001b[31mred\u001b]0;owned\u0007\n", "", "/tmp/\u001b[8mhidden", "",
                OptionalLong.empty(), false, Duration.ofMillis(3), 0, 0));
        type("cd /tmp/\u001b[8mhidden && printf x");
        assertThat(vm.output()).noneMatch(l -> l.text().contains("\u001b") || l.text().contains("\u0007"));
        // Issue 14: a colour (SGR) is painted, not shown; every other sequence, here a title (OSC), stays visible and inert.
        assertThat(vm.output()).anyMatch(l -> l.text().equals("red\\e]0;owned\\a")
                && l.colours().equals(List.of(new ConsoleLine.Colour(0, 15, 1, false))));
        assertThat(vm.output()).anyMatch(l -> l.kind() == ConsoleLine.Kind.COMMAND && l.text().equals("$ cd /tmp/\\e[8mhidden && printf x"));
        assertThat(vm.cwdProperty().get()).isEqualTo("/tmp/\\e[8mhidden");
        f.sandbox.setEnv("sbx-1", Map.of("EVIL", "\u001b[2Jwiped", "\u001b[1mNAME", "v"));
        vm.refreshInfo();
        assertThat(vm.env()).allMatch(v -> !v.name().contains("\u001b") && !v.shown(true).contains("\u001b"));
    }
}
