package io.sandboxops.core.shell;

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
}
