package io.sandboxops.app.env;

import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.Environment;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

/**
 * Where the local emulator started by {@code sandboxctl emulator start} listens, and its per-run access token, written
 * to a file only its owner can read (0600 where the file system has POSIX permissions) so that later {@code sandboxctl}
 * processes of the same user working on the {@code local} environment find it, and nobody else does.
 */
public final class RunningEmulator {
    private RunningEmulator() {
    }

    /** {@code ~/.sandbox-ops/local-emulator.properties}, beside the environments file and the audit log. */
    public static Path file() {
        return Path.of(System.getProperty("user.home"), ".sandbox-ops", "local-emulator.properties");
    }

    public static void record(CloudTarget target) {
        Properties p = new Properties();
        p.setProperty("grpc", target.grpcEndpoint().orElseThrow());
        p.setProperty("storage", target.storageHost().orElseThrow());
        p.setProperty("token", target.localToken().orElseThrow());
        p.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
        try {
            Files.createDirectories(file().getParent());
            // Written under a new name created owner-only, then moved: the token is never readable by others, not even
            // for the moment between creating the file and restricting it.
            Path tmp = file().resolveSibling(file().getFileName() + ".tmp-" + ProcessHandle.current().pid());
            Files.deleteIfExists(tmp);
            if (Files.getFileStore(file().getParent()).supportsFileAttributeView(PosixFileAttributeView.class)) {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(tmp);
            }
            try (Writer w = Files.newBufferedWriter(tmp)) {
                p.store(w, "written by sandboxctl emulator start; removed when it stops. Holds the emulator's access token: keep it private");
            }
            Files.move(tmp, file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SandboxUnavailableException("cannot write " + file() + ": " + e.getMessage(), e);
        }
    }

    /** Removes the file if this process wrote it. */
    public static void forget() {
        try {
            Properties p = read();
            if (Long.toString(ProcessHandle.current().pid()).equals(p.getProperty("pid"))) {
                Files.deleteIfExists(file());
            }
        } catch (IOException | RuntimeException e) {
            // nothing to forget
        }
    }

    /**
     * The local environment's target, when an emulator started by {@code sandboxctl emulator start} answers.
     *
     * @throws SandboxUnavailableException saying how to start one
     */
    public static CloudTarget target(Environment local) {
        Properties p;
        try {
            p = read();
        } catch (IOException e) {
            throw notRunning("no emulator has been started (" + file() + " is missing)");
        }
        String grpc = p.getProperty("grpc", "");
        String storage = p.getProperty("storage", "");
        String token = p.getProperty("token", "");
        if (!answers(grpc)) {
            throw notRunning("the emulator recorded in " + file() + " (" + grpc + ") does not answer");
        }
        if (token.isBlank()) {
            throw notRunning(file() + " holds no access token (written by an older sandboxctl)");
        }
        return local.localTarget(grpc, storage, token);
    }

    private static Properties read() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file())) {
            p.load(r);
        }
        return p;
    }

    private static boolean answers(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            return false;
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))), 1000);
            return true;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private static SandboxUnavailableException notRunning(String why) {
        return new SandboxUnavailableException("the local environment needs its emulator: " + why
                + "; start it with `bin/sandboxctl emulator start` in another terminal");
    }
}
