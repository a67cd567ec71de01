package io.sandboxops.core.api;

/** The backend (Docker engine, Cloud Run, Cloud Storage) cannot be reached or refused to work. */
public class SandboxUnavailableException extends SandboxException {
    private static final long serialVersionUID = 1L;

    public SandboxUnavailableException(String message) {
        super(message);
    }

    public SandboxUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
