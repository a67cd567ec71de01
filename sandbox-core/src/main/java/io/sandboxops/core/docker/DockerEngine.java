package io.sandboxops.core.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.sandboxops.core.api.SandboxUnavailableException;
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
        DockerClient client = DockerClientImpl.getInstance(config, http);
        try {
            client.pingCmd().exec();
        } catch (RuntimeException e) {
            try {
                client.close();
            } catch (Exception ignored) {
                // nothing to release
            }
            throw new SandboxUnavailableException("no Docker engine answers at " + config.getDockerHost() + " ("
                    + rootMessage(e) + "); start one (README: \"Getting a Docker engine\") or point DOCKER_HOST at it", e);
        }
        return client;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
