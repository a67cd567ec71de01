package io.sandboxops.core.cloudrun;

import io.sandboxops.core.files.FileOperations;
import io.sandboxops.core.state.SandboxRecord;
import io.sandboxops.core.state.SessionStateStore;

/** What a sandbox's two halves, {@link CloudRunJobsSandbox} and its {@link CloudRunMode}, both work with. */
record CloudRunSandboxParts(CloudRunJobsSandboxBackend backend, SandboxRecord sandboxRecord, SessionStateStore store,
                            CloudRunJobManager jobs, FileOperations files) {
    String id() {
        return sandboxRecord.sandboxId();
    }
}
