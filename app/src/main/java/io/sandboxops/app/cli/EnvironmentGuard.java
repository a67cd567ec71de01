package io.sandboxops.app.cli;

import io.sandboxops.core.env.Environment;
import java.io.Console;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/**
 * The one place that decides whether a verb may run on its environment (DESIGN §8): before any verb runs, its
 * {@link Access} is read; a write to a production environment needs the service name typed (asked on a terminal, else
 * {@code --confirm NAME}) and a write to a read-only one is refused, both before anything is opened or changed. The
 * rule itself is {@link Environment#requireWritable}, the same the console and the rollout controller apply.
 */
final class EnvironmentGuard {
    private EnvironmentGuard() {
    }

    /**
     * Checks the verb {@code parsed} names.
     *
     * @throws CommandLine.ExecutionException wrapping the refusal, so it is reported as any failed verb is (exit 1)
     */
    static void check(ParseResult parsed) {
        ParseResult leaf = parsed;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        CommandSpec spec = leaf.commandSpec();
        Object verb = spec.userObject();
        if (!runs(verb)) {
            return;
        }
        Access.Kind kind = kindOf(spec);
        if (kind != Access.Kind.WRITE || verb instanceof Access.Conditional c && !c.writes()) {
            return;
        }
        EnvironmentOption env = mixin(spec, EnvironmentOption.class);
        ConfirmOption confirm = mixin(spec, ConfirmOption.class);
        try {
            authorize(env.environment(), Optional.ofNullable(confirm.confirm), spec.commandLine().getErr());
        } catch (RuntimeException e) {
            throw new CommandLine.ExecutionException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** Whether picocli would run this command object (a group of verbs, or the help verb, runs nothing to guard). */
    static boolean runs(Object verb) {
        return (verb instanceof Runnable || verb instanceof Callable<?>) && !(verb instanceof CommandLine.HelpCommand);
    }

    /**
     * @throws IllegalStateException when the verb does not say what it does, or a write lacks --env or --confirm: a
     *                               programming error, which {@code VerbAccessTest} finds before a user can
     */
    static Access.Kind kindOf(CommandSpec spec) {
        Access access = spec.userObject().getClass().getAnnotation(Access.class);
        if (access == null) {
            throw new IllegalStateException("verb \"" + spec.qualifiedName() + "\" does not say whether it writes (@Access)");
        }
        if (access.value() == Access.Kind.WRITE) {
            mixin(spec, EnvironmentOption.class);
            mixin(spec, ConfirmOption.class);
        }
        return access.value();
    }

    private static <T> T mixin(CommandSpec spec, Class<T> type) {
        return spec.mixins().values().stream().map(CommandSpec::userObject).filter(type::isInstance).map(type::cast).findFirst()
                .orElseThrow(() -> new IllegalStateException("write verb \"" + spec.qualifiedName() + "\" has no " + type.getSimpleName()));
    }

    /** Production: the service name, from --confirm or asked on the terminal; read-only: refused. */
    static void authorize(Environment environment, Optional<String> confirm, PrintWriter err) {
        Optional<String> typed = confirm;
        Console console = System.console();
        if (environment.production() && !environment.readOnly() && typed.isEmpty() && console != null) {
            err.println("Environment " + environment.name() + " is PRODUCTION. Service: " + environment.service());
            err.flush();
            typed = Optional.ofNullable(console.readLine("Type the service name to confirm: "));
        }
        environment.requireWritable(typed);
    }
}
