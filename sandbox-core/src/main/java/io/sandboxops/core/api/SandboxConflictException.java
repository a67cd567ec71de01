package io.sandboxops.core.api;

/** The operation collides with another one (a session already running a command, a concurrent update). */
public class SandboxConflictException extends SandboxException {
    private static final long serialVersionUID = 1L;

    public SandboxConflictException(String message) {
        super(message);
    }

    public SandboxConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
