package io.sandboxops.core.api;

/** The backend cannot do this operation; the message says which backend and what to use instead. */
public class SandboxUnsupportedException extends SandboxException {
    private static final long serialVersionUID = 1L;

    public SandboxUnsupportedException(String message) {
        super(message);
    }

    public SandboxUnsupportedException(String message, Throwable cause) {
        super(message, cause);
    }
}
