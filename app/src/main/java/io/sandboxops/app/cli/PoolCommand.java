package io.sandboxops.app.cli;

import io.sandboxops.app.env.PoolText;
import io.sandboxops.app.env.SandboxBackends;
import io.sandboxops.core.api.PoolStatus;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.PoolSize;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "pool", description = "The warm pools: sandboxes made ahead of time so a new session claims one instead of waiting for a start.",
        footerHeading = "%nExamples:%n",
        footer = {"  sandboxctl pool status", "  SANDBOX_POOL_DOCKER=2 sandboxctl pool status --backend docker"},
        subcommands = {PoolCommand.Status.class})
final class PoolCommand {
    @Mixin
    HelpOption help;

    /**
     * A status read creates nothing: no backend's pool is started by it, so this verb never starts a container or a
     * billed Cloud Run worker; it shows the size the environment asks for, where that size comes from, and the members
     * the backend sees.
     */
    @Access(Access.Kind.READ)
    @Command(name = "status", description = {"Per backend: the pool size asked for and where it comes from ("
            + PoolText.PRECEDENCE + "), idle and starting members, and what they cost per hour at list price.",
            "Creates nothing: a status read starts no container and no billed worker. A pool is filled by a client that "
                    + "keeps it (the console, an agent backend) or by a session created with a pool size set; Cloud Run's is "
                    + "shared by every client of the environment's state bucket, and shown here as they left it."},
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl pool status", "  sandboxctl pool status --env staging --backend cloudrun",
                    "  SANDBOX_POOL_DOCKER=2 sandboxctl pool status --backend docker --json"})
    static final class Status implements Callable<Integer> {
        @Mixin
        HelpOption help;
        @Spec
        CommandSpec spec;
        @Mixin
        EnvironmentOption env;
        @Option(names = "--backend", defaultValue = ALL, paramLabel = "NAME", converter = Choice.class, completionCandidates = Choice.class,
                description = "docker, cloudrun or all (default: ${DEFAULT-VALUE}).")
        String backend;
        @Mixin
        Output output;

        @Override
        public Integer call() {
            // A pool setting that is malformed (file or variable) is refused before anything is opened, as a usage error.
            Environment environment = Usage.check(spec, env::environment);
            List<String> names = ALL.equals(backend) ? List.of(Backends.DOCKER, Backends.CLOUDRUN) : List.of(backend);
            Map<String, PoolSize> sizes = new LinkedHashMap<>();
            for (String name : names) {
                sizes.put(name, Usage.check(spec, () -> SandboxBackends.poolSize(name, environment)));
            }
            List<Map<String, Object>> pools = new ArrayList<>();
            List<String> text = new ArrayList<>();
            text.add("environment " + environment.name() + "; size: " + PoolText.PRECEDENCE);
            List<String> failures = new ArrayList<>();
            for (PoolSize size : sizes.values()) {
                try (SandboxBackend opened = open(size, environment)) {
                    PoolStatus status = opened.poolStatus();
                    text.addAll(PoolText.describe(size, status));
                    pools.add(json(size, status));
                } catch (RuntimeException e) {
                    String why = SandboxCtl.message(e);
                    failures.add(size.backend() + ": " + why);
                    text.add(size.backend() + ": target " + size.size() + " (" + size.source() + "); status unavailable: " + why);
                    pools.add(Output.object("backend", size.backend(), "target", size.size(), "target_origin", size.origin().wire(),
                            "target_source", size.source(), "error", why));
                }
            }
            output.print(Output.object("environment", environment.name(), "precedence", PoolText.PRECEDENCE, "pools", pools),
                    String.join("\n", text));
            if (!failures.isEmpty()) {
                throw new CliException("the pool status of " + String.join("; ", failures));
            }
            return 0;
        }

        /**
         * The backend, opened so that reading its status fills nothing. Cloud Run at the configured size: its pool starts
         * only with a session created (or a client that keeps it), so the read sees the pool every client of the bucket
         * shares and starts no worker. Docker with no pool of its own.
         */
        private static SandboxBackend open(PoolSize size, Environment environment) {
            if (Backends.DOCKER.equals(size.backend())) {
                return SandboxBackends.docker(java.util.Optional.empty(), 0);
            }
            return SandboxBackends.cloudRun(environment, EnvironmentOption.target(environment), size.size());
        }

        private static Map<String, Object> json(PoolSize size, PoolStatus s) {
            return Output.object("backend", size.backend(), "target", size.size(), "target_origin", size.origin().wire(),
                    "target_source", size.source(), "idle", s.idle(), "starting", s.starting(), "usd_per_hour", s.usdPerHour(),
                    "price_source", s.priceSource(),
                    "members", s.members().stream().map(m -> Output.object("id", m.id(), "state", m.state(),
                            "since", m.since().toString())).toList());
        }
    }

    static final String ALL = "all";

    /** {@code --backend}: a backend's name, or all of them. */
    static final class Choice implements Iterable<String>, Usage.Converter<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of(Backends.DOCKER, Backends.CLOUDRUN, ALL).iterator();
        }

        @Override
        public String parse(String text) {
            if (ALL.equals(text) || Backends.DOCKER.equals(text) || Backends.CLOUDRUN.equals(text)) {
                return text;
            }
            throw new IllegalArgumentException("unknown backend \"" + text + "\"; use " + Backends.DOCKER + ", " + Backends.CLOUDRUN + " or " + ALL);
        }
    }
}
