package io.sandboxops.emulator.run;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each task attempt as a Docker container of the job's image, as Cloud Run would: the container's
 * {@code command} replaces the image entrypoint and its {@code args} the image command; the CPU and
 * memory limits apply; the network is the host's, so the task reaches the emulator on 127.0.0.1.
 * Images are never pulled: a missing image fails the attempt.
 *
 * <p>Containers are labelled {@code app=sandbox-ops-emulator} and with their emulator: its instance id, the user
 * who runs it, the machine and PID namespace it runs in, and its process id and start time. A runner removes its own
 * containers when they end and on close; when it connects it also removes containers of another instance only when
 * that instance is certainly gone: the same user, on the same boot of the same machine, in the same PID namespace,
 * and its process no longer runs (no such pid, or a pid reused by a process that started at another time). Anything
 * it cannot judge — another user's, another machine's or container's, an unlabelled one — is left alone.
 */
public final class DockerExecutionRunner implements ExecutionRunner {

    public static final String APP_LABEL = "app";
    public static final String APP = "sandbox-ops-emulator";
    public static final String OWNER_LABEL = "sandbox-ops.emulator/owner-pid";
    public static final String INSTANCE_LABEL = "sandbox-ops.emulator/instance";
    public static final String OWNER_START_LABEL = "sandbox-ops.emulator/owner-started";
    public static final String OWNER_USER_LABEL = "sandbox-ops.emulator/owner-user";
    public static final String OWNER_PLACE_LABEL = "sandbox-ops.emulator/owner-place";
    private static final Logger LOG = LoggerFactory.getLogger(DockerExecutionRunner.class);
    /** A bound on processes per task container, so a fork bomb in a task cannot take the host down. */
    private static final long PIDS_LIMIT = 1024;
    /** How long the log stream may still deliver output after the container exited. */
    private static final Duration LOG_DRAIN = Duration.ofSeconds(10);

    private final DockerClient docker;
    private final String network;
    private final Set<String> containers = ConcurrentHashMap.newKeySet();
    private final String instance = UUID.randomUUID().toString();
    private final Owner owner = Owner.current();

    private DockerExecutionRunner(DockerClient docker, String network) {
        this.docker = docker;
        this.network = network;
    }

    /** The labels naming this runner's emulator on every container it starts: instance, user, place, pid, start. */
    public Map<String, String> ownerLabels() {
        Map<String, String> labels = new LinkedHashMap<>(owner.labels());
        labels.put(INSTANCE_LABEL, instance);
        return labels;
    }

    /** Connects to the engine named by {@code DOCKER_HOST}, or the local socket, with host networking. */
    public static DockerExecutionRunner connect() {
        return connect("host");
    }

    /** @param network {@code host} (tasks reach the emulator) or {@code none} (tasks reach nothing) */
    public static DockerExecutionRunner connect(String network) {
        if (!network.equals("host") && !network.equals("none")) {
            throw new IllegalArgumentException("network must be host or none: " + network);
        }
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        DockerClient docker = DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(5))
                .build());
        DockerExecutionRunner runner = new DockerExecutionRunner(docker, network);
        runner.removeOrphans();
        return runner;
    }

    @Override
    public String name() {
        return "docker (network " + network + ")";
    }

    @Override
    public RunningTask start(TaskLaunch launch, TaskOutput output) throws RunnerException {
        try {
            docker.inspectImageCmd(launch.image()).exec();
        } catch (NotFoundException e) {
            throw new RunnerException("image " + launch.image() + " is not present on the Docker engine "
                    + "(the emulator never pulls images)", e);
        } catch (RuntimeException e) {
            throw new RunnerException("the Docker engine did not answer: " + e.getMessage(), e);
        }
        Map<String, String> labels = new LinkedHashMap<>(launch.labels());
        labels.put(APP_LABEL, APP);
        labels.putAll(ownerLabels());
        List<String> env = new ArrayList<>();
        launch.env().forEach((k, v) -> env.add(k + "=" + v));
        HostConfig host = HostConfig.newHostConfig()
                .withNetworkMode(network)
                .withPidsLimit(PIDS_LIMIT);
        if (launch.memoryLimit() != null) {
            host.withMemory(ResourceQuantities.memoryBytes(launch.memoryLimit()));
        }
        if (launch.cpuLimit() != null) {
            host.withNanoCPUs(ResourceQuantities.nanoCpus(launch.cpuLimit()));
        }
        String id;
        try {
            CreateContainerCmd create = docker.createContainerCmd(launch.image())
                    .withEnv(env)
                    .withLabels(labels)
                    .withHostConfig(host);
            if (!launch.command().isEmpty()) {
                create.withEntrypoint(launch.command());
            }
            if (!launch.args().isEmpty()) {
                create.withCmd(launch.args());
            }
            id = create.exec().getId();
            containers.add(id);
            docker.startContainerCmd(id).exec();
        } catch (RuntimeException e) {
            throw new RunnerException("cannot start a container of " + launch.image() + ": " + e.getMessage(), e);
        }
        LineSplitter lines = new LineSplitter(output);
        ResultCallback.Adapter<Frame> logs = docker.logContainerCmd(id)
                .withFollowStream(true)
                .withStdOut(true)
                .withStdErr(true)
                .exec(lines);
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        docker.waitContainerCmd(id).exec(new WaitContainerResultCallback() {
            @Override
            public void onNext(com.github.dockerjava.api.model.WaitResponse response) {
                exit.complete(response.getStatusCode());
            }

            @Override
            public void onError(Throwable t) {
                exit.completeExceptionally(t);
            }
        });
        String containerId = id;
        return new RunningTask() {
            @Override
            public OptionalInt awaitExit(Duration timeout) throws InterruptedException {
                try {
                    int code = exit.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
                    // The last lines must be logged before the execution is reported complete.
                    logs.awaitCompletion(LOG_DRAIN.toMillis(), TimeUnit.MILLISECONDS);
                    lines.flush();
                    return OptionalInt.of(code);
                } catch (TimeoutException e) {
                    return OptionalInt.empty();
                } catch (ExecutionException e) {
                    // The engine lost the container (removed under us): treat it as a crash.
                    return OptionalInt.of(137);
                }
            }

            @Override
            public void kill() {
                try {
                    docker.killContainerCmd(containerId).exec();
                } catch (DockerException e) {
                    // Already stopped or removed: nothing left to kill.
                }
            }

            @Override
            public void cleanUp() {
                try {
                    logs.close();
                } catch (IOException ignored) {
                    // The log stream ends with the container anyway.
                }
                remove(containerId);
            }
        };
    }

    /** Removes the containers of emulators that are certainly gone (see the class comment); leaves every other. */
    public void removeOrphans() {
        if (owner.place().isEmpty()) {
            LOG.debug("cannot tell this machine and PID namespace apart from others; no orphan is removed");
            return;
        }
        List<Container> found;
        try {
            found = docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(APP_LABEL, APP, OWNER_USER_LABEL, owner.user(), OWNER_PLACE_LABEL, owner.place())).exec();
        } catch (RuntimeException e) {
            LOG.warn("cannot list containers to remove orphans: {}", e.getMessage());
            return;
        }
        for (Container c : found) {
            Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
            if (!instance.equals(labels.get(INSTANCE_LABEL)) && Owner.certainlyGone(labels)) {
                LOG.info("removing task container {} of emulator instance {}, whose process {} is gone", c.getId(),
                        labels.get(INSTANCE_LABEL), labels.get(OWNER_LABEL));
                remove(c.getId());
            }
        }
    }

    /**
     * The emulator process a container belongs to.
     *
     * @param user  the account running it
     * @param place boot id and PID namespace: where its pid means something; empty when it cannot be told
     */
    private record Owner(String user, String place, long pid, String started) {
        static Owner current() {
            ProcessHandle self = ProcessHandle.current();
            return new Owner(System.getProperty("user.name", "?"), currentPlace(), self.pid(), startOf(self));
        }

        Map<String, String> labels() {
            return Map.of(OWNER_USER_LABEL, user, OWNER_PLACE_LABEL, place, OWNER_LABEL, String.valueOf(pid),
                    OWNER_START_LABEL, started);
        }

        /** Labels of a container of this user and place: its process is gone, or its pid now names another process. */
        static boolean certainlyGone(Map<String, String> labels) {
            long pid;
            try {
                pid = Long.parseLong(labels.getOrDefault(OWNER_LABEL, ""));
            } catch (NumberFormatException e) {
                return false;
            }
            String recorded = labels.get(OWNER_START_LABEL);
            if (labels.get(INSTANCE_LABEL) == null || recorded == null || recorded.isEmpty()) {
                return false;
            }
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            return p.isEmpty() || !p.get().isAlive() || !startOf(p.get()).isEmpty() && !startOf(p.get()).equals(recorded);
        }

        private static String startOf(ProcessHandle p) {
            return p.info().startInstant().map(i -> String.valueOf(i.toEpochMilli())).orElse("");
        }

        /** This boot of this machine and this PID namespace (Linux); empty elsewhere, where nothing is swept. */
        private static String currentPlace() {
            try {
                String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
                String ns = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString().replaceAll("\\D", "");
                return boot.isEmpty() || ns.isEmpty() ? "" : boot + "." + ns;
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return "";
            }
        }
    }

    private void remove(String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).exec();
        } catch (DockerException e) {
            // Already gone.
        } finally {
            containers.remove(id);
        }
    }

    @Override
    public void close() {
        List.copyOf(containers).forEach(this::remove);
        try {
            docker.close();
        } catch (IOException ignored) {
            // The client holds no state worth reporting on close.
        }
    }

    /** Turns Docker's multiplexed log frames into whole lines per stream. */
    private static final class LineSplitter extends ResultCallback.Adapter<Frame> {
        private final TaskOutput output;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();

        LineSplitter(TaskOutput output) {
            this.output = output;
        }

        @Override
        public synchronized void onNext(Frame frame) {
            boolean stderr = frame.getStreamType() == StreamType.STDERR;
            ByteArrayOutputStream buf = stderr ? err : out;
            for (byte b : frame.getPayload()) {
                if (b == '\n') {
                    emit(buf, stderr);
                } else {
                    buf.write(b);
                }
            }
        }

        synchronized void flush() {
            if (out.size() > 0) {
                emit(out, false);
            }
            if (err.size() > 0) {
                emit(err, true);
            }
        }

        private void emit(ByteArrayOutputStream buf, boolean stderr) {
            String line = buf.toString(StandardCharsets.UTF_8);
            buf.reset();
            output.line(stderr, line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        }
    }
}
