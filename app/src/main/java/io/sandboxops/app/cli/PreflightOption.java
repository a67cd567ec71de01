package io.sandboxops.app.cli;

import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.preflight.PreflightGate;
import io.sandboxops.core.preflight.PreflightRecords;
import io.sandboxops.core.rollout.AuditEntry;
import io.sandboxops.core.rollout.RolloutAuditLog;
import java.time.Instant;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --skip-preflight} of the rollout verbs that send traffic to Cloud Run ({@code set}, {@code enable}): without it,
 * they go ahead only after a passed preflight ({@code env check}) younger than {@link PreflightGate}'s maximum age; with
 * it, only with a reason, recorded in the rollout audit log before the change.
 */
final class PreflightOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--skip-preflight", description = "Go ahead without a passed, fresh `env check` (default max age "
            + PreflightGate.DEFAULT_MAX_AGE_TEXT + ", " + PreflightGate.MAX_AGE_VARIABLE + "); needs --reason, recorded in the audit log.")
    boolean skip;

    /**
     * @throws io.sandboxops.core.api.SandboxInvalidInputException when the last preflight is missing, failed or too old
     */
    void require(Environment env, String reason) {
        if (skip) {
            if (reason == null || reason.isBlank()) {
                throw Usage.error(spec, "--skip-preflight needs --reason TEXT: why this change goes ahead without a passed preflight");
            }
            RolloutAuditLog.inUserHome().append(new AuditEntry(Instant.now(), AuditEntry.Source.LOCAL, EnvironmentOption.actor(),
                    env.name(), env.service(), "preflight-skipped", "", "", reason, "the preflight gate was skipped (--skip-preflight)", ""));
            spec.commandLine().getErr().println("warning: preflight skipped; recorded in the rollout audit log with the reason");
            spec.commandLine().getErr().flush();
            return;
        }
        try (GoogleClients clients = new GoogleClients(EnvironmentOption.target(env))) {
            PreflightGate.fromEnvironment(System.getenv()).require(env.name(), new PreflightRecords(env, clients).last(), Instant.now());
        }
    }
}
