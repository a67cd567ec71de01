package io.sandboxops.core.shell;

import java.io.IOException;

/**
 * A running bash process the engine talks to: bytes in on its stdin, stdout and stderr pushed out to a
 * {@link ShellOutput}. Implementations: a Docker exec with attached stdin, a local process.
 */
public interface ShellTransport extends AutoCloseable {

    /** Writes to the shell's stdin and flushes. */
    void write(byte[] bytes) throws IOException;

    /** Ends the shell (closes its stdin and the connection); {@link ShellOutput#closed} follows. */
    @Override
    void close();
}
