package io.sandboxops.core.testing;

import com.google.cloud.storage.BucketInfo;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.state.RetryPolicy;
import io.sandboxops.core.state.SessionStateStore;
import io.sandboxops.emulator.LocalCloud;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A local cloud with the session state bucket {@value #BUCKET} for a test class, reached through the official
 * clients with the run's token, and a {@link SessionStateStore} on it. Register it on a static field:
 * {@code @RegisterExtension static final LocalStateBucket state = new LocalStateBucket();}
 */
public final class LocalStateBucket implements BeforeAllCallback, AfterAllCallback {
    public static final String BUCKET = "state";

    private LocalCloud cloud;
    private GoogleClients clients;
    private SessionStateStore store;

    @Override
    public void beforeAll(ExtensionContext context) {
        cloud = LocalCloud.start();
        clients = new GoogleClients(LocalTargets.of(cloud));
        clients.storage().create(BucketInfo.of(BUCKET));
        store = new SessionStateStore(clients.storage(), BUCKET, RetryPolicy.defaults());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (clients != null) {
            clients.close();
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    public LocalCloud cloud() {
        return cloud;
    }

    public GoogleClients clients() {
        return clients;
    }

    public SessionStateStore store() {
        return store;
    }
}
