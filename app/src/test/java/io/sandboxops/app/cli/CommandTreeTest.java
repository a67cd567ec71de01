package io.sandboxops.app.cli;

import static io.sandboxops.app.cli.CliRun.ctl;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A run builds only the part of the command tree its arguments need, and answers as the whole tree would. */
class CommandTreeTest {

    @Test
    void aVerbRunBuildsThatVerbOnly() {
        assertThat(SandboxCtl.commandLine(new String[] {"exec", "--session", "s", "--", "true"}).getSubcommands().keySet())
                .containsExactly("exec");
    }

    @Test
    void helpAMistypedVerbAndTheCompletionScriptGetTheWholeTree() {
        var all = SandboxCtl.commandLine().getSubcommands().keySet();
        assertThat(all).contains("session", "exec", "rollout", "completion", "help");
        for (String[] args : new String[][] {{}, {"--help"}, {"help", "exec"}, {"exek"}, {"completion", "bash"}}) {
            assertThat(SandboxCtl.commandLine(args).getSubcommands().keySet()).as(String.join(" ", args)).isEqualTo(all);
        }
    }

    @Test
    void versionIsAnsweredAsPicocliWouldAnswerIt() {
        String expected = String.join(System.lineSeparator(), new Version().getVersion()) + System.lineSeparator();
        for (String flag : new String[] {"--version", "-V"}) {
            CliRun r = ctl(flag);
            assertThat(r.status()).isZero();
            assertThat(r.out()).isEqualTo(expected);
            assertThat(r.err()).isEmpty();
        }
    }

    @Test
    void aMistypedVerbStillGetsItsSuggestion() {
        CliRun r = ctl("exek");
        assertThat(r.status()).isEqualTo(SandboxCtl.EXIT_USAGE);
        assertThat(r.err()).contains("exec");
    }

    @Test
    void aVerbsHelpStillListsItsOwnSubcommands() {
        CliRun r = ctl("rollout", "--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("status").contains("set");
    }
}
