package io.sandboxops.app.console.environment;

import io.sandboxops.core.api.SandboxBackend;
import java.util.List;
import java.util.Map;

/**
 * An environment once opened: the sandbox backends that answered and how each needed service is doing.
 * Closing it releases the backends and stops what it started (the embedded emulator).
 */
public interface Workspace extends AutoCloseable {

    ConsoleEnvironment environment();

    /** @return the backends that answered, by name ({@code docker}, {@code cloudrun}); empty when none did */
    Map<String, SandboxBackend> backends();

    List<ServiceStatus> statuses();

    @Override
    void close();
}
