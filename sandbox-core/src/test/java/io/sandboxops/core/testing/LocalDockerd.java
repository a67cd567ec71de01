package io.sandboxops.core.testing;

import io.sandboxops.core.docker.DockerEngine;
import io.sandboxops.core.shell.NulRecords;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Docker engine of this machine as a process: found in {@code /proc}, stopped with SIGTERM and started
 * again with the same argument vector and environment, detached so that it outlives the test JVM. For the
 * engine-restart fault test; see {@link RequiresEngineRestart}.
 */
public final class LocalDockerd {
    /** Where a restarted dockerd writes, as {@code .ci/docker-up} has it. */
    public static final Path LOG = Path.of("/var/log/sandboxops-dockerd.log");

    private final long pid;
    private final List<String> argv;
    private final Map<String, String> environment;

    private LocalDockerd(long pid, List<String> argv, Map<String, String> environment) {
        this.pid = pid;
        this.argv = List.copyOf(argv);
        this.environment = Map.copyOf(environment);
    }

    /**
     * The running dockerd.
     *
     * @throws IllegalStateException saying why it cannot be restarted from here (not root, the client talks to
     *                               another engine, none or several dockerd processes)
     */
    public static LocalDockerd find() {
        int uid;
        try {
            uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot tell this process's user (no /proc/self): " + e.getMessage(), e);
        }
        if (uid != 0) {
            throw new IllegalStateException("restarting dockerd needs root; this JVM runs as uid " + uid);
        }
        String dockerHost = Optional.ofNullable(System.getenv("DOCKER_HOST")).orElse("");
        if (!dockerHost.isEmpty() && !dockerHost.startsWith("unix://")) {
            throw new IllegalStateException("DOCKER_HOST=" + dockerHost + " names an engine that is not a local process");
        }
        List<LocalDockerd> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))::iterator) {
                List<String> args = nulSeparated(p.resolve("cmdline"));
                if (!args.isEmpty() && args.get(0).endsWith("dockerd") && isAlive(Long.parseLong(p.getFileName().toString()))) {
                    Map<String, String> env = new LinkedHashMap<>();
                    for (String kv : nulSeparated(p.resolve("environ"))) {
                        int eq = kv.indexOf('=');
                        if (eq > 0) {
                            env.put(kv.substring(0, eq), kv.substring(eq + 1));
                        }
                    }
                    found.add(new LocalDockerd(Long.parseLong(p.getFileName().toString()), args, env));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the processes in /proc: " + e.getMessage(), e);
        }
        if (found.size() != 1) {
            throw new IllegalStateException(found.isEmpty() ? "no dockerd process runs on this machine (the engine is elsewhere)"
                    : "several dockerd processes run here " + found.stream().map(d -> d.pid).toList() + "; which one to restart is unclear");
        }
        return found.get(0);
    }

    /** Why this JVM cannot stop and start the engine, or empty when it can. */
    public static Optional<String> whyNotRestartable() {
        try {
            find();
            return Optional.empty();
        } catch (IllegalStateException e) {
            return Optional.of(e.getMessage());
        }
    }

    public long pid() {
        return pid;
    }

    public List<String> argv() {
        return argv;
    }

    /** Whether this dockerd process still runs (a zombie does not). */
    public boolean isRunning() {
        return isAlive(pid);
    }

    /**
     * Sends SIGTERM (the engine stops its containers and exits) and waits for the process to end.
     *
     * @return whether it ended within {@code timeout}
     */
    public boolean stop(Duration timeout) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(pid)).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -TERM " + pid + " failed: " + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isRunning()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    /**
     * Starts dockerd again with the same argument vector and environment, in a session of its own (so no signal
     * meant for this JVM's process group reaches it), stdin from {@code /dev/null}, output appended to {@link #LOG}.
     * Nothing connects it to this JVM: it keeps running after the JVM exits.
     *
     * @return the new dockerd
     */
    public LocalDockerd start() throws IOException {
        List<String> command = new ArrayList<>();
        command.add("setsid");
        command.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(new File("/"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(LOG.toFile()))
                .redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(environment);
        // setsid execs dockerd in place (a child of this JVM is no process group leader), so this is dockerd's pid.
        Process p = pb.start();
        return new LocalDockerd(p.pid(), argv, environment);
    }

    /**
     * Waits until the engine answers a ping.
     *
     * @return whether it did within {@code timeout}
     */
    public static boolean awaitEngine(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                DockerEngine.connect().close();
                return true;
            } catch (RuntimeException | IOException e) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(250);
            }
        }
    }

    private static boolean isAlive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X' && state != 'x';
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> nulSeparated(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return List.of();
        }
        return NulRecords.fields(bytes);
    }

    @Override
    public String toString() {
        return "dockerd[pid " + pid + ", " + String.join(" ", argv) + "]";
    }
}
