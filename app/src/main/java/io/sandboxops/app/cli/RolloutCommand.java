package io.sandboxops.app.cli;

import io.sandboxops.core.env.Environment;
import io.sandboxops.core.rollout.AuditEntry;
import io.sandboxops.core.rollout.BackendChoice;
import io.sandboxops.core.rollout.ChangeReview;
import io.sandboxops.core.rollout.ChangeResult;
import io.sandboxops.core.rollout.ControlPlane;
import io.sandboxops.core.rollout.EnvValues;
import io.sandboxops.core.rollout.PlanProgress;
import io.sandboxops.core.rollout.PlanReview;
import io.sandboxops.core.rollout.RollbackReport;
import io.sandboxops.core.rollout.RolloutChange;
import io.sandboxops.core.rollout.RolloutController;
import io.sandboxops.core.rollout.RolloutHistory;
import io.sandboxops.core.rollout.RolloutPlan;
import io.sandboxops.core.rollout.RolloutPlanner;
import io.sandboxops.core.rollout.RolloutProgress;
import io.sandboxops.core.rollout.RolloutStatus;
import io.sandboxops.core.rollout.TrafficShare;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rollout", description = "The Cloud Run Jobs rollout: flag, percentage, plan, rollback, history.",
        footerHeading = "%nExamples:%n",
        footer = {"  sandboxctl rollout status", "  sandboxctl rollout set 10 --dry-run",
                "  sandboxctl rollout rollback --reason \"p99 over 15 s\""},
        subcommands = {RolloutCommand.Status.class, RolloutCommand.Set.class, RolloutCommand.Enable.class, RolloutCommand.Disable.class,
                RolloutCommand.Rollback.class, RolloutCommand.Plan.class, RolloutCommand.History.class, RolloutCommand.Choose.class})
final class RolloutCommand {
    @Mixin
    HelpOption help;

    /** What every verb has: the environment and --json. */
    abstract static class Base {
        @Mixin
        HelpOption help;
        @Mixin
        EnvironmentOption env;
        @Mixin
        Output output;

        RolloutProgress progress() {
            return output.json ? RolloutProgress.NONE : (elapsed, step) -> {
                output.err().printf("[%5.1f s] %s%n", elapsed.toMillis() / 1000.0, step);
                output.err().flush();
            };
        }
    }

    /**
     * A verb that writes: --reason is recorded; production needs the service name typed (or --confirm NAME), which
     * {@link EnvironmentGuard} checks before the verb runs, as for every write verb.
     */
    abstract static class Write extends Base {
        @Option(names = "--reason", paramLabel = "TEXT", description = "Why, recorded in the audit log.")
        String reason;
        @Mixin
        ConfirmOption confirm;

        String reasonOrDefault() {
            return reason == null || reason.isBlank() ? "(no reason given)" : reason;
        }
    }

    @Access(Access.Kind.READ)
    @Command(name = "status", description = "Flag, percentage, serving revision and traffic split, last change.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl rollout status", "  sandboxctl rollout status --env prod --json"})
    static final class Status extends Base implements Callable<Integer> {
        @Override
        public Integer call() {
            try (ControlPlane cp = env.open(RolloutController.Options.defaults())) {
                RolloutStatus s = cp.rollout().status();
                output.print(statusJson(s), String.join("\n", s.describe()));
            }
            return 0;
        }
    }

    @Access(Access.Kind.READ)
    @Command(name = "choose", description = "Which backend a new session of KEY gets now by the rollout rule, as the agent backend decides it.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl rollout choose tenant-42", "  sandboxctl rollout choose user-7 --env prod --json"})
    static final class Choose extends Base implements Callable<Integer> {
        @Parameters(paramLabel = "KEY", description = "The sticky key: a user or tenant id (else a session id).")
        String key;

        @Override
        public Integer call() {
            try (ControlPlane cp = env.open(RolloutController.Options.defaults())) {
                BackendChoice c = BackendChoice.forService(cp.rollout().status(), cp.environment().projectId(), key);
                output.print(Output.object("key", c.stickyKey(), "backend", c.backend(), "bucket", c.bucket(),
                                "flag", c.settings().cloudRunEnabled(), "percentage", c.settings().percentage(), "reason", c.reason()),
                        "\"" + c.stickyKey() + "\" gets " + c.reason());
            }
            return 0;
        }
    }

    @Access(Access.Kind.WRITE)
    @Command(name = "set", description = {"Set CLOUDRUN_JOBS_ROLLOUT_PERCENTAGE (0-100); --dry-run shows the diff and writes nothing.",
                    "Refused without a passed `env check` younger than 24 h, unless --skip-preflight --reason TEXT."},
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl rollout set 10 --dry-run", "  sandboxctl rollout set 10 --reason \"step 1 of the plan\"",
                    "  sandboxctl rollout set 25 --env prod --confirm agent-backend",
                    "  sandboxctl rollout set 1 --skip-preflight --reason \"drill\""})
    static final class Set extends Write implements Callable<Integer>, Access.Conditional {
        @Parameters(index = "0", paramLabel = "PERCENT", converter = Percent.class, description = "A whole number from 0 to 100.")
        int percent;
        @Option(names = "--dry-run", description = "Show the env-var diff, validated by Cloud Run, and write nothing.")
        boolean dryRun;
        @Mixin
        PreflightOption preflight;

        @Override
        public boolean writes() {
            return !dryRun;
        }

        @Override
        public Integer call() {
            if (!dryRun) {
                preflight.require(env, reason);
            }
            return change(this, RolloutChange.percentage(percent), dryRun);
        }
    }

    @Access(Access.Kind.WRITE)
    @Command(name = "enable", description = {"Set USE_CLOUDRUN_JOBS_SANDBOX=true.",
                    "Refused without a passed `env check` younger than 24 h, unless --skip-preflight --reason TEXT."},
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl rollout enable --dry-run", "  sandboxctl rollout enable --reason \"start the rollout\""})
    static final class Enable extends Write implements Callable<Integer>, Access.Conditional {
        @Option(names = "--dry-run", description = "Show the diff and write nothing.")
        boolean dryRun;
        @Mixin
        PreflightOption preflight;

        @Override
        public boolean writes() {
            return !dryRun;
        }

        @Override
        public Integer call() {
            if (!dryRun) {
                preflight.require(env, reason);
            }
            return change(this, RolloutChange.enable(), dryRun);
        }
    }

    @Access(Access.Kind.WRITE)
    @Command(name = "disable", description = "Set USE_CLOUDRUN_JOBS_SANDBOX=false.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl rollout disable --dry-run", "  sandboxctl rollout disable --reason \"pause\""})
    static final class Disable extends Write implements Callable<Integer>, Access.Conditional {
        @Option(names = "--dry-run", description = "Show the diff and write nothing.")
        boolean dryRun;

        @Override
        public boolean writes() {
            return !dryRun;
        }

        @Override
        public Integer call() {
            return change(this, RolloutChange.disable(), dryRun);
        }
    }

    @Access(Access.Kind.WRITE)
    @Command(name = "rollback", description = {"Flag off and 0 %% in one update, wait for the revision, verify it serves 100 %%.",
            "Exit status: 0 verified, 2 the new revision does not serve (traffic pinned and --no-route), 1 failed."},
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl rollout rollback --reason \"p99 over 15 s\"",
                    "  sandboxctl rollout rollback --no-route --env prod --confirm agent-backend"})
    static final class Rollback extends Write implements Callable<Integer> {
        @Option(names = "--no-route", description = "If traffic is pinned to an older revision, stop and say so instead of routing it.")
        boolean noRoute;

        @Override
        public Integer call() {
            Environment environment = env.environment();
            RolloutController.Options options = RolloutController.Options.defaults();
            if (noRoute) {
                options = options.withPinnedTraffic(RolloutController.PinnedTraffic.STOP_AND_REPORT);
            }
            try (ControlPlane cp = new ControlPlane(environment, EnvironmentOption.target(environment),
                    io.sandboxops.core.rollout.RolloutAuditLog.inUserHome(), options)) {
                RollbackReport r = cp.rollout().rollback(reasonOrDefault(), EnvironmentOption.actor(), progress());
                Map<String, Object> json = Output.object("outcome", r.outcome().name(), "revision", r.revision(),
                        "elapsed_ms", r.elapsed().toMillis(), "steps", r.steps(), "problem", r.problem().orElse(null),
                        "after", r.after().map(RolloutCommand::statusJson).orElse(null));
                output.print(json, String.join("\n", r.describe()));
                return switch (r.outcome()) {
                    case VERIFIED -> 0;
                    case NOT_SERVING -> 2;
                    case FAILED -> 1;
                };
            }
        }
    }

    @Access(Access.Kind.WRITE)
    @Command(name = "plan", description = {"Where the rollout stands in the plan (1, 10, 25, 50, 75, 100 %%), with its gate.",
                    "--advance is a set: refused without a passed `env check` younger than 24 h, unless --skip-preflight --reason TEXT."},
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl rollout plan", "  sandboxctl rollout plan --advance --reason \"gate passed\""})
    static final class Plan extends Write implements Callable<Integer>, Access.Conditional {
        @Option(names = "--advance", description = "Go to the next step when the review says so.")
        boolean advance;
        @Mixin
        PreflightOption preflight;

        @Override
        public boolean writes() {
            return advance;
        }

        @Override
        public Integer call() {
            try (ControlPlane cp = env.open(RolloutController.Options.defaults())) {
                if (advance) {
                    preflight.require(cp, reason);
                }
                RolloutPlanner planner = cp.planner(RolloutPlan.originalPlan());
                PlanReview review = advance ? planner.advance(reasonOrDefault(), EnvironmentOption.actor(), progress()).review()
                        : planner.review(EnvironmentOption.actor(), progress());
                List<String> lines = new ArrayList<>(review.describe());
                lines.add(1, "steps:  " + String.join(" · ", steps(cp, review).steps().stream()
                        .map(st -> st.step().percentage() + " % " + st.state().name().toLowerCase()).toList()));
                output.print(Output.object("review", lines), String.join("\n", lines));
            }
            return 0;
        }
    }

    /** The plan's steps as this rollout's recorded changes went through them: a step jumped over is skipped, not done. */
    static PlanProgress steps(ControlPlane cp, PlanReview review) {
        EnvValues serving = review.status().effective().orElse(review.status().template());
        int at = serving.routesToCloudRun() ? serving.percentageValue().orElse(0) : 0;
        return PlanProgress.of(RolloutPlan.originalPlan(), at, cp.rollout().history(HISTORY_FOR_STEPS).entries());
    }

    /** How many changes back the plan's steps are looked for: far more than a rollout's dozen steps and rollbacks. */
    static final int HISTORY_FOR_STEPS = 500;

    @Access(Access.Kind.READ)
    @Command(name = "history", description = "Rollout changes: the local audit log and the service's Cloud Audit Log entries.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl rollout history", "  sandboxctl rollout history --limit 10 --json"})
    static final class History extends Base implements Callable<Integer> {
        @Option(names = "--limit", defaultValue = "50", paramLabel = "N", description = "Most recent entries (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() {
            if (limit < 1) {
                throw Usage.error(output.spec, "--limit must be 1 or more, not " + limit);
            }
            try (ControlPlane cp = env.open(RolloutController.Options.defaults())) {
                RolloutHistory h = cp.rollout().history(limit);
                List<String> lines = h.entries().stream().map(AuditEntry::describe).toList();
                StringBuilder text = new StringBuilder(lines.isEmpty() ? "no rollout changes recorded" : String.join("\n", lines));
                h.cloudAuditProblem().ifPresent(p -> text.append("\n(Cloud Audit Logs not read: ").append(p).append(')'));
                output.print(Output.object("entries", lines, "cloud_audit_problem", h.cloudAuditProblem().orElse(null)), text.toString());
            }
            return 0;
        }
    }

    static int change(Write verb, RolloutChange change, boolean dryRun) {
        try (ControlPlane cp = verb.env.open(RolloutController.Options.defaults())) {
            EnvValues before = cp.rollout().status().template();
            ChangeReview review = ChangeReview.of(RolloutPlan.originalPlan(), before, change.applyTo(before));
            boolean noReason = verb.reason == null || verb.reason.isBlank();
            if (!dryRun && review.needsReason() && noReason) {
                throw new CliException("refusing: " + String.join("; ", review.warnings())
                        + ". Nothing was written. If this is meant, say why with --reason \"...\" (recorded in the audit log).");
            }
            ChangeResult r = dryRun ? cp.rollout().preview(change)
                    : cp.rollout().apply(change, verb.reasonOrDefault(), EnvironmentOption.actor(), verb.progress());
            List<String> warnings = new ArrayList<>(review.warnings());
            warnings.addAll(r.warnings());
            StringBuilder text = new StringBuilder();
            text.append(dryRun ? "dry run (nothing written): " : "").append(r.outcome()).append('\n');
            r.diff().lines().forEach(l -> text.append("  ").append(l).append('\n'));
            warnings.forEach(w -> text.append("warning: ").append(w).append('\n'));
            if (dryRun && review.needsReason()) {
                text.append("this change departs from the plan: applying it needs --reason\n");
            }
            if (!dryRun) {
                text.append("revision ").append(r.revision()).append(", ").append(r.elapsed().toMillis()).append(" ms\n");
                r.after().describe().forEach(l -> text.append(l).append('\n'));
            }
            verb.output.print(Output.object("dry_run", r.dryRun(), "outcome", r.outcome().name(), "diff", r.diff().lines(),
                    "warnings", warnings, "needs_reason", review.needsReason(), "revision", r.revision(), "elapsed_ms", r.elapsed().toMillis(),
                    "after", statusJson(r.after())), text.toString());
        }
        return 0;
    }

    /** PERCENT of {@code rollout set}: anything but a whole number from 0 to 100 is a usage error. */
    static final class Percent implements Usage.Converter<Integer> {
        @Override
        public Integer parse(String text) {
            try {
                int p = Integer.parseInt(text.strip());
                if (p >= 0 && p <= 100) {
                    return p;
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException("the percentage must be a whole number from 0 to 100, not \"" + text + "\"");
        }
    }

    static Map<String, Object> statusJson(RolloutStatus s) {
        List<Map<String, Object>> traffic = s.traffic().stream().map((TrafficShare t) -> Output.object("revision", t.revision(),
                "percent", t.percent(), "latest", t.latest(), "tag", t.tag())).toList();
        return Output.object("environment", s.environment(), "service", s.service(),
                "flag", s.template().flag(), "percentage", s.template().percentage(),
                "latest_ready_revision", s.latestReadyRevision(), "latest_created_revision", s.latestCreatedRevision(),
                "traffic", traffic, "last_change", s.lastChange().map(Object::toString).orElse(null),
                "last_modifier", s.lastModifier(), "reconciling", s.reconciling());
    }
}
