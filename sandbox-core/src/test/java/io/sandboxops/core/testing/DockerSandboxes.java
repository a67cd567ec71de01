package io.sandboxops.core.testing;

import io.sandboxops.core.api.PoolStatus;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.docker.DockerSandboxBackend;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real Docker engine for a test class: one backend from the environment, sandboxes labelled with this run (so the
 * sweep after the class finds every one, even those a failed test left), each destroyed after its test.
 * Register it on a static field: {@code @RegisterExtension static final DockerSandboxes docker = new DockerSandboxes();}
 * beside {@link RequiresDocker}, which skips the class before this connects when no engine answers.
 */
public final class DockerSandboxes implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {
    private final String run = UUID.randomUUID().toString();
    private final List<Sandbox> created = new CopyOnWriteArrayList<>();
    private DockerSandboxBackend backend;

    @Override
    public void beforeAll(ExtensionContext context) {
        backend = DockerSandboxBackend.fromEnvironment();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (Sandbox s : created) {
            try {
                s.destroy();
            } catch (RuntimeException e) {
                // the sweep after the class tries again
            }
        }
        created.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (backend != null) {
            backend.list().stream().filter(s -> run.equals(s.labels().get("test-run"))).forEach(s -> backend.get(s.id()).destroy());
            backend.close();
        }
    }

    public DockerSandboxBackend backend() {
        return backend;
    }

    /** The value of the {@code test-run} label of everything this class makes, for what a test makes by other means. */
    public String run() {
        return run;
    }

    /** A sandbox of the default image, destroyed after the test. */
    public Sandbox create() {
        return create(SandboxSpec.newBuilder());
    }

    /** A sandbox of {@code spec}, labelled with this run and destroyed after the test. */
    public Sandbox create(SandboxSpec.Builder spec) {
        Sandbox s = backend.create(spec.label("test-run", run).build());
        created.add(s);
        return s;
    }

    /**
     * The ids of every warm-pool member on the engine now, whichever client keeps it, read by a client that keeps none.
     * The engine's pool is shared (a console, a crashed run's leftovers): a test takes this before it fills a pool of its
     * own, to tell its members from the others.
     */
    public static List<String> poolMemberIds() {
        try (DockerSandboxBackend reader = DockerSandboxBackend.fromEnvironment(0)) {
            return reader.poolStatus().members().stream().map(PoolStatus.Member::id).toList();
        }
    }
}
