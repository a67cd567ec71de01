package io.sandboxops.core.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxUnavailableException;
import java.io.IOException;
import java.time.Duration;

/** Connects to the Docker engine that {@code DOCKER_HOST} (or the default socket) names. */
public final class DockerEngine {
    private DockerEngine() {
    }

    /**
     * A client for the engine, checked with a ping.
     *
     * @throws SandboxUnavailableException when no engine answers, saying where it looked and what to do
     */
    public static DockerClient connect() {
        return connect(EngineCalls.NONE);
    }

    /** As {@link #connect()}, telling {@code calls} of each request the client makes and how long its answer took. */
    public static DockerClient connect(EngineCalls calls) {
        QuietStdinCopier.install();
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        // The zerodep transport supports the hijacked, attached stdin a session shell needs. No response
        // timeout: a session's stream stays open while its shell waits for the next command.
        ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(5))
                // Every open session shell holds one connection for its lifetime: at 64, the 64th session and every
                // call after it waited on the pool (bench sessions --sessions 70 hung). Sessions are bounded by each
                // sandbox's pids limit (512), so the pool is sized for a few sandboxes' worth of shells.
                .maxConnections(2048)
                .build();
        DockerClient client = DockerClientImpl.getInstance(config, new ConnectionPerRequest(http, calls));
        try {
            client.pingCmd().exec();
        } catch (RuntimeException e) {
            try {
                client.close();
            } catch (Exception ignored) {
                // nothing to release
            }
            throw new SandboxUnavailableException("no Docker engine answers at " + config.getDockerHost() + " ("
                    + SandboxException.rootMessage(e) + "); start one (README: \"Getting a Docker engine\") or point DOCKER_HOST at it", e);
        }
        return client;
    }

    /**
     * A failed call to the engine as a person reads it: when the engine could not be reached at all (dockerd
     * stopped or restarting, no socket), that, and the question to ask; otherwise what the engine answered.
     *
     * @param doing what the call was for, completing "to ...", e.g. "run a command in sandbox x"
     */
    static SandboxUnavailableException failure(String doing, Throwable e) {
        if (unreachable(e)) {
            return new SandboxUnavailableException("cannot reach the Docker engine at " + address() + " to " + doing + " (" + SandboxException.rootMessage(e)
                    + "); is dockerd running? Start it (README: \"Getting a Docker engine\") and try again", e);
        }
        return new SandboxUnavailableException("the Docker engine refused to " + doing + ": " + SandboxException.rootMessage(e), e);
    }

    /** Whether a call failed for want of a connection (an I/O error), not because the engine answered with an error. */
    static boolean unreachable(Throwable e) {
        if (e instanceof DockerException) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** Where the engine is looked for: {@code DOCKER_HOST}, or the default socket. */
    static String address() {
        return DefaultDockerClientConfig.createDefaultConfigBuilder().build().getDockerHost().toString();
    }

    /**
     * Asks the engine to close each connection after its answer. The zerodep client keeps idle connections in a pool
     * and reuses them unchecked: after dockerd restarted, each pooled one failed a request with "Broken pipe" although
     * the engine answered again. A new connection per call costs little next to any engine call; a shell's
     * attached stream keeps its connection for its life, as before (the client sets {@code Connection: Upgrade} there).
     */
    private static final class ConnectionPerRequest implements DockerHttpClient {
        private final DockerHttpClient http;
        private final EngineCalls calls;

        ConnectionPerRequest(DockerHttpClient http, EngineCalls calls) {
            this.http = http;
            this.calls = calls;
        }

        @Override
        public Response execute(Request request) {
            long t0 = System.nanoTime();
            Response r = http.execute(Request.builder().from(request).putHeader("Connection", "close").build());
            calls.answered(request.method() + " " + request.path(), t0, System.nanoTime());
            return r;
        }

        @Override
        public void close() throws IOException {
            http.close();
        }
    }

    /**
     * Whether {@code e} is a stream's connection closed under it (a {@link java.nio.channels.ClosedChannelException}
     * anywhere in its causes, {@link java.nio.channels.AsynchronousCloseException} included): the end of a shell we or
     * the engine closed, not a failure to report.
     */
    static boolean closedUnderUs(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.nio.channels.ClosedChannelException) {
                return true;
            }
        }
        return false;
    }

    /**
     * docker-java copies an attached exec's stdin on a thread of its own ({@code docker-java-httpclient5-hijacking-stream-N})
     * and rethrows whatever ends the copy. When we close a shell whose copier is still writing, that is the channel we
     * closed ({@link java.nio.channels.ClosedChannelException}): the end we asked for, which the JVM's default handler
     * printed as a stack trace on the CLI's stderr. Such an end is logged at debug; every other uncaught exception goes
     * to the handler that was there before.
     */
    static final class QuietStdinCopier implements Thread.UncaughtExceptionHandler {
        private static final String COPIER = "docker-java-httpclient5-hijacking-stream";
        private static final java.util.concurrent.atomic.AtomicBoolean INSTALLED = new java.util.concurrent.atomic.AtomicBoolean();
        private final Thread.UncaughtExceptionHandler previous;

        private QuietStdinCopier(Thread.UncaughtExceptionHandler previous) {
            this.previous = previous;
        }

        static void install() {
            if (INSTALLED.compareAndSet(false, true)) {
                Thread.setDefaultUncaughtExceptionHandler(new QuietStdinCopier(Thread.getDefaultUncaughtExceptionHandler()));
            }
        }

        static boolean closedByUs(Thread thread, Throwable e) {
            if (!thread.getName().startsWith(COPIER)) {
                return false;
            }
            return closedUnderUs(e);
        }

        @Override
        public void uncaughtException(Thread thread, Throwable e) {
            if (closedByUs(thread, e)) {
                org.slf4j.LoggerFactory.getLogger(DockerEngine.class).debug("a closed shell's stdin copier ended: {}", e.toString());
            } else if (previous != null) {
                previous.uncaughtException(thread, e);
            } else {
                thread.getThreadGroup().uncaughtException(thread, e);
            }
        }
    }
}
