package io.sandboxops.core.api;

/** A request is malformed: an invalid path, regex, session id or argument. Nothing was changed. */
public class SandboxInvalidInputException extends SandboxException {
    private static final long serialVersionUID = 1L;

    public SandboxInvalidInputException(String message) {
        super(message);
    }

    public SandboxInvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
