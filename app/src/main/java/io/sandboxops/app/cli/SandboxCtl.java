package io.sandboxops.app.cli;

import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.env.ControlCharacters;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sandboxctl}: the terminal face of Sandbox Ops, thin over sandbox-core. Every verb takes
 * {@code --json}. Exit status: 0 on success, 1 when the operation failed (one line on stderr says why),
 * 2 for a usage error. Before a verb runs, {@link EnvironmentGuard} applies its environment's production and
 * read-only rules.
 */
@Command(name = "sandboxctl",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Operate AI-agent sandboxes on Docker and Cloud Run Jobs.",
        footerHeading = "%nExit status: 0 success, 1 failed (one line on stderr says why), 2 usage error.%n%nExamples:%n",
        footer = {"  ID=$(sandboxctl session create)", "  sandboxctl exec --session \"$ID\" -- 'cd /tmp && export GREETING=hi'",
                "  sandboxctl rollout set --help"},
        subcommands = {SessionCommand.class, ExecCommand.class, AttachCommand.class, BackgroundCommand.class, FileCommand.class, BenchCommand.class,
                PoolCommand.class, RolloutCommand.class, EnvCommand.class, MetricsCommand.class, LogsCommand.class, EmulatorCommand.class, CompletionCommand.class,
                CommandLine.HelpCommand.class})
public final class SandboxCtl {
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; the exit status is returned, never {@code System.exit}ed, so tests can call it. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = commandLine();
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(e -> EXIT_FAILED);
        cli.setExecutionStrategy(parsed -> {
            Integer help = CommandLine.executeHelpRequest(parsed);
            if (help != null) {
                return help;
            }
            EnvironmentGuard.check(parsed);
            return new CommandLine.RunLast().execute(parsed);
        });
        cli.setParameterExceptionHandler((ex, a) -> {
            err.println("sandboxctl: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            err.println("sandboxctl: " + message(ex));
            if (!(ex instanceof SandboxException) && !(ex instanceof CliException)) {
                // Unexpected: keep the trace reachable without flooding the terminal.
                if (Boolean.getBoolean("sandboxctl.debug")) {
                    ex.printStackTrace(err);
                } else {
                    err.println("(run with -Dsandboxctl.debug=true for the stack trace)");
                }
            }
            return EXIT_FAILED;
        });
        return cli.execute(args);
    }

    /** The whole command tree: what runs, and what the help, the completion script and the man page describe. */
    static CommandLine commandLine() {
        return new CommandLine(new SandboxCtl());
    }

    /** One inert line: a message may quote what a sandbox controls (a path, a command). */
    static String message(Throwable ex) {
        String m = ex.getMessage();
        return m == null || m.isBlank() ? ex.getClass().getSimpleName() : ControlCharacters.escape(m.strip().replace('\n', ' '));
    }
}
