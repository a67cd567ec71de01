package io.sandboxops.emulator.run;

/** A task could not be started at all (no such image, no Docker engine, command not found). */
public final class RunnerException extends Exception {

    public RunnerException(String message, Throwable cause) {
        super(message, cause);
    }
}
