package io.sandboxops.core.api;

/** A sandbox, session, process or path that was named does not exist. */
public class SandboxNotFoundException extends SandboxException {
    private static final long serialVersionUID = 1L;

    public SandboxNotFoundException(String message) {
        super(message);
    }

    public SandboxNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
