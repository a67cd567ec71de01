package io.sandboxops.core.rollout;

import io.sandboxops.core.api.SandboxInvalidInputException;

/** A rollout setting is missing or malformed; the message names the variable and what it accepts. */
public final class RolloutConfigurationException extends SandboxInvalidInputException {
    private static final long serialVersionUID = 1L;

    private final String variable;

    public RolloutConfigurationException(String variable, String message) {
        super(variable + ": " + message);
        this.variable = variable;
    }

    /** The environment variable at fault, e.g. {@code CLOUDRUN_JOBS_ROLLOUT_PERCENTAGE}. */
    public String variable() {
        return variable;
    }
}
