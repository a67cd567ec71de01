package io.sandboxops.app.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code sandboxctl} in a JVM of its own, on this test's classpath: for what a run in-process ({@link CliRun}) cannot
 * show, a variable of the process environment or a process killed half-way. Its home is the test's (and so are its
 * emulator record and audit log); it never probes the GCE metadata server.
 */
public final class SandboxCtlProcess {
    private SandboxCtlProcess() {
    }

    /**
     * @param home where {@code user.home} points; stdout goes to {@code out.txt} there, stderr to {@code err.txt}
     * @param env  variables added to this process's environment
     */
    public static Process start(Path home, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"), SandboxCtl.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(home.resolve("out.txt").toFile()).redirectError(home.resolve("err.txt").toFile());
        pb.environment().put("NO_GCE_CHECK", "true");
        pb.environment().putAll(env);
        return pb.start();
    }
}
