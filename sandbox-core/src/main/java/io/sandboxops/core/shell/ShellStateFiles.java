package io.sandboxops.core.shell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The layout of a session's saved state on the machine its shells run on, for code that reads or seeds it directly
 * (the Cloud Run executor). Two slots, each a state file ({@code state.N}, bash up to a NUL) and a meta file
 * ({@code meta.N}: sequence number NUL cwd NUL background pid NUL) written after it; the newest slot with a complete meta is the last good
 * state. The engine shell rewrites files in place, so whatever follows a record's NUL is left over from before
 * (init.bash writes and reads them; {@code sessions.bash} lists them).
 */
public final class ShellStateFiles {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private ShellStateFiles() {
    }

    /** A complete slot: its state file, its meta file, sequence number and cwd. */
    public record Slot(Path state, Path meta, long seq, String cwd) {
    }

    /** The command a shell took last, from its {@code last_command} file ("SEQ NUL COMMAND NUL"); empty when none. */
    public static Optional<String> lastCommand(Path dir) throws IOException {
        Path file = dir.resolve("last_command");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String[] f = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\0", -1);
        return f.length >= 3 && !f[1].isEmpty() ? Optional.of(f[1]) : Optional.empty();
    }

    /** Writes {@code command} as the one a shell took last, as the engine shell records it. */
    public static void writeLastCommand(Path dir, String command) throws IOException {
        Files.writeString(dir.resolve("last_command"), "0\0" + command + "\0", StandardCharsets.UTF_8);
    }

    /** The bytes of {@code file} up to its first NUL (or all of them): a record the engine shell rewrites in place. */
    public static byte[] record(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return java.util.Arrays.copyOf(b, i);
            }
        }
        return b;
    }

    /** The last good state in {@code dir}, or empty when no slot is complete. */
    public static Optional<Slot> good(Path dir) {
        Slot found = null;
        for (int slot = 0; slot < 2; slot++) {
            try {
                String[] meta = Files.readString(dir.resolve("meta." + slot), StandardCharsets.UTF_8).split("\0", -1);
                Path state = dir.resolve("state." + slot);
                if (meta.length >= 3 && meta[0].matches("[0-9]{1,18}") && !meta[1].isEmpty() && Files.isRegularFile(state)
                        && (found == null || Long.parseLong(meta[0]) > found.seq())) {
                    found = new Slot(state, dir.resolve("meta." + slot), Long.parseLong(meta[0]), meta[1]);
                }
            } catch (IOException e) {
                // no such slot yet
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Seeds {@code dir} with a state of exported variables and a cwd, as a shell would have saved it, replacing any
     * saved state. Names that are not shell identifiers are left out.
     */
    public static void seed(Path dir, Map<String, String> env, String cwd) throws IOException {
        Files.createDirectories(dir);
        StringBuilder sh = new StringBuilder();
        env.forEach((k, v) -> {
            if (NAME.matcher(k).matches()) {
                sh.append("declare -x ").append(k).append("=").append(ShellSession.singleQuoted(v)).append('\n');
            }
        });
        sh.append("builtin cd -- ").append(ShellSession.singleQuoted(cwd)).append(" || :\n\0");
        // Sequence number 1 lives in slot 1 (a shell writes number n to slot n % 2), so the next command writes slot 0.
        Files.deleteIfExists(dir.resolve("meta.0"));
        Files.deleteIfExists(dir.resolve("state.0"));
        Files.writeString(dir.resolve("state.1"), sh, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("meta.1"), "1\0" + cwd + "\0\0", StandardCharsets.UTF_8);
    }
}
