package io.sandboxops.emulator.run;

/** Receives a task's output, one line at a time, as Cloud Run's log agent would. */
@FunctionalInterface
public interface TaskOutput {

    void line(boolean stderr, String text);
}
