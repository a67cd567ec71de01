package io.sandboxops.core.testing;

import io.sandboxops.core.docker.DockerEngine;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Enables {@link RequiresDocker} tests when an engine answers; see there. */
public final class DockerAvailableCondition implements ExecutionCondition {
    private static volatile String unavailableReason;
    private static volatile boolean checked;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String reason = reason();
        if (reason == null) {
            return ConditionEvaluationResult.enabled("a Docker engine answers");
        }
        if (Boolean.getBoolean("sandbox.requireDocker")) {
            // Run them, so that they fail loudly: CI promised an engine.
            return ConditionEvaluationResult.enabled("sandbox.requireDocker=true although " + reason);
        }
        String message = "SKIPPED (needs Docker): " + reason + " -- start an engine (README: Getting a Docker engine) to run it";
        System.err.println("[docker] " + context.getDisplayName() + ": " + message);
        return ConditionEvaluationResult.disabled(message);
    }

    private static synchronized String reason() {
        if (!checked) {
            try {
                DockerEngine.connect().close();
                unavailableReason = null;
            } catch (Exception e) {
                unavailableReason = e.getMessage();
            }
            checked = true;
        }
        return unavailableReason;
    }
}
