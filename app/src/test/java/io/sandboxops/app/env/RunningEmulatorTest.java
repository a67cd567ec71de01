package io.sandboxops.app.env;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.Environment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emulator's record holds its access token, so only its owner may read it, from the moment it exists. */
class RunningEmulatorTest {
    @TempDir
    Path home;
    private String savedHome;

    @BeforeEach
    void ownHome() {
        savedHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
    }

    @AfterEach
    void restoreHome() {
        System.setProperty("user.home", savedHome);
    }

    @Test
    void theRecordWithTheTokenIsReadableByItsOwnerOnlyAndForgottenByItsWriter() throws Exception {
        CloudTarget target = Environment.local().localTarget("127.0.0.1:1", "http://127.0.0.1:2", "lc-a-token-of-this-run-0123456789");
        RunningEmulator.record(target);
        Path file = RunningEmulator.file();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).contains("lc-a-token-of-this-run-0123456789");
        try (var siblings = Files.list(file.getParent())) {
            assertThat(siblings.map(p -> p.getFileName().toString())).as("no temporary copy left beside it")
                    .containsExactly(file.getFileName().toString());
        }
        RunningEmulator.forget();
        assertThat(file).doesNotExist();
    }
}
