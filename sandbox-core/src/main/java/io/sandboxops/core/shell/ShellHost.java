package io.sandboxops.core.shell;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A machine shells run on: a container, or this host's own processes (inside the Cloud Run executor).
 * Commands are always given as an argument vector; nothing here builds a shell command line from data.
 */
public interface ShellHost {

    /**
     * Starts a new {@code bash} with its stdin, stdout and stderr attached and {@code env} added to its
     * environment, delivering its output to {@code output}.
     */
    ShellTransport openShell(Map<String, String> env, ShellOutput output);

    /**
     * Runs one command to its end and collects what it printed.
     *
     * @param argv     the program and its arguments (its stdin is empty)
     * @param timeout  how long to wait
     * @param maxOutputBytes the most bytes of stdout to keep; more is an error
     */
    ProcessOutcome run(List<String> argv, Duration timeout, long maxOutputBytes);

    /** Runs one of the engine's fixed bash scripts with {@code args} as its positional parameters. */
    default ProcessOutcome runScript(ShellScript script, List<String> args, Duration timeout) {
        return run(script.argv(args), timeout, 64L * 1024 * 1024);
    }
}
