package io.sandboxops.app.console.environment;

/** Opens an environment; blocking (it pings engines and starts servers), so it runs as a background task. */
@FunctionalInterface
public interface WorkspaceOpener {

    /** Never throws for an unavailable service: that is reported in the workspace's statuses. */
    Workspace open(ConsoleEnvironment environment);
}
