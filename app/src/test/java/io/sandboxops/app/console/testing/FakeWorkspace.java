package io.sandboxops.app.console.testing;

import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.ServiceStatus;
import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.rollout.ControlPlane;
import java.util.List;
import java.util.Optional;
import java.util.Map;

/** A workspace over given backends, with given statuses; tells when it is closed. */
public final class FakeWorkspace implements Workspace {
    private final ConsoleEnvironment environment;
    private final Map<String, SandboxBackend> backends;
    private final List<ServiceStatus> statuses;
    private Runnable onClose = () -> { };
    private ControlPlane controlPlane;

    public FakeWorkspace(ConsoleEnvironment environment, Map<String, SandboxBackend> backends, List<ServiceStatus> statuses) {
        this.environment = environment;
        this.backends = backends;
        this.statuses = statuses;
    }

    public static FakeWorkspace of(FakeSandboxBackend backend) {
        return new FakeWorkspace(ConsoleEnvironment.local(), Map.of(FakeSandboxBackend.NAME, backend),
                List.of(new ServiceStatus("Docker", ServiceStatus.Health.UP, "fake engine")));
    }

    /** With the rollout, metrics and logs of {@code plane} (an {@link EmulatedControlPlane}'s). */
    public FakeWorkspace withControlPlane(ControlPlane plane) {
        this.controlPlane = plane;
        return this;
    }

    @Override
    public Optional<ControlPlane> controlPlane() {
        return Optional.ofNullable(controlPlane);
    }

    public FakeWorkspace onClose(Runnable callback) {
        this.onClose = callback;
        return this;
    }

    @Override
    public ConsoleEnvironment environment() {
        return environment;
    }

    @Override
    public Map<String, SandboxBackend> backends() {
        return backends;
    }

    @Override
    public List<ServiceStatus> statuses() {
        return statuses;
    }

    @Override
    public void close() {
        onClose.run();
    }
}
