package io.sandboxops.core.shell;

import io.sandboxops.core.api.SandboxException;

/** Where a {@link ShellTransport} delivers what the shell prints. Called from the transport's reader threads. */
public interface ShellOutput {
    void stdout(byte[] bytes, int offset, int length);

    void stderr(byte[] bytes, int offset, int length);

    /**
     * The shell ended; nothing more will be delivered.
     *
     * @param exitCode its exit status, or -1 when it is not known
     */
    void closed(int exitCode);

    /**
     * The shell ended because the machine under it went away (its container stopped, the connection to the engine
     * broke), not by itself; nothing more will be delivered. The command in flight fails with {@code reason}.
     *
     * @param reason what happened and what the next command will do, for a person to read
     */
    void lost(SandboxException reason);
}
