package io.sandboxops.emulator;

import io.grpc.Server;
import io.grpc.util.MutableHandlerRegistry;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.sandboxops.emulator.auth.AccessInterceptor;
import io.sandboxops.emulator.auth.AccessTokens;
import io.sandboxops.emulator.faults.FaultInjector;
import io.sandboxops.emulator.faults.FaultInterceptor;
import io.sandboxops.emulator.logging.LogStore;
import io.sandboxops.emulator.logging.LoggingApi;
import io.sandboxops.emulator.monitoring.MonitoringApi;
import io.sandboxops.emulator.run.CloudRun;
import io.sandboxops.emulator.run.TaskEnvironment;
import io.sandboxops.emulator.storage.StorageServer;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The whole local cloud in one object: Cloud Run Admin v2, Operations, Cloud Monitoring v3 and Cloud
 * Logging v2 over gRPC, Cloud Storage over HTTP, all on 127.0.0.1. Start it, hand {@link #endpoints()}
 * to the clients, {@link #close()} it.
 */
public final class LocalCloud implements AutoCloseable {

    private final LocalCloudConfig config;
    private final Path dataDir;
    private final boolean temporaryDataDir;
    private final FaultInjector faults;
    private final LogStore logs = new LogStore();
    private final AccessTokens tokens;
    private StorageServer storage;
    private CloudRun cloudRun;
    private Server grpc;
    private ExecutorService grpcExecutor;
    private LocalCloudEndpoints endpoints;

    private LocalCloud(LocalCloudConfig config, Path dataDir, boolean temporaryDataDir) {
        this.config = config;
        this.dataDir = dataDir;
        this.temporaryDataDir = temporaryDataDir;
        this.faults = new FaultInjector(config.latencyProfile(), config.latencySeed());
        config.faults().forEach(faults::add);
        this.tokens = AccessTokens.of(config.accessToken() == null ? AccessTokens.generate().rootToken() : config.accessToken(),
                config.downscopedTokenLifetime());
    }

    /** Starts every API; on failure nothing is left running. */
    public static LocalCloud start(LocalCloudConfig config) {
        Path dir = config.dataDir();
        boolean temporary = dir == null;
        try {
            dir = temporary ? Files.createTempDirectory("sandbox-ops-emulator") : Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory", e);
        }
        LocalCloud cloud = new LocalCloud(config, dir, temporary);
        try {
            cloud.startServers();
            return cloud;
        } catch (IOException | RuntimeException e) {
            cloud.close();
            throw new IllegalStateException("cannot start the local cloud: " + e.getMessage(), e);
        }
    }

    /** Starts with the defaults: free ports, a temporary data directory, the process runner. */
    public static LocalCloud start() {
        return start(LocalCloudConfig.newBuilder().build());
    }

    private void startServers() throws IOException {
        storage = StorageServer.start(dataDir, config.storagePort(), faults, tokens);
        grpcExecutor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "local-cloud-grpc");
            t.setDaemon(true);
            return t;
        });
        // The server binds first and the services are added after, because tasks are told the bound port.
        MutableHandlerRegistry registry = new MutableHandlerRegistry();
        grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", config.grpcPort()))
                .executor(grpcExecutor)
                .maxInboundMessageSize(64 * 1024 * 1024)
                .fallbackHandlerRegistry(registry)
                .intercept(new FaultInterceptor(faults))
                // Added last, so it runs first: nothing, not even an injected fault, answers an unauthenticated caller.
                .intercept(new AccessInterceptor(tokens))
                .build()
                .start();
        endpoints = new LocalCloudEndpoints("127.0.0.1", grpc.getPort(), storage.port(), config.projectId(), config.location(),
                tokens.rootToken());
        cloudRun = new CloudRun(config.runner().get(), logs, faults, Map.of(
                TaskEnvironment.STORAGE_EMULATOR_HOST, endpoints.storageHost(),
                TaskEnvironment.SANDBOXOPS_EMULATOR_GRPC, endpoints.grpcTarget(),
                TaskEnvironment.GOOGLE_CLOUD_PROJECT, config.projectId()), config.principalEmail(),
                config.revisionReadyDelay());
        cloudRun.services().forEach(registry::addService);
        registry.addService(new LoggingApi(logs));
        registry.addService(new MonitoringApi(cloudRun.history()));
        registry.addService(new io.sandboxops.emulator.logging.LogMetricsApi());
        registry.addService(new io.sandboxops.emulator.monitoring.AlertPoliciesApi());
        registry.addService(new io.sandboxops.emulator.monitoring.DashboardsApi());
    }

    public LocalCloudEndpoints endpoints() {
        return endpoints;
    }

    /** Where the data lives; storage objects are under {@code storage/}. */
    public Path dataDir() {
        return dataDir;
    }

    /** How many Cloud Storage writes were refused with 412 (a generation precondition lost a race) so far. */
    public long storagePreconditionFailures() {
        return storage.preconditionFailures();
    }

    /** Fault injection and the latency profile: no effect until a rule is added, under the {@code none} profile. */
    public FaultInjector faults() {
        return faults;
    }

    /** The seed of the latency profile's jitter: start again with it ({@code --latency-seed}) to draw the same latencies. */
    public long latencySeed() {
        return config.latencySeed();
    }

    @Override
    public void close() {
        if (grpc != null) {
            grpc.shutdownNow();
            try {
                grpc.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (grpcExecutor != null) {
            grpcExecutor.shutdownNow();
        }
        if (cloudRun != null) {
            cloudRun.close();
        }
        if (storage != null) {
            storage.close();
        }
        faults.close();
        if (temporaryDataDir) {
            deleteRecursively(dataDir);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temporary folder that cannot be fully removed is left to the OS.
        }
    }
}
