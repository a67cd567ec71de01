package io.sandboxops.executor;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link LocalCloudHarness} with the process runner (the real executor, each task in its own namespaces as uid
 * 1000) for a test class, started before its first test and closed after its last. Register it on a static field
 * beside {@link RequiresPrivateNamespaces}, which skips the class before anything starts where it cannot run:
 * {@code @RegisterExtension static final ProcessRunnerCloud localCloud = new ProcessRunnerCloud();}
 */
final class ProcessRunnerCloud implements BeforeAllCallback, AfterAllCallback {
    private LocalCloudHarness harness;

    @Override
    public void beforeAll(ExtensionContext context) {
        harness = LocalCloudHarness.withProcessRunner();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (harness != null) {
            harness.close();
        }
    }

    LocalCloudHarness harness() {
        return harness;
    }
}
