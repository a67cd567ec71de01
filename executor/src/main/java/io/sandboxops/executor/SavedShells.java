package io.sandboxops.executor;

import io.sandboxops.core.shell.SessionDirectory;
import io.sandboxops.core.shell.SessionDirectory.SavedSession;
import io.sandboxops.core.shell.ShellStateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;

/**
 * What the worker's shells saved after their last command, read without a process when it can be.
 *
 * <p>{@link SessionDirectory#read} runs a script (bash, {@code env -0} of the saved state, a check of each background
 * pid in {@code /proc}): tens of milliseconds, after every command. Most commands change neither the shell's state
 * nor the background processes, so this keeps the environment parsed from the last good state it saw
 * ({@link ShellStateFiles}), and reads the meta itself when that state is byte for byte the same and the shell never
 * started a background process. Anything else, and the first read of a shell, goes through the
 * script, which stays the one parser of the shell's saved state. The files are those {@code init.bash} writes.
 * Thread-safe.
 */
final class SavedShells {
    private final SessionDirectory directory;
    private final ConcurrentMap<String, Parsed> parsed = new ConcurrentHashMap<>();

    /** The environment the script parsed from the saved {@code state}, and the session's creation time. */
    private record Parsed(byte[] state, Map<String, String> env, Instant createdAt) {
    }

    SavedShells(SessionDirectory directory) {
        this.directory = directory;
    }

    /** What {@code shell} saved; empty when it never saved anything. */
    Optional<SavedSession> read(String shell) {
        Path dir = Path.of(directory.stateRoot(), shell);
        try {
            Optional<ShellStateFiles.Slot> good = ShellStateFiles.good(dir);
            if (good.isEmpty()) {
                return directory.read(List.of(shell)).stream().findFirst();
            }
            Parsed known = parsed.get(shell);
            byte[] state = ShellStateFiles.record(good.get().state());
            if (known != null && Arrays.equals(known.state(), state) && !hasBackground(dir)) {
                Optional<String> last = ShellStateFiles.lastCommand(dir);
                Instant updated = Files.getLastModifiedTime(good.get().meta()).toInstant();
                return Optional.of(new SavedSession(shell, good.get().cwd(), known.env(), known.createdAt(), updated, last, List.of()));
            }
            List<SavedSession> found = directory.read(List.of(shell));
            if (found.isEmpty()) {
                return Optional.empty();
            }
            SavedSession s = found.get(0);
            parsed.put(shell, new Parsed(state, s.env(), s.createdAt()));
            return Optional.of(s);
        } catch (IOException e) {
            // Closed or unreadable: the script says what there is, or why not.
            return directory.read(List.of(shell)).stream().findFirst();
        }
    }

    /** Drops what is known of a closed shell. */
    void forget(String shell) {
        parsed.remove(shell);
    }

    private static boolean hasBackground(Path dir) throws IOException {
        Path bg = dir.resolve("bg");
        if (!Files.isDirectory(bg)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(bg)) {
            return entries.findAny().isPresent();
        }
    }
}
