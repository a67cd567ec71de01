package io.sandboxops.app.cli;

import io.sandboxops.core.preflight.PreflightGate;
import io.sandboxops.core.rollout.ControlPlane;
import io.sandboxops.core.rollout.RolloutController;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --skip-preflight} of the rollout verbs that send traffic to Cloud Run ({@code set}, {@code enable},
 * {@code plan --advance}): without it, they go ahead only after a passed preflight ({@code env check}) younger than
 * {@link PreflightGate}'s maximum age; with it, only with a reason, recorded in the rollout audit log before the change.
 * {@link ControlPlane#requirePreflight} decides, as for the console's Apply.
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
    void require(EnvironmentOption env, String reason) {
        try (ControlPlane cp = env.open(RolloutController.Options.defaults())) {
            require(cp, reason);
        }
    }

    /** As {@link #require(EnvironmentOption, String)}, over a control plane the verb already opened. */
    void require(ControlPlane cp, String reason) {
        if (skip && (reason == null || reason.isBlank())) {
            throw Usage.error(spec, "--skip-preflight needs --reason TEXT: why this change goes ahead without a passed preflight");
        }
        cp.requirePreflight(PreflightGate.fromEnvironment(System.getenv()), EnvironmentOption.actor(),
                skip ? Optional.of(reason) : Optional.empty(), "--skip-preflight");
        if (skip) {
            spec.commandLine().getErr().println("warning: preflight skipped; recorded in the rollout audit log with the reason");
            spec.commandLine().getErr().flush();
        }
    }
}
