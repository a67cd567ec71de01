package io.sandboxops.core.testing;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.state.FileManifest;
import io.sandboxops.core.state.RetryPolicy;
import io.sandboxops.core.state.SessionStateStore;
import io.sandboxops.emulator.LocalCloud;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeMap;
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

    // A sandbox's manifest as code in it could forge one: it can write its own `sessions/{id}/` objects.

    /** Manifest entries holding only the persisted root {@code /workspace}, for a test to add to. */
    public static TreeMap<String, FileManifest.Entry> workspaceTree() {
        TreeMap<String, FileManifest.Entry> e = new TreeMap<>();
        e.put("/workspace", FileManifest.Entry.directory(0755, 0));
        return e;
    }

    /** Writes {@code entries} as {@code sandbox}'s manifest (root {@code /workspace}) over {@code generation}; the new one. */
    public long writeManifest(String sandbox, TreeMap<String, FileManifest.Entry> entries, long generation) {
        return store.write(SessionStateStore.manifestObject(sandbox), new FileManifest(1, List.of("/workspace"), entries), generation);
    }

    /** A file entry whose content {@code sandbox} stored as {@code fs/blobName}. */
    public FileManifest.Entry storedFile(String sandbox, String blobName, String content) {
        String blob = "fs/" + blobName;
        clients.storage().create(BlobInfo.newBuilder(BlobId.of(BUCKET, SessionStateStore.sandboxPrefix(sandbox) + blob)).build(),
                content.getBytes(StandardCharsets.UTF_8));
        return new FileManifest.Entry(FileEntry.Type.FILE, 0644, content.length(), 0, null, blob, null);
    }

    /** A link entry to {@code target}. */
    public static FileManifest.Entry link(String target) {
        return new FileManifest.Entry(FileEntry.Type.SYMLINK, 0777, 0, 0, null, null, target);
    }
}
