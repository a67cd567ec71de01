package io.sandboxops.app.cli;

import io.sandboxops.app.env.EnvironmentChecks;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.preflight.EnvironmentSetup;
import io.sandboxops.core.preflight.PreflightCheck;
import io.sandboxops.core.preflight.PreflightGate;
import io.sandboxops.core.preflight.PreflightReport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "env", description = "Check an environment before a rollout (preflight), and create what deploy/ describes and it lacks.",
        footerHeading = "%nExamples:%n",
        footer = {"  sandboxctl env check --env staging", "  sandboxctl env apply --env staging --dry-run"},
        subcommands = {EnvCommand.Check.class, EnvCommand.Apply.class})
final class EnvCommand {
    @Mixin
    HelpOption help;

    /** A WRITE: its canary creates a session and runs the job, so production asks for the service name as for `session create`. */
    @Access(Access.Kind.WRITE)
    @Command(name = "check", description = {"Preflight: project, region, service, bucket and lifecycle, IAM (testIamPermissions on "
            + "bucket, service and job), executor image, log metrics, alert policies, and a live canary session (create, exec, "
            + "file write/read, background process, close), each timed. The result is recorded; `rollout set` and `enable` "
            + "need a passed one younger than " + PreflightGate.DEFAULT_MAX_AGE_TEXT + " (" + PreflightGate.MAX_AGE_VARIABLE + ").",
            "Exit status: 0 passed, 1 a check failed."},
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl env check", "  sandboxctl env check --env staging --json",
                    "  sandboxctl env check --env prod --confirm agent-backend"})
    static final class Check implements Callable<Integer> {
        @Mixin
        HelpOption help;
        @Mixin
        EnvironmentOption env;
        @Mixin
        Output output;
        @Mixin
        ConfirmOption confirm;

        @Override
        public Integer call() {
            Environment environment = env.environment();
            EnvironmentChecks.Outcome outcome = EnvironmentChecks.run(environment, EnvironmentOption.target(environment), c -> {
                output.err().println(c.describe());
                output.err().flush();
            });
            PreflightReport r = outcome.report();
            List<Map<String, Object>> checks = r.checks().stream().map((PreflightCheck c) -> Output.object("name", c.name(),
                    "outcome", c.outcome().name(), "found", c.found(), "fix", c.fix(), "elapsed_ms", c.elapsed().toMillis())).toList();
            String recorded = outcome.recordProblem().map(p -> "NOT recorded: " + p).orElse("recorded");
            output.print(Output.object("environment", r.environment(), "passed", r.passed(), "time", r.time().toString(),
                    "recorded", outcome.recordProblem().isEmpty(), "record_problem", outcome.recordProblem().orElse(null), "checks", checks),
                    r.summary() + " (" + recorded + ")");
            return r.passed() ? 0 : SandboxCtl.EXIT_FAILED;
        }
    }

    @Access(Access.Kind.WRITE)
    @Command(name = "apply", description = {"Create what deploy/ describes and the environment lacks: the state bucket with its lifecycle "
            + "rules, its IAM binding (deploy/iam/bucket-policy.json), the log-based metrics, the alert policies, the dashboard "
            + "(deploy/dashboard.json). What exists is left as it is, so a second run creates nothing.", "Exit status: 0 done, 1 something could not be created (the rest was)."},
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl env apply --env staging --dry-run", "  sandboxctl env apply --env staging",
                    "  sandboxctl env apply --env prod --confirm agent-backend"})
    static final class Apply implements Callable<Integer>, Access.Conditional {
        @Mixin
        HelpOption help;
        @Mixin
        EnvironmentOption env;
        @Mixin
        Output output;
        @Mixin
        ConfirmOption confirm;
        @Option(names = "--dry-run", description = "List what would be created and create nothing.")
        boolean dryRun;

        @Override
        public boolean writes() {
            return !dryRun;
        }

        @Override
        public Integer call() {
            Environment environment = env.environment();
            try (GoogleClients clients = new GoogleClients(EnvironmentOption.target(environment))) {
                EnvironmentSetup setup = new EnvironmentSetup(environment, clients);
                List<String> lines;
                boolean failed = false;
                if (dryRun) {
                    lines = setup.plan().stream().map(EnvironmentSetup.Action::describe).toList();
                } else {
                    List<EnvironmentSetup.Result> results = setup.apply(r -> {
                        if (!output.json) {
                            output.err().println((r.failure().isPresent() ? "" : "created ") + r.describe());
                            output.err().flush();
                        }
                    });
                    lines = results.stream().map(EnvironmentSetup.Result::describe).toList();
                    failed = results.stream().anyMatch(r -> r.failure().isPresent());
                }
                String head = lines.isEmpty() ? "nothing to create: " + environment.name() + " has everything deploy/ describes"
                        : dryRun ? "dry run (nothing created); would create:" : failed ? "some could not be created:" : "created:";
                StringBuilder text = new StringBuilder(head);
                lines.forEach(l -> text.append("\n  ").append(l));
                output.print(Output.object("environment", environment.name(), "dry_run", dryRun, dryRun ? "would_create" : "created", lines,
                        "failed", failed), text.toString());
                if (failed) {
                    return SandboxCtl.EXIT_FAILED;
                }
            }
            return 0;
        }
    }
}
