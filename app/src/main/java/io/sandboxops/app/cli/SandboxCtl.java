package io.sandboxops.app.cli;

import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.env.ControlCharacters;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
                "  sandboxctl rollout set --help"})
public final class SandboxCtl {
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    /**
     * The verbs, in the order the help lists them. Added in code, not in {@code @Command(subcommands)}, so that a run
     * builds only the verb it names: picocli reads every option of every command it is given by reflection, about a
     * third of a second of each run for the whole tree. A holder class, so that {@code --version} loads none of them.
     */
    private static final class Verbs {
        static final List<Class<?>> ALL = List.of(SessionCommand.class, ExecCommand.class, AttachCommand.class, BackgroundCommand.class,
                FileCommand.class, BenchCommand.class, PoolCommand.class, RolloutCommand.class, EnvCommand.class, MetricsCommand.class,
                LogsCommand.class, EmulatorCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class);
        /** Verbs that describe the whole tree (help and the completion script), so a run of them needs all of it. */
        static final Set<Class<?>> WHOLE_TREE = Set.of(CompletionCommand.class, CommandLine.HelpCommand.class);
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; the exit status is returned, never {@code System.exit}ed, so tests can call it. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // Answered before any command is built: scripts and agents ask it to see that sandboxctl is there, and
            // building even the root command costs picocli's reflection (a tenth of a second).
            for (String line : new Version().getVersion()) {
                out.println(line);
            }
            return 0;
        }
        CommandLine cli = commandLine(args);
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
        CommandLine cli = new CommandLine(new SandboxCtl());
        Verbs.ALL.forEach(cli::addSubcommand);
        return cli;
    }

    /**
     * What a run of {@code args} needs: the root and the one verb it names; the whole tree for anything else (help, a
     * mistyped verb, whose suggestions come from every verb's name).
     */
    static CommandLine commandLine(String[] args) {
        Optional<Class<?>> verb = args.length == 0 ? Optional.empty()
                : Verbs.ALL.stream().filter(v -> !Verbs.WHOLE_TREE.contains(v) && names(v).contains(args[0])).findFirst();
        if (verb.isEmpty()) {
            return commandLine();
        }
        CommandLine cli = new CommandLine(new SandboxCtl());
        cli.addSubcommand(verb.get());
        return cli;
    }

    private static List<String> names(Class<?> verb) {
        Command command = verb.getAnnotation(Command.class);
        List<String> names = new ArrayList<>(List.of(command.aliases()));
        names.add(command.name());
        return names;
    }

    /** One inert line: a message may quote what a sandbox controls (a path, a command). */
    static String message(Throwable ex) {
        String m = ex.getMessage();
        return m == null || m.isBlank() ? ex.getClass().getSimpleName() : ControlCharacters.escape(m.strip().replace('\n', ' '));
    }
}
