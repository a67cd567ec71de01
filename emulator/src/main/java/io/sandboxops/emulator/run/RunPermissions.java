package io.sandboxops.emulator.run;

import com.google.iam.v1.TestIamPermissionsRequest;
import com.google.iam.v1.TestIamPermissionsResponse;

/**
 * The emulator's answer to Run's {@code TestIamPermissions} on a job or a service that exists: its one local principal
 * holds every {@code run.*} permission asked for, and nothing else.
 */
final class RunPermissions {
    private RunPermissions() {
    }

    static TestIamPermissionsResponse held(TestIamPermissionsRequest request) {
        return TestIamPermissionsResponse.newBuilder()
                .addAllPermissions(request.getPermissionsList().stream().filter(p -> p.startsWith("run.")).toList()).build();
    }
}
