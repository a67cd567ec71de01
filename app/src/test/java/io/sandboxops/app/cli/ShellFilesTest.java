package io.sandboxops.app.cli;

import static io.sandboxops.app.cli.CliRun.ctl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What the .deb installs beside sandboxctl, as {@link ShellFiles} writes it at build time: completion scripts that a
 * real bash (and zsh, where there is one) load and complete with, and a man page that groff renders without a warning
 * and that has a section for every command.
 */
class ShellFilesTest {
    @TempDir
    Path dir;

    private static String gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static ProcessResult run(Path cwd, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(false).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new ProcessResult(p.exitValue(), out, err);
    }

    record ProcessResult(int status, String out, String err) {
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv("PATH").split(java.io.File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    @Test
    void theManPageHasASectionForEveryCommandAndRendersWithoutAWarning() throws Exception {
        ShellFiles.write(dir);
        String roff = gunzip(dir.resolve(ShellFiles.MAN));
        List<CommandLine> commands = ManPage.commands(SandboxCtl.commandLine());
        assertThat(commands).hasSizeGreaterThanOrEqualTo(40);
        for (CommandLine c : commands) {
            assertThat(roff).contains(".SS \"" + ManPage.escape(c.getCommandSpec().qualifiedName()) + "\"\n");
        }
        assertThat(roff).startsWith(".TH SANDBOXCTL 1 ").contains(".SH EXIT STATUS").contains("\\fB\\-\\-process\\-command\\fR \\fICMD\\fR");
        assertThat(roff.lines().filter(l -> !l.isEmpty() && (l.charAt(0) == '\'' || l.charAt(0) == '.')
                && !l.matches("^\\.(TH|SH|SS|PP|TP|nf|fi|RS|RE|B|I|RI|BR|br)( .*)?$"))).as("only the man macros start a line").isEmpty();

        assumeTrue(onPath("groff"), "groff is not installed: the page is not rendered");
        Files.writeString(dir.resolve("sandboxctl.1"), roff);
        ProcessResult rendered = run(dir, "groff", "-man", "-ww", "-Tutf8", "sandboxctl.1");
        assertThat(rendered.status()).isZero();
        assertThat(rendered.err()).as("groff warnings").isEmpty();
        assertThat(rendered.out()).contains("sandboxctl rollout set").contains("Examples:");
    }

    @Test
    void bashLoadsTheCompletionAndCompletesVerbsAndOptionValues() throws Exception {
        ShellFiles.write(dir);
        ProcessResult r = run(dir, "bash", "--norc", "-c", String.join("\n",
                "source ./" + ShellFiles.BASH + " && complete -p sandboxctl",
                "COMP_WORDS=(sandboxctl rollout s); COMP_CWORD=2; COMP_LINE='sandboxctl rollout s'; COMP_POINT=${#COMP_LINE}",
                "_complete_sandboxctl; echo \"verbs: ${COMPREPLY[*]}\"",
                "COMP_WORDS=(sandboxctl logs --query ''); COMP_CWORD=3; COMP_LINE='sandboxctl logs --query '; COMP_POINT=${#COMP_LINE}",
                "_complete_sandboxctl; echo \"queries: ${COMPREPLY[*]}\""));
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("complete -o default -F _complete_sandboxctl sandboxctl")
                .contains("verbs: status set\n").contains("queries: executions client-events failed-executions slow-executions state-store-errors\n");
    }

    @Test
    void zshPicksUpTheCompletionFromItsFpath() throws Exception {
        ShellFiles.write(dir);
        assertThat(Files.readString(dir.resolve(ShellFiles.ZSH))).startsWith("#compdef sandboxctl\n");
        assumeTrue(onPath("zsh"), "zsh is not installed");
        ProcessResult r = run(dir, "zsh", "-f", "-c", "fpath=(" + dir + " $fpath); autoload -U compinit; compinit -u -D; "
                + "print -r -- $_comps[sandboxctl]; source ./" + ShellFiles.ZSH + "; print -r -- $_comps[sandboxctl]");
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("_sandboxctl\n_bash_complete -F _complete_sandboxctl -o default\n");
    }

    @Test
    void theCompletionVerbPrintsTheScriptThePackageInstalls() throws Exception {
        ShellFiles.write(dir);
        assertThat(ctl("completion", "bash").out()).isEqualTo(Files.readString(dir.resolve(ShellFiles.BASH)));
        assertThat(ctl("completion", "zsh").out()).isEqualTo(Files.readString(dir.resolve(ShellFiles.ZSH)));
    }
}
