package io.sandboxops.core.docker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

class QuietStdinCopierTest {

    @Test
    void onlyAClosedChannelEndingDockerJavasStdinCopierIsQuiet() {
        Thread copier = new Thread(() -> { }, "docker-java-httpclient5-hijacking-stream-2021723261");
        Thread other = new Thread(() -> { }, "worker-1");
        RuntimeException closed = new RuntimeException(new ClosedChannelException());
        assertTrue(DockerEngine.QuietStdinCopier.closedByUs(copier, closed));
        assertFalse(DockerEngine.QuietStdinCopier.closedByUs(other, closed), "another thread's failure is printed as before");
        assertFalse(DockerEngine.QuietStdinCopier.closedByUs(copier, new RuntimeException(new java.io.IOException("broken pipe"))),
                "any other end of the copier is printed as before");
    }
}
