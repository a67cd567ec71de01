package io.sandboxops.executor;

import com.google.cloud.storage.BucketInfo;
import com.google.logging.v2.ListLogEntriesRequest;
import com.google.protobuf.TextFormat;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import io.sandboxops.core.cloudrun.CloudRunSettings;
import io.sandboxops.core.cloudrun.MailboxKey;
import io.sandboxops.core.cloudrun.SessionCredentials;
import io.sandboxops.core.cloudrun.StorageToken;
import io.sandboxops.core.cloudrun.WorkerProtocol;
import io.sandboxops.core.state.SessionStateStore;
import java.time.Duration;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.observe.CloudLoggingEventSink;
import io.sandboxops.core.observe.ObservedSandboxBackend;
import io.sandboxops.core.state.RetryPolicy;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudConfig;
import io.sandboxops.emulator.LocalCloudEndpoints;
import io.sandboxops.emulator.run.ExecutionRunner;
import io.sandboxops.emulator.run.ProcessExecutionRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The emulator with this module's executor as its task program: the executor runs from this test's own
 * classpath (copied where uid 1000 can read it) in a private mount namespace, so no image is built.
 */
final class LocalCloudHarness implements AutoCloseable {
    static final String BUCKET = "sandbox-state";

    final LocalCloud cloud;
    final Path work;
    final GoogleClients clients;

    private LocalCloudHarness(LocalCloud cloud, Path work) {
        this.cloud = cloud;
        this.work = work;
        LocalCloudEndpoints e = cloud.endpoints();
        this.clients = new GoogleClients(settings(Map.of()).target());
        clients.storage().create(BucketInfo.of(BUCKET));
    }

    /** An emulator running executions as local processes of the executor. */
    static LocalCloudHarness withProcessRunner() {
        return withProcessRunner(io.sandboxops.emulator.faults.LatencyProfile.NONE);
    }

    /** The same, under a latency profile (e.g. {@code gcp-regional}): for benchmarks that should see the real APIs' latency. */
    static LocalCloudHarness withProcessRunner(io.sandboxops.emulator.faults.LatencyProfile latency) {
        Path work = prepareWork();
        Path classpath = copyClasspath(work.resolve("cp"));
        Path tasks = mkdir(work.resolve("tasks"));
        Path script = work.resolve("run-in-namespace.bash");
        try (InputStream in = LocalCloudHarness.class.getResourceAsStream("run-in-namespace.bash")) {
            Files.copy(in, script);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Supplier<ExecutionRunner> runner = () -> ProcessExecutionRunner.of(List.of("bash", script.toString(), classpath.toString(), tasks.toString()));
        return new LocalCloudHarness(LocalCloud.start(LocalCloudConfig.newBuilder().runner(runner).latencyProfile(latency).build()), work);
    }

    /** An emulator with the given runner (the Docker runner for the image test). */
    static LocalCloudHarness with(Supplier<ExecutionRunner> runner) {
        return new LocalCloudHarness(LocalCloud.start(LocalCloudConfig.newBuilder().runner(runner).build()), prepareWork());
    }

    /** The backend's settings as its environment variables would give them, pointing at this emulator. */
    CloudRunSettings settings(Map<String, String> extra) {
        return CloudRunSettings.fromEnvironment(settingsEnvironment(extra));
    }

    /** The environment variables of {@link #settings}: what a client in another process is started with. */
    Map<String, String> settingsEnvironment(Map<String, String> extra) {
        LocalCloudEndpoints e = cloud.endpoints();
        Map<String, String> env = new HashMap<>();
        env.put("GCP_PROJECT_ID", e.projectId());
        env.put("GCP_REGION", e.location());
        env.put("SANDBOXOPS_EMULATOR_GRPC", e.grpcTarget());
        env.put("STORAGE_EMULATOR_HOST", e.storageHost());
        env.put("SANDBOXOPS_EMULATOR_TOKEN", e.accessToken());
        env.put("SANDBOX_EXECUTOR_IMAGE", "sandboxops/executor:latest");
        env.put("SANDBOX_STATE_BUCKET", BUCKET);
        env.put("SANDBOX_JOB_TIMEOUT", "1h");
        env.put("SANDBOX_JOB_MEMORY", "1Gi");
        env.put("SANDBOX_JOB_CPU", "1");
        env.putAll(extra);
        return env;
    }

    CloudRunJobsSandboxBackend backend(Map<String, String> extra) {
        CloudRunSettings s = settings(extra);
        return new CloudRunJobsSandboxBackend(s, new GoogleClients(s.target()), true, RetryPolicy.defaults());
    }

    /**
     * The backend as the product opens it (SandboxFactory, sandboxctl, the console): observed, each operation one
     * client event in this emulator's Cloud Logging, delivered at the latest when the backend is closed.
     */
    SandboxBackend observedBackend(Map<String, String> extra) {
        CloudRunSettings s = settings(extra);
        return ObservedSandboxBackend.observe(new CloudRunJobsSandboxBackend(s, new GoogleClients(s.target()), true, RetryPolicy.defaults()),
                new CloudLoggingEventSink(s.target()), true);
    }

    /**
     * What a legitimate client of {@code sandboxId} writes into its inbox to run {@code command} in shell main: signed
     * with the sandbox's key from {@code control/}, for its live worker, as the backend does.
     */
    String signedRequest(String sandboxId, String command) {
        SessionStateStore store = new SessionStateStore(clients.storage(), BUCKET, RetryPolicy.defaults());
        String worker = store.read(SessionStateStore.workerObject(sandboxId), Main.WorkerRecord.class).orElseThrow().value().execution();
        SessionCredentials credentials = new SessionCredentials(clients, store);
        MailboxKey.Envelope e = credentials.seal(sandboxId, SessionStateStore.sandboxPrefix(sandboxId), worker,
                WorkerProtocol.Request.of(WorkerProtocol.Op.EXEC, "main").withCommand(command, Duration.ofSeconds(10)));
        try {
            return SessionStateStore.objectMapper().writeValueAsString(e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
            throw new UncheckedIOException(x);
        }
    }

    /** The Cloud Storage tokens handed to the executions of {@code sandboxId} in their RunJob overrides. */
    List<String> storageTokensOfRunningExecutions(String sandboxId) {
        List<String> out = new java.util.ArrayList<>();
        for (com.google.cloud.run.v2.Job job : clients.jobs().listJobs(cloud.endpoints().locationName()).iterateAll()) {
            for (com.google.cloud.run.v2.Execution e : clients.executions().listExecutions(job.getName()).iterateAll()) {
                var env = e.getTemplate().getContainersList().stream().flatMap(c -> c.getEnvList().stream()).toList();
                if (env.stream().anyMatch(v -> v.getName().equals("SESSION_ID") && v.getValue().equals(sandboxId))) {
                    env.stream().filter(v -> v.getName().equals(StorageToken.ENV_TOKEN)).forEach(v -> out.add(v.getValue()));
                }
            }
        }
        return out;
    }

    /** Every execution that has not ended, of every job: what an operator would see in the console. */
    List<String> runningExecutions() {
        List<String> out = new java.util.ArrayList<>();
        for (com.google.cloud.run.v2.Job job : clients.jobs().listJobs(cloud.endpoints().locationName()).iterateAll()) {
            for (com.google.cloud.run.v2.Execution e : clients.executions().listExecutions(job.getName()).iterateAll()) {
                if (!e.hasCompletionTime()) {
                    out.add(e.getName());
                }
            }
        }
        return out;
    }

    /** Cancels an execution as an operator would ({@code gcloud run jobs executions cancel}), not through the backend. */
    void cancelFromOutside(String execution) {
        try {
            clients.executions().cancelExecutionAsync(execution).get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not cancel " + execution + ": " + e, e);
        }
    }

    /** Every line the executions wrote, oldest first, with the execution's name: for a failed test's report. */
    String executionLogs() {
        StringBuilder out = new StringBuilder();
        clients.logging().listLogEntries(ListLogEntriesRequest.newBuilder()
                .addResourceNames("projects/" + cloud.endpoints().projectId()).setOrderBy("timestamp asc").build()).iterateAll()
                .forEach(e -> out.append(e.getLabelsMap().getOrDefault("run.googleapis.com/execution_name", "-")).append(' ')
                        .append(e.hasJsonPayload() ? TextFormat.shortDebugString(e.getJsonPayload()) : e.getTextPayload())
                        .append('\n'));
        return out.toString();
    }

    @Override
    public void close() {
        clients.close();
        cloud.close();
        deleteTree(work);
    }

    private static Path prepareWork() {
        try {
            Path work = Files.createTempDirectory(Path.of("/var/tmp"), "sbx-it-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
            return work;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This JVM's classpath, jars and class folders, copied to one folder uid 1000 can read. */
    private static Path copyClasspath(Path into) {
        mkdir(into);
        mkdir(into.resolve("classes"));
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            try {
                if (Files.isDirectory(p)) {
                    copyTree(p, into.resolve("classes"));
                } else if (Files.isRegularFile(p) && entry.endsWith(".jar")) {
                    Files.copy(p, into.resolve(p.getFileName().toString().hashCode() + "-" + p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try (Stream<Path> all = Files.walk(into)) {
            all.forEach(f -> f.toFile().setReadable(true, false));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Stream<Path> dirs = Files.walk(into)) {
            dirs.filter(Files::isDirectory).forEach(d -> d.toFile().setExecutable(true, false));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return into;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!Files.exists(target)) {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static Path mkdir(Path p) {
        try {
            Files.createDirectories(p);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path p) {
        try (Stream<Path> all = Files.walk(p)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
