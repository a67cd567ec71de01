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

    /**
     * The message of the innermost cause of {@code e}, or its class name when it has none: what a library's wrapped
     * failure actually says, for the part of a message that quotes it.
     */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
