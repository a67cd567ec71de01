package io.sandboxops.core.api;

/** An operation did not finish within the time it was given. */
public class SandboxTimeoutException extends SandboxException {
    private static final long serialVersionUID = 1L;

    public SandboxTimeoutException(String message) {
        super(message);
    }

    public SandboxTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
