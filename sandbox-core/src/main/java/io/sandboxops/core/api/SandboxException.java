package io.sandboxops.core.api;

/**
 * The root of every failure a {@link Sandbox} reports. Its message is written for a person: it says what
 * happened and, where there is something to do, what to do. The underlying cause, if any, is kept.
 */
public class SandboxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
