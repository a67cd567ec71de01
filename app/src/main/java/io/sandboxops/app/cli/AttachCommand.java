package io.sandboxops.app.cli;

import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.Terminal;
import io.sandboxops.core.api.TerminalSize;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sandboxctl attach}: a terminal in a session's sandbox ({@link Sandbox#openTerminal}) in the user's own
 * terminal, as {@code docker exec -it} or {@code ssh} give one. The user's terminal is in raw mode while attached and is
 * put back as it was on every way out: the shell exiting, Ctrl-], a failure, or the process being told to end.
 */
@Access(Access.Kind.WRITE)
@Command(name = "attach", description = {
        "A terminal in a session's sandbox, in this one (as docker exec -it); Ctrl-] detaches.",
        "Bash on a pseudo-terminal of this window's size (TERM=xterm-256color), in the session's cwd with its exported"
                + " variables; it follows this window's resizes.",
        "Keys go to the sandbox as typed: Ctrl-C interrupts the program running there, Tab completes there. Ctrl-] detaches:"
                + " that terminal is closed (its programs get SIGHUP) and the session goes on.",
        "What the terminal displays is written to stdout unchanged, colours and escape sequences included: this is a terminal"
                + " the sandbox draws on, like docker exec -it or ssh, not a listing (listings show such bytes inert).",
        "Exit status: the shell's own (`exit 3` exits 3); " + AttachCommand.EXIT_DETACHED + " after Ctrl-] (the shell was hung up, as a"
                + " shell reports SIGHUP); 1 when it failed; 2 for a usage error, and when stdin is not a terminal without --pipe."},
        footerHeading = "%nExamples:%n",
        footer = {"  sandboxctl attach --session \"$ID\"", "  sandboxctl attach --session \"$ID\" --backend cloudrun --env local",
                "  sandboxctl attach --sandbox \"$ID\" --session agent-2",
                "  printf 'make test\\nexit $?\\n' | sandboxctl attach --session \"$ID\" --pipe"})
final class AttachCommand implements Callable<Integer> {
    /** The exit status after Ctrl-]: 128 + SIGHUP, what a shell reports for a command ended by a hang-up. */
    static final int EXIT_DETACHED = 129;

    @Mixin
    HelpOption help;
    @Spec
    CommandSpec spec;
    @Option(names = "--session", required = true, paramLabel = "ID", description = "The session (from `session create`).")
    String session;
    @Option(names = "--sandbox", paramLabel = "ID", description = {"The sandbox holding the session, when it is not the one"
            + " `session create` made for it: another shell session of a sandbox, such as an agent's second one (default: the"
            + " sandbox whose id is the session's)."})
    String sandbox;
    @Option(names = "--backend", defaultValue = Backends.DOCKER, paramLabel = "NAME", converter = Backends.Names.class,
            completionCandidates = Backends.Names.class, description = "Backend of the session: docker or cloudrun (default: ${DEFAULT-VALUE}).")
    String backend;
    @Mixin
    EnvironmentOption env;
    @Mixin
    ConfirmOption confirm;
    @Option(names = "--pipe", description = {"Read what to type from stdin even when it is not a terminal (a pipe, a file): its bytes"
            + " are typed as they are, Ctrl-] included, into an 80x24 terminal; at its end Ctrl-D is typed, so the shell ends"
            + " as at end of input."})
    boolean pipe;

    @Override
    public Integer call() {
        Optional<LocalTerminal> local = pipe ? Optional.empty() : LocalTerminal.open();
        if (!pipe && local.isEmpty()) {
            throw Usage.error(spec, "attach needs a terminal: standard input is not one (a pipe, a file?). To type piped input into"
                    + " the session's terminal, add --pipe");
        }
        PrintWriter err = spec.commandLine().getErr();
        TerminalAttachment.Outcome outcome;
        try (SandboxBackend b = Backends.open(backend, env); Sandbox box = Backends.sandbox(b, sandbox == null ? session : sandbox)) {
            TerminalSize size = local.map(LocalTerminal::size).orElse(TerminalSize.DEFAULT);
            try (Terminal remote = box.openTerminal(session, size)) {
                outcome = attach(local, remote, err);
            }
        } finally {
            local.ifPresent(LocalTerminal::close);
        }
        if (outcome.detached()) {
            err.println("sandboxctl: detached from session " + session + "; its terminal was closed, the session goes on (exit "
                    + EXIT_DETACHED + ")");
            err.flush();
            return EXIT_DETACHED;
        }
        return outcome.status();
    }

    private TerminalAttachment.Outcome attach(Optional<LocalTerminal> local, Terminal remote, PrintWriter err) {
        if (local.isEmpty()) {
            return new TerminalAttachment(remote, false).run(System.in, System.out);
        }
        LocalTerminal terminal = local.get();
        // Told to end (SIGTERM, SIGINT from kill, SIGHUP), the JVM runs its shutdown hooks only: the terminal is put back
        // there too, and the sandbox's terminal closed rather than left running with nobody attached.
        Thread onShutdown = new Thread(() -> {
            terminal.close();
            remote.close();
        }, "sandboxctl-attach-restore");
        Runtime.getRuntime().addShutdownHook(onShutdown);
        try {
            terminal.onResize(size -> {
                try {
                    remote.resize(size);
                } catch (SandboxException e) {
                    // The terminal ended between the signal and the resize: the output side reports how it ended.
                }
            });
            terminal.enterRawMode();
            // Said once raw: a key typed after this line reaches the sandbox, never the local line editing. CR LF, as
            // output is not translated in raw mode.
            err.print("Attached to session " + session + " (" + backend + "). Ctrl-] detaches.\r\n");
            err.flush();
            // Bytes, not characters: System.out is the process's stdout, unencoded, and the terminal's bytes pass unchanged.
            return new TerminalAttachment(remote, true).run(System.in, System.out);
        } finally {
            terminal.close();
            try {
                Runtime.getRuntime().removeShutdownHook(onShutdown);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running or about to: it closes what is already closed, which is harmless.
            }
        }
    }
}
