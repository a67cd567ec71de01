package io.sandboxops.core.shell;

import java.nio.charset.StandardCharsets;

/** What a one-shot command run by {@link ShellHost#run} left. */
public record ProcessOutcome(int exitCode, byte[] stdout, byte[] stderr) {
    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8).strip();
    }

    public boolean succeeded() {
        return exitCode == 0;
    }
}
