package io.sandboxops.core.testing;

import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudEndpoints;

/** The {@link CloudTarget} of a running {@link LocalCloud}: its endpoints and its per-run token. */
public final class LocalTargets {
    private LocalTargets() {
    }

    public static CloudTarget of(LocalCloud cloud) {
        return of(cloud.endpoints());
    }

    public static CloudTarget of(LocalCloudEndpoints e) {
        return CloudTarget.plaintext(e.projectId(), e.location(), e.grpcTarget(), e.storageHost(), e.accessToken());
    }
}
