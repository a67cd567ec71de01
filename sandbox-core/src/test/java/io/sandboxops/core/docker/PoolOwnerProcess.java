package io.sandboxops.core.docker;

import io.sandboxops.core.shell.ShellSession;
import java.time.Duration;

/**
 * A client that fills a warm pool and then waits to be killed (DockerWarmPoolTest: what a crashed client leaves).
 * Prints "ready" once its pool holds {@code args[0]} idle containers.
 */
public final class PoolOwnerProcess {
    private PoolOwnerProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        DockerSandboxBackend backend = new DockerSandboxBackend(DockerEngine.connect(), DockerSandboxBackend.DEFAULT_IMAGE,
                ShellSession.Options.defaults());
        backend.setPoolSize(Integer.parseInt(args[0]));
        backend.awaitPoolReady(Duration.ofSeconds(120));
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
