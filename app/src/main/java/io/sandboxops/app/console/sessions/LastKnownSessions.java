package io.sandboxops.app.console.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions each environment listed last, so the console can show them the moment its window opens, marked as
 * stale, while the environment opens. One small file per environment, owner-only, replaced in one rename. It holds
 * only what the table's first columns show (id, backend, state, created): never a command, its output or an
 * environment value. A file that cannot be read is logged and ignored: this is a hint, never a reason not to start.
 */
public final class LastKnownSessions {
    private static final Logger log = LoggerFactory.getLogger(LastKnownSessions.class);
    private static final int SCHEMA = 1;

    /** One remembered session. */
    public record Session(String id, String backend, String state, Instant created) {
    }

    /** What an environment listed, and when. */
    public record Snapshot(Instant savedAt, List<Session> sessions) {
        public Snapshot {
            sessions = List.copyOf(sessions);
        }
    }

    private final Path dir;
    private final ObjectMapper mapper = new ObjectMapper();

    /** @param dir where the files live, e.g. {@code ~/.sandbox-ops/console-sessions} */
    public LastKnownSessions(Path dir) {
        this.dir = dir;
    }

    /** In the user's {@code ~/.sandbox-ops}, beside the console's other files. */
    public static LastKnownSessions inUserHome() {
        return new LastKnownSessions(Path.of(System.getProperty("user.home"), ".sandbox-ops", "console-sessions"));
    }

    /** The file of {@code environment}: its name encoded, so no name can point outside {@link #dir}. */
    public Path file(String environment) {
        return dir.resolve("sessions-" + URLEncoder.encode(environment, StandardCharsets.UTF_8) + ".json");
    }

    /** What {@code environment} listed last; empty when nothing was saved or the file cannot be read (logged). */
    public Optional<Snapshot> load(String environment) {
        Path file = file(environment);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode root = mapper.readTree(file.toFile());
            if (root == null || root.path("schemaVersion").asInt() != SCHEMA) {
                log.info("ignoring the last known sessions in {}: not a schema {} file", file, SCHEMA);
                return Optional.empty();
            }
            List<Session> sessions = new ArrayList<>();
            for (JsonNode s : root.withArray("sessions")) {
                sessions.add(new Session(text(s, "id"), text(s, "backend"), text(s, "state"), Instant.parse(text(s, "created"))));
            }
            return Optional.of(new Snapshot(Instant.parse(text(root, "savedAt")), sessions));
        } catch (IOException | RuntimeException e) {
            log.warn("ignoring the last known sessions in {}, which cannot be read: {}", file, e.toString());
            return Optional.empty();
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("no text field " + field);
        }
        return v.asText();
    }

    /** Replaces what {@code environment} listed last: blocking file I/O, for a background task. */
    public void save(String environment, Snapshot snapshot) throws IOException {
        ObjectNode root = mapper.createObjectNode();
        root.put("schemaVersion", SCHEMA);
        root.put("savedAt", snapshot.savedAt().toString());
        ArrayNode list = root.putArray("sessions");
        for (Session s : snapshot.sessions()) {
            list.addObject().put("id", s.id()).put("backend", s.backend()).put("state", s.state()).put("created", s.created().toString());
        }
        boolean posix = posix();
        if (!Files.isDirectory(dir)) {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
        // Created owner-only, then moved over the old one: a reader sees the old file or the new one, never half of one.
        Path temporary = posix
                ? Files.createTempFile(dir, ".sessions-", ".json", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, ".sessions-", ".json");
        try {
            mapper.writeValue(temporary.toFile(), root);
            Files.move(temporary, file(environment), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private boolean posix() throws IOException {
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing != null && Files.getFileStore(existing).supportsFileAttributeView(PosixFileAttributeView.class);
    }
}
