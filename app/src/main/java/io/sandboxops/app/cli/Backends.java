package io.sandboxops.app.cli;

import io.sandboxops.app.env.SandboxBackends;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import io.sandboxops.core.docker.DockerSandboxBackend;
import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.Environment;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the backend a command names, and the sandbox behind a session id. Every backend is observed: each operation
 * is one client event in the environment's Cloud Logging ({@link SandboxBackends}).
 */
final class Backends {
    private static final Logger log = LoggerFactory.getLogger(Backends.class);

    static final String DOCKER = DockerSandboxBackend.NAME;
    static final String CLOUDRUN = CloudRunJobsSandboxBackend.NAME;

    private Backends() {
    }

    /** The {@code --backend} values: what picocli accepts (else a usage error), completes and lists in the help. */
    static final class Names implements Iterable<String>, Usage.Converter<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of(DOCKER, CLOUDRUN).iterator();
        }

        @Override
        public String parse(String text) {
            if (DOCKER.equals(text) || CLOUDRUN.equals(text)) {
                return text;
            }
            throw new IllegalArgumentException("unknown backend \"" + text + "\"; use " + DOCKER + " or " + CLOUDRUN);
        }
    }

    /**
     * @param environment where a Cloud Run backend's project, region, bucket and executor image come from (the
     *                    local Docker engine is the same for every environment)
     */
    static SandboxBackend open(String name, EnvironmentOption environment) {
        return open(name, environment, null);
    }

    /**
     * As {@link #open(String, EnvironmentOption)}, with a Cloud Run backend running {@code executorImage} instead of
     * the environment's executor image. A Cloud Run sandbox's image is its backend's (one job per image), while a
     * Docker sandbox takes its image from its {@code SandboxSpec}: for docker this argument changes nothing.
     *
     * @param executorImage the executor image for cloudrun, or null for the environment's
     */
    static SandboxBackend open(String name, EnvironmentOption environment, String executorImage) {
        // A verb keeps no pool of its own (0): it claims from a pool a long-running client keeps (the console, the agent
        // service through the library), while one it filled would be made only to be removed or cancelled at its exit.
        if (DOCKER.equals(name)) {
            return SandboxBackends.docker(eventTarget(environment), 0);
        }
        if (CLOUDRUN.equals(name)) {
            Environment env = environment.environment();
            if (executorImage != null && !executorImage.isBlank()) {
                env = env.withExecutorImage(executorImage.strip());
            }
            return SandboxBackends.cloudRun(env, EnvironmentOption.target(env), 0);
        }
        throw new SandboxInvalidInputException("unknown backend \"" + name + "\"; use " + DOCKER + " or " + CLOUDRUN);
    }

    /**
     * Where a Docker backend's events go: the Cloud Logging of the environment (for {@code local}, the emulator that
     * {@code sandboxctl emulator start} runs). With no emulator running or no environment to be had, nowhere: plain
     * Docker use needs no cloud, and an operation never waits on its event.
     */
    static Optional<CloudTarget> eventTarget(EnvironmentOption environment) {
        try {
            return Optional.of(EnvironmentOption.target(environment.environment()));
        } catch (RuntimeException e) {
            log.debug("the Docker sandbox operation events go nowhere: {}", e.getMessage());
            return Optional.empty();
        }
    }

    /** The session's sandbox; a CLI session is one sandbox whose first shell session has the same id. */
    static Sandbox sandbox(SandboxBackend backend, String sessionId) {
        return backend.get(sessionId);
    }
}
