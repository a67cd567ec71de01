package io.sandboxops.executor;

import io.sandboxops.core.api.PoolStatus;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;

/**
 * A Cloud Run client in a process of its own for {@link CloudRunWarmPoolTest#aCrashedClientsIdleWorkersAreSwept}: it
 * fills its warm pool (its first create starts it), prints {@code idle <worker>} for the first idle worker and waits to be
 * killed, never closing its backend — a client that crashed.
 */
public final class PoolClientMain {
    private PoolClientMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        CloudRunJobsSandboxBackend backend = CloudRunJobsSandboxBackend.fromEnvironment();
        backend.create(SandboxSpec.newBuilder().build());
        while (true) {
            PoolStatus s = backend.poolStatus();
            var idle = s.members().stream().filter(m -> m.state().equals("idle")).findFirst();
            if (idle.isPresent()) {
                System.out.println("idle " + idle.get().id());
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
            Thread.sleep(100);
        }
    }
}
