package io.sandboxops.core.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.state.FileManifest;
import io.sandboxops.core.testing.LocalStateBucket;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13, bounded recursion: a Cloud Run sandbox can forge its manifest and a user can type any path, and the
 * bucket store resolves a path one element per call. Following them must end with an answer or a refusal, never a
 * {@code StackOverflowError} (which a 100,000-element path was).
 */
class BucketFileStoreHostilePathTest {
    @RegisterExtension
    static final LocalStateBucket state = new LocalStateBucket();

    @Test
    void aChainOfLinksThroughDeepDirectoriesIsFollowedWithoutRecursingPerElement() {
        String sandbox = "sbx-link-chain";
        // 2,000 levels is within PATH_MAX; 39 links, each to the next one that deep: followed one after the other, not nested.
        String deep = "/workspace/" + "d/".repeat(2_000);
        TreeMap<String, FileManifest.Entry> e = LocalStateBucket.workspaceTree();
        for (int i = 0; i < 39; i++) {
            e.put(deep + "m" + i, LocalStateBucket.link(deep + "m" + (i + 1)));
        }
        e.put(deep + "m39", state.storedFile(sandbox, "end", "end"));
        state.writeManifest(sandbox, e, 0);
        FileOperations files = new FileOperations(new BucketFileStore(state.store(), sandbox), "/workspace");

        assertThat(files.exists(deep + "m0")).isTrue();
        assertThat(files.read(deep + "m0", LineRange.all())).isEqualTo("end");
        assertThat(new BucketFileStore(state.store(), sandbox).stat(deep + "m0").type()).isEqualTo(FileEntry.Type.FILE);
    }

    @Test
    void aPathLongerThanAnySystemTakesIsRefusedByName() {
        state.writeManifest("sbx-long-path", LocalStateBucket.workspaceTree(), 0);
        FileOperations files = new FileOperations(new BucketFileStore(state.store(), "sbx-long-path"), "/workspace");
        assertThatThrownBy(() -> files.exists("/workspace/" + "d/".repeat(100_000))).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("4096");
    }
}
