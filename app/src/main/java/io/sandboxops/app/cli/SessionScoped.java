package io.sandboxops.app.cli;

import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A verb that works on one existing session: {@code --session ID}, {@code --backend}, {@code --json}. */
abstract class SessionScoped {
    @Spec
    CommandSpec spec;

    @Option(names = "--session", required = true, paramLabel = "ID", description = "The session (from `session create`).")
    String session;

    @Option(names = "--backend", defaultValue = Backends.DOCKER, paramLabel = "NAME", converter = Backends.Names.class,
            completionCandidates = Backends.Names.class, description = "Backend of the session: docker or cloudrun (default: ${DEFAULT-VALUE}).")
    String backend;

    @Mixin
    HelpOption help;

    @Mixin
    EnvironmentOption env;

    @Mixin
    Output output;

    /** Opens the session's sandbox, applies {@code work}, and releases the client (the sandbox keeps running). */
    <T> T withSandbox(Function<Sandbox, T> work) {
        try (SandboxBackend b = Backends.open(backend, env); Sandbox sandbox = Backends.sandbox(b, session)) {
            return work.apply(sandbox);
        }
    }
}
