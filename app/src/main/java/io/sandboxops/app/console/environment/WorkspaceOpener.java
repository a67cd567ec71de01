package io.sandboxops.app.console.environment;

import java.util.function.Consumer;

/** Opens an environment; blocking (it pings engines and starts servers), so it runs as a background task. */
@FunctionalInterface
public interface WorkspaceOpener {

    /** Never throws for an unavailable service: that is reported in the workspace's statuses. */
    Workspace open(ConsoleEnvironment environment);

    /**
     * As {@link #open(ConsoleEnvironment)}, handing {@code early} (on this thread) the part that answered first while the
     * rest still opens, so its sessions can be listed sooner. The early workspace owns nothing: closing it releases
     * nothing, the one returned owns it all. An opener with nothing to give early gives nothing.
     */
    default Workspace open(ConsoleEnvironment environment, Consumer<Workspace> early) {
        return open(environment);
    }
}
