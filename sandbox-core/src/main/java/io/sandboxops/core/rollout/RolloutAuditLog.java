package io.sandboxops.core.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.sandboxops.core.api.SandboxException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The local record of rollout changes: one JSON object per line, only ever appended. Each append takes an
 * exclusive file lock (the console and a terminal may write at once) and is forced to disk before returning,
 * so a change that was reported was recorded.
 */
public final class RolloutAuditLog {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final Path file;

    public RolloutAuditLog(Path file) {
        this.file = file;
    }

    /** {@code ~/.sandbox-ops/audit/rollout.jsonl}. */
    public static RolloutAuditLog inUserHome() {
        return new RolloutAuditLog(Path.of(System.getProperty("user.home"), ".sandbox-ops", "audit", "rollout.jsonl"));
    }

    public Path file() {
        return file;
    }

    /** Appends one entry durably. */
    public void append(AuditEntry entry) {
        byte[] line;
        try {
            line = (JSON.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new SandboxException("cannot encode the audit entry: " + e.getMessage(), e);
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                 FileLock ignored = ch.lock()) {
                ByteBuffer buffer = ByteBuffer.wrap(line);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
        } catch (IOException e) {
            throw new SandboxException("cannot append to the rollout audit log " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every entry, oldest first. A line that cannot be read (a write cut short by a crash) is skipped rather than
     * hiding the entries around it.
     */
    public List<AuditEntry> read() {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SandboxException("cannot read the rollout audit log " + file + ": " + e.getMessage(), e);
        }
        List<AuditEntry> entries = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            try {
                entries.add(JSON.readValue(line, AuditEntry.class));
            } catch (JsonProcessingException e) {
                // torn or foreign line: the rest of the log is still worth showing
            }
        }
        return entries;
    }
}
