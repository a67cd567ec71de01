package io.sandboxops.app.env;

import io.sandboxops.core.env.Actor;
import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.preflight.EnvironmentPreflight;
import io.sandboxops.core.preflight.PreflightCheck;
import io.sandboxops.core.preflight.PreflightRecords;
import io.sandboxops.core.preflight.PreflightReport;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The preflight as {@code sandboxctl env check} and the console's Check environment run it: every check of
 * {@link EnvironmentPreflight} with the live canary through the environment's real Cloud Run backend, and the result
 * recorded where {@code rollout set} looks ({@link PreflightRecords}).
 */
public final class EnvironmentChecks {
    private EnvironmentChecks() {
    }

    /**
     * @param recordProblem why the result could not be recorded, when it could not (the checks still stand)
     */
    public record Outcome(PreflightReport report, Optional<String> recordProblem) {
    }

    public static Outcome run(Environment env, CloudTarget target, Consumer<PreflightCheck> progress) {
        try (GoogleClients clients = new GoogleClients(target)) {
            // The canary needs one sandbox, not the environment's warm pool: opened with none.
            PreflightReport report = new EnvironmentPreflight(env, clients,
                    Optional.of(() -> SandboxBackends.cloudRun(env, target, 0)), Actor.current()).run(progress);
            try {
                new PreflightRecords(env, clients).save(report);
                return new Outcome(report, Optional.empty());
            } catch (RuntimeException e) {
                return new Outcome(report, Optional.of(e.getMessage()));
            }
        }
    }
}
