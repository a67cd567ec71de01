package io.sandboxops.app.cli;

/** A failure of the command line itself (a local file missing, a destination refused), reported in one line. */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
