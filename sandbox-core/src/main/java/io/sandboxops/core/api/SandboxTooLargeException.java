package io.sandboxops.core.api;

/** A transfer or a file is larger than the limit the sandbox accepts; refused before any byte moved. */
public class SandboxTooLargeException extends SandboxException {
    private static final long serialVersionUID = 1L;

    public SandboxTooLargeException(String message) {
        super(message);
    }

    public SandboxTooLargeException(String message, Throwable cause) {
        super(message, cause);
    }
}
