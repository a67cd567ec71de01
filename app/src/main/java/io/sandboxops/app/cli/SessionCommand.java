package io.sandboxops.app.cli;

import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.SandboxSummary;
import io.sandboxops.core.api.SessionIds;
import io.sandboxops.core.api.SessionInfo;
import io.sandboxops.core.api.SweepResult;
import io.sandboxops.core.env.ControlCharacters;
import io.sandboxops.core.env.Secrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "session", description = "Create, list, inspect, close and clean up sessions.",
        footerHeading = "%nExamples:%n",
        footer = {"  ID=$(sandboxctl session create)", "  sandboxctl session info --session \"$ID\"", "  sandboxctl session close --session \"$ID\""},
        subcommands = {SessionCommand.Create.class, SessionCommand.ListSessions.class, SessionCommand.Info.class,
                SessionCommand.Close.class, SessionCommand.Cleanup.class})
final class SessionCommand {
    @Mixin
    HelpOption help;

    @Access(Access.Kind.WRITE)
    @Command(name = "create", description = "Create a session (a new sandbox with its first shell); prints its id.",
            footerHeading = "%nExamples:%n",
            footer = {"  ID=$(sandboxctl session create)", "  sandboxctl session create --memory 2048 --cpus 2 --network host --json",
                    "  sandboxctl session create --backend cloudrun --env local"})
    static final class Create implements Callable<Integer> {
        @Mixin
        HelpOption help;
        @Spec
        CommandSpec spec;
        @Mixin
        ConfirmOption confirm;
        @Option(names = "--backend", defaultValue = Backends.DOCKER, paramLabel = "NAME", description = "docker (default) or cloudrun.",
                converter = Backends.Names.class, completionCandidates = Backends.Names.class)
        String backend;
        @Mixin
        EnvironmentOption env;
        @Option(names = "--image", paramLabel = "IMG", description = "Image to run (default: $SANDBOX_IMAGE or sandboxops/sandbox:latest).")
        String image;
        @Option(names = "--id", paramLabel = "ID", description = "Session id to use instead of a generated one.")
        String id;
        @Option(names = "--memory", paramLabel = "MiB", defaultValue = "1024", description = "Memory limit in MiB, " + SandboxSpec.MIN_MEMORY_MIB + " to " + SandboxSpec.MAX_MEMORY_MIB + " (default: ${DEFAULT-VALUE}).")
        long memoryMib;
        @Option(names = "--cpus", defaultValue = "1", paramLabel = "N",
                description = "CPU limit, " + SandboxSpec.MIN_CPUS + " to " + SandboxSpec.MAX_CPUS + " (default: ${DEFAULT-VALUE}).")
        double cpus;
        @Option(names = "--network", defaultValue = "none", paramLabel = "MODE", description = "none (default) or host.",
                completionCandidates = NetworkModes.class)
        String network;
        @Mixin
        Output output;

        @Override
        public Integer call() {
            // Limits and the id are checked before any engine is asked: a value out of range is a usage error.
            SandboxSpec sandboxSpec = Usage.check(spec, () -> {
                SandboxSpec.Builder b = SandboxSpec.newBuilder().image(image).memoryMebibytes(memoryMib).cpus(cpus).network(network);
                if (id != null) {
                    b.sessionId(SessionIds.requireValid(id));
                }
                return b.build();
            });
            try (SandboxBackend b = Backends.open(backend, env); Sandbox sandbox = b.create(sandboxSpec)) {
                output.print(Output.object("session_id", sandbox.id(), "backend", sandbox.backend()), sandbox.id());
            }
            return 0;
        }
    }

    @Access(Access.Kind.READ)
    @Command(name = "list", description = "List sessions.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl session list", "  sandboxctl session list --backend cloudrun --env local --json"})
    static final class ListSessions implements Callable<Integer> {
        @Mixin
        HelpOption help;
        @Option(names = "--backend", defaultValue = Backends.DOCKER, paramLabel = "NAME", description = "docker (default) or cloudrun.",
                converter = Backends.Names.class, completionCandidates = Backends.Names.class)
        String backend;
        @Mixin
        EnvironmentOption env;
        @Mixin
        Output output;

        @Override
        public Integer call() {
            try (SandboxBackend b = Backends.open(backend, env)) {
                List<SandboxSummary> all = b.list();
                List<Map<String, Object>> json = new ArrayList<>();
                StringBuilder text = new StringBuilder(String.format("%-24s %-8s %-10s %-22s %s%n", "SESSION", "BACKEND", "STATE", "CREATED", "IMAGE"));
                for (SandboxSummary s : all) {
                    json.add(Output.object("session_id", s.id(), "backend", s.backend(), "state", s.state(), "image", s.image(),
                            "created_at", s.createdAt().toString()));
                    text.append(String.format("%-24s %-8s %-10s %-22s %s%n", ControlCharacters.escape(s.id()), s.backend(),
                            ControlCharacters.escape(s.state()), s.createdAt(), ControlCharacters.escape(s.image())));
                }
                output.print(json, all.isEmpty() ? "no sessions" : text.toString());
            }
            return 0;
        }
    }

    @Access(Access.Kind.READ)
    @Command(name = "info", description = "Show a session: cwd, environment (secrets masked), background processes.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl session info --session \"$ID\"", "  sandboxctl session info --session \"$ID\" --json --reveal"})
    static final class Info extends SessionScoped implements Callable<Integer> {
        @Option(names = "--reveal", description = "Show secret-looking environment values unmasked.")
        boolean reveal;

        @Override
        public Integer call() {
            SessionInfo info = withSandbox(s -> s.sessionInfo(session));
            Map<String, String> env = reveal ? info.env() : Secrets.mask(info.env());
            Map<String, Object> json = Output.object("session_id", info.sessionId(), "backend", info.backend(), "cwd", info.cwd(),
                    "env", env, "created_at", info.createdAt().toString(), "last_active_at", info.lastActiveAt().toString(),
                    "last_command", info.lastCommand().map(c -> reveal ? c : Secrets.maskCommand(c)).orElse(null), "background_processes", info.backgroundProcesses());
            // The sandbox controls the cwd, the env and the command: shown inert, so they cannot drive the terminal.
            String text = "session:      " + info.sessionId() + "\nbackend:      " + info.backend()
                    + "\ncwd:          " + ControlCharacters.escape(info.cwd())
                    + "\ncreated:      " + info.createdAt() + "\nlast active:  " + info.lastActiveAt()
                    + "\nlast command: " + info.lastCommand().map(c -> ControlCharacters.escape(reveal ? c : Secrets.maskCommand(c))).orElse("-")
                    + "\nbackground:   " + info.backgroundProcesses() + " running\nenv:\n"
                    + env.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> "  " + ControlCharacters.escape(e.getKey()) + "=" + ControlCharacters.escape(e.getValue()))
                    .collect(Collectors.joining("\n"));
            output.print(json, text);
            return 0;
        }
    }

    @Access(Access.Kind.WRITE)
    @Command(name = "close", description = "Close a session: its processes end and its sandbox is removed.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl session close --session \"$ID\"", "  sandboxctl session close --session \"$ID\" --backend cloudrun --env local"})
    static final class Close extends SessionScoped implements Callable<Integer> {
        @Mixin
        ConfirmOption confirm;

        @Override
        public Integer call() {
            withSandbox(s -> {
                s.destroy();
                return null;
            });
            output.print(Output.object("session_id", session, "closed", true), "closed " + session);
            return 0;
        }
    }

    @Access(Access.Kind.WRITE)
    @Command(name = "cleanup", description = "Remove sessions: all but those kept, or only those older than an age.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl session cleanup --older-than PT2H", "  sandboxctl session cleanup --keep \"$ID\""})
    static final class Cleanup implements Callable<Integer> {
        @Mixin
        HelpOption help;
        @Spec
        CommandSpec spec;
        @Mixin
        ConfirmOption confirm;
        @Option(names = "--backend", defaultValue = Backends.DOCKER, paramLabel = "NAME", description = "docker (default) or cloudrun.",
                converter = Backends.Names.class, completionCandidates = Backends.Names.class)
        String backend;
        @Mixin
        EnvironmentOption env;
        @Option(names = "--keep", paramLabel = "ID", description = "A session to keep (repeatable).")
        List<String> keep = new ArrayList<>();
        @Option(names = "--older-than", paramLabel = "DURATION", defaultValue = "PT0S",
                description = "Only sessions created longer ago than this ISO-8601 duration, e.g. PT2H (default: all).")
        Duration olderThan;
        @Mixin
        Output output;

        @Override
        public Integer call() {
            if (olderThan.isNegative()) {
                throw Usage.error(spec, "--older-than must not be negative, not " + olderThan);
            }
            try (SandboxBackend b = Backends.open(backend, env)) {
                SweepResult r = b.sweepOrphans(olderThan, new HashSet<>(keep));
                output.print(Output.object("removed", r.removed(), "failed", r.failed()),
                        "removed " + r.removed().size() + (r.removed().isEmpty() ? "" : ": " + String.join(" ", r.removed()))
                                + (r.failed().isEmpty() ? "" : "\nfailed: " + String.join("; ", r.failed())));
                return r.failed().isEmpty() ? 0 : SandboxCtl.EXIT_FAILED;
            }
        }
    }

    /** The --network values, for completion. */
    static final class NetworkModes implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.of("none", "host").iterator();
        }
    }
}
