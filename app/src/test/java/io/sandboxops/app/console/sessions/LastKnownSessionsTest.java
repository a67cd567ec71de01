package io.sandboxops.app.console.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remembered sessions: read back as written, and a file that cannot be read is ignored rather than stopping a start. */
class LastKnownSessionsTest {
    @TempDir
    Path dir;

    @Test
    void readsBackWhatItSaved() throws Exception {
        LastKnownSessions store = new LastKnownSessions(dir.resolve("console-sessions"));
        Instant at = Instant.parse("2026-11-30T08:15:00Z");
        var snapshot = new LastKnownSessions.Snapshot(at, List.of(new LastKnownSessions.Session("sbx-1", "docker", "running", at.minusSeconds(60))));
        store.save("local", snapshot);
        assertThat(store.load("local")).contains(snapshot);
        assertThat(store.load("staging")).isEmpty();
    }

    @Test
    void aCorruptOrForeignFileIsIgnored() throws Exception {
        LastKnownSessions store = new LastKnownSessions(dir);
        Files.writeString(store.file("local"), "{\"schemaVersion\":1,\"savedAt\":\"yesterday\",\"sessions\":[");
        assertThat(store.load("local")).isEmpty();
        Files.writeString(store.file("local"), "{\"schemaVersion\":1,\"savedAt\":\"2026-11-30T08:15:00Z\",\"sessions\":[{\"id\":7}]}");
        assertThat(store.load("local")).isEmpty();
        Files.writeString(store.file("local"), "{\"schemaVersion\":99}");
        assertThat(store.load("local")).isEmpty();
        Files.write(store.file("local"), new byte[] {(byte) 0xff, 0, 1, 2});
        assertThat(store.load("local")).isEmpty();
    }

    @Test
    void anEnvironmentNameCannotPointOutsideItsDirectory() {
        LastKnownSessions store = new LastKnownSessions(dir.resolve("console-sessions"));
        for (String name : List.of("../../.bashrc", "/etc/passwd", "..", "a/b")) {
            assertThat(store.file(name).getParent()).isEqualTo(dir.resolve("console-sessions"));
        }
    }
}
