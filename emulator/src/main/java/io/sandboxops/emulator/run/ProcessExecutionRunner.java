package io.sandboxops.emulator.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * Runs each task attempt as a local process with the same environment a Cloud Run task gets: either a
 * configured command (for instance {@code java -jar executor.jar}) followed by the container args, or,
 * with {@link #containerCommand()}, the job container's own {@code command} and {@code args}.
 *
 * <p>Nothing isolates such a process from the host; it is meant for the executor under development and
 * for machines without Docker.
 */
public final class ProcessExecutionRunner implements ExecutionRunner {

    /** Host variables a local command needs to start at all (a JVM needs PATH and HOME). */
    private static final List<String> INHERITED = List.of("PATH", "HOME", "JAVA_HOME", "LANG", "TMPDIR", "USER");

    /** How long the pipes may still deliver output after the process exited (a child may hold them). */
    private static final long OUTPUT_DRAIN_MILLIS = 10_000;

    private final List<String> command;

    private ProcessExecutionRunner(List<String> command) {
        this.command = List.copyOf(command);
    }

    /** Runs the container's {@code command} + {@code args} as a local command line. */
    public static ProcessExecutionRunner containerCommand() {
        return new ProcessExecutionRunner(List.of());
    }

    /** Runs {@code command} with the container's args appended, whatever image the job names. */
    public static ProcessExecutionRunner of(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a process runner needs a command");
        }
        return new ProcessExecutionRunner(command);
    }

    @Override
    public String name() {
        return command.isEmpty() ? "process (container command)" : "process (" + String.join(" ", command) + ")";
    }

    @Override
    public RunningTask start(TaskLaunch launch, TaskOutput output) throws RunnerException {
        List<String> argv = new ArrayList<>(command.isEmpty() ? launch.command() : command);
        argv.addAll(launch.args());
        if (argv.isEmpty()) {
            throw new RunnerException("the container of image " + launch.image()
                    + " sets no command, and the process runner has none configured", null);
        }
        ProcessBuilder pb = new ProcessBuilder(argv);
        Map<String, String> env = pb.environment();
        Map<String, String> host = Map.copyOf(env);
        env.clear();
        INHERITED.forEach(k -> {
            if (host.containsKey(k)) {
                env.put(k, host.get(k));
            }
        });
        env.putAll(launch.env());
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new RunnerException("cannot start " + argv.get(0) + ": " + e.getMessage(), e);
        }
        try {
            // Like a Cloud Run task, the process has no stdin.
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // Already closed by the process exiting.
        }
        Thread out = pump(process.getInputStream(), false, output);
        Thread err = pump(process.getErrorStream(), true, output);
        return new RunningTask() {
            @Override
            public OptionalInt awaitExit(Duration timeout) throws InterruptedException {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    return OptionalInt.empty();
                }
                // The last lines must be logged before the execution is reported complete.
                out.join(OUTPUT_DRAIN_MILLIS);
                err.join(OUTPUT_DRAIN_MILLIS);
                return OptionalInt.of(process.exitValue());
            }

            @Override
            public void kill() {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        };
    }

    private static Thread pump(InputStream stream, boolean stderr, TaskOutput output) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.line(stderr, line);
                }
            } catch (IOException ignored) {
                // The process was killed; its pipe closing ends the output.
            }
        }, "task-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
