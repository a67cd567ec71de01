package io.sandboxops.app.cli;

import io.sandboxops.core.api.BackgroundProcess;
import io.sandboxops.core.api.KillResult;
import io.sandboxops.core.api.KillTarget;
import io.sandboxops.core.env.Secrets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bg", description = "Background processes of a session (commands ending in &).",
        footerHeading = "%nExamples:%n",
        footer = {"  sandboxctl exec --session \"$ID\" -- 'python3 -m http.server 8000 &'", "  sandboxctl bg list --session \"$ID\"",
                "  sandboxctl bg kill --session \"$ID\" --pattern http.server"},
        subcommands = {BackgroundCommand.ListProcesses.class, BackgroundCommand.Kill.class, BackgroundCommand.Logs.class})
final class BackgroundCommand {
    @Mixin
    HelpOption help;

    @Access(Access.Kind.READ)
    @Command(name = "list", description = "List background processes and whether they run.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl bg list --session \"$ID\"",
                    "  sandboxctl bg list --session \"$ID\" --json"})
    static final class ListProcesses extends SessionScoped implements Callable<Integer> {
        @Override
        public Integer call() {
            List<BackgroundProcess> all = withSandbox(s -> s.listBackgroundProcesses(Optional.empty()));
            List<Map<String, Object>> json = all.stream().map(p -> Output.object("pid", p.pid(), "command", Secrets.maskCommand(p.command()), "running", p.running(),
                    "started_at", p.startedAt().toString(), "log_file", p.logFile())).toList();
            StringBuilder text = new StringBuilder(String.format("%-8s %-8s %-21s %s%n", "PID", "RUNNING", "STARTED", "COMMAND"));
            all.forEach(p -> text.append(String.format("%-8d %-8s %-21s %s%n", p.pid(), p.running() ? "yes" : "no", p.startedAt(),
                    Secrets.showCommand(p.command()))));
            output.print(json, all.isEmpty() ? "no background processes" : text.toString());
            return 0;
        }
    }

    @Access(Access.Kind.WRITE)
    @Command(name = "kill", description = "Kill background processes: one pid, those matching a regex, or all.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl bg kill --session \"$ID\" --pid 4242",
                    "  sandboxctl bg kill --session \"$ID\" --pattern 'sleep [0-9]+'",
                    "  sandboxctl bg kill --session \"$ID\" --all"})
    static final class Kill extends SessionScoped implements Callable<Integer> {
        @Mixin
        ConfirmOption confirm;
        static final class Target {
            @Option(names = "--pid", paramLabel = "N", description = "One process.")
            Long pid;
            @Option(names = "--pattern", paramLabel = "REGEX", description = "Processes whose command matches (Java regex, find).")
            String pattern;
            @Option(names = "--all", description = "Every background process of the session.")
            boolean all;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        @Override
        public Integer call() {
            KillTarget t = target.pid != null ? KillTarget.pid(target.pid)
                    : target.pattern != null ? KillTarget.matching(target.pattern) : KillTarget.all();
            KillResult r = withSandbox(s -> s.killBackgroundProcess(t));
            output.print(Output.object("killed_count", r.killedCount(), "killed_pids", r.killedPids()),
                    "killed " + r.killedCount() + (r.killedPids().isEmpty() ? "" : ": " + r.killedPids()));
            return 0;
        }
    }

    @Access(Access.Kind.READ)
    @Command(name = "logs", description = "Print what a background process wrote (stdout and stderr).",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl bg logs --session \"$ID\" --pid 4242",
                    "  sandboxctl bg logs --session \"$ID\" --pid 4242 --bytes 4096"})
    static final class Logs extends SessionScoped implements Callable<Integer> {
        @Option(names = "--pid", required = true, paramLabel = "N", description = "The process (from `bg list`).")
        long pid;
        @Option(names = "--bytes", paramLabel = "N", defaultValue = "1048576", description = "At most the last N bytes (default: ${DEFAULT-VALUE}).")
        int bytes;

        /** The process's own output, as {@code exec} prints a command's: raw, so it can be piped or saved byte for byte. */
        @Override
        public Integer call() {
            if (bytes < 1) {
                throw Usage.error(spec, "--bytes must be 1 or more, not " + bytes);
            }
            String logs = withSandbox(s -> s.backgroundLogs(pid, bytes));
            output.print(Output.object("pid", pid, "logs", logs), logs);
            return 0;
        }
    }
}
