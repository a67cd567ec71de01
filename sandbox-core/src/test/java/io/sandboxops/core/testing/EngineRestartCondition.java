package io.sandboxops.core.testing;

import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Enables {@link RequiresEngineRestart} tests when restarting dockerd is both allowed and possible; see there. */
public final class EngineRestartCondition implements ExecutionCondition {
    static final String ENV = "SANDBOX_ALLOW_ENGINE_RESTART";
    static final String PROPERTY = "sandbox.allowEngineRestart";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!"true".equalsIgnoreCase(System.getenv(ENV)) && !Boolean.getBoolean(PROPERTY)) {
            return skip(context, "it stops and restarts the Docker engine, which disturbs everything else using it; set " + ENV
                    + "=true or -D" + PROPERTY + "=true to run it");
        }
        Optional<String> why = LocalDockerd.whyNotRestartable();
        if (why.isEmpty()) {
            return ConditionEvaluationResult.enabled("restarting dockerd is allowed and possible");
        }
        if (Boolean.getBoolean("sandbox.requireDocker")) {
            // Run it, so that it fails loudly: the restart was asked for and CI promised an engine.
            return ConditionEvaluationResult.enabled("sandbox.requireDocker=true although the engine cannot be restarted: " + why.get());
        }
        return skip(context, "the engine cannot be restarted from here: " + why.get());
    }

    private static ConditionEvaluationResult skip(ExtensionContext context, String reason) {
        String message = "SKIPPED (restarts dockerd): " + reason;
        System.err.println("[docker] " + context.getDisplayName() + ": " + message);
        return ConditionEvaluationResult.disabled(message);
    }
}
