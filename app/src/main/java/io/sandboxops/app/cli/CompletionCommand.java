package io.sandboxops.app.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sandboxctl completion bash|zsh}: the completion script picocli generates from the same command definitions
 * as the help, printed (as kubectl and gh do) so it can be sourced without the package; the {@code .deb} installs the
 * same script, written at build time by {@link ShellFiles}.
 */
@Access(Access.Kind.LOCAL)
@Command(name = "completion", description = "Print the shell completion script for bash or zsh.",
        footerHeading = "%nExamples:%n",
        footer = {"  source <(sandboxctl completion bash)                      # this bash only",
                "  sandboxctl completion bash > /etc/bash_completion.d/sandboxctl",
                "  sandboxctl completion zsh > \"${fpath[1]}/_sandboxctl\"       # then: compinit"})
final class CompletionCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "SHELL", description = "${COMPLETION-CANDIDATES}")
    Shell shell;

    enum Shell {
        bash, zsh;

        /** The script for this shell, completing every command, option and fixed value of {@code root}. */
        String script(CommandLine root) {
            String bash = AutoComplete.bash(root.getCommandName(), root);
            return this == Shell.bash ? bash : zsh(root.getCommandName(), bash);
        }

        /**
         * zsh runs the bash script through its bashcompinit (the script starts it when it sees zsh). As a file in zsh's
         * fpath it is autoloaded as the body of {@code _sandboxctl} on the first completion: it defines the functions and
         * then answers that completion; sourced, it only registers them.
         */
        private static String zsh(String name, String bash) {
            return "#compdef " + name + "\n"
                    + bash
                    + "\n# Autoloaded as _" + name + ": answer the completion that loaded this file.\n"
                    + "if [[ $funcstack[1] == _" + name + " ]]; then\n"
                    + "  _bash_complete -F _complete_" + name + " \"$@\"\n"
                    + "fi\n";
        }
    }

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        root.getOut().print(shell.script(root));
        root.getOut().flush();
        return 0;
    }
}
