package io.sandboxops.core.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.google.api.gax.paging.Page;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import io.sandboxops.core.api.SandboxConflictException;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.util.InterruptibleSleep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The session state of Cloud Run sandboxes in a Cloud Storage bucket ({@code SANDBOX_STATE_BUCKET}, DESIGN §5).
 * Every write carries {@code ifGenerationMatch}, so two writers never lose an update: a read-modify-write that
 * meets a newer generation reads again and reapplies its change ({@link #update}). Because every write has a
 * precondition, the Storage client's own retry of transient errors (429, 5xx) is safe for all of them; calls
 * without one (listing, deleting by name) go through {@link RetryPolicy}. Thread-safe.
 *
 * <pre>
 * sessions/{sandbox}/sandbox.json                       {@link SandboxRecord}
 * sessions/{sandbox}/shells/{session}/state.json        {@link ShellState}
 * sessions/{sandbox}/manifest.json, fs/…                {@link FileManifest} and file contents
 * sessions/{sandbox}/worker.json                        the live session worker
 * sessions/{sandbox}/inbox/…, outbox/…                  the session worker's mailbox
 * sessions/{sandbox}/executions/{execution}/result.json a once-mode result
 * control/sessions/{sandbox}/mailbox-key.json           the key its client signs mailbox requests with: outside the
 *                                                       sandbox's prefix, so no sandbox's token can read it
 * </pre>
 */
public final class SessionStateStore {
    /** How often a conflicting read-modify-write is tried again before giving up. */
    private static final int CONFLICT_ATTEMPTS = 200;

    private final Storage storage;
    private final String bucket;
    private final RetryPolicy retry;
    private final ObjectMapper json;
    private final Calls calls = new Calls();

    /**
     * How many Cloud Storage requests this store made, by kind (each attempt of a retried call counts): what the
     * benchmarks report as a command's Storage calls. File contents moved by {@code FileTreeSync} are not counted here.
     */
    public static final class Calls {
        public final java.util.concurrent.atomic.AtomicLong metadata = new java.util.concurrent.atomic.AtomicLong();
        public final java.util.concurrent.atomic.AtomicLong media = new java.util.concurrent.atomic.AtomicLong();
        public final java.util.concurrent.atomic.AtomicLong insert = new java.util.concurrent.atomic.AtomicLong();
        public final java.util.concurrent.atomic.AtomicLong delete = new java.util.concurrent.atomic.AtomicLong();
        public final java.util.concurrent.atomic.AtomicLong list = new java.util.concurrent.atomic.AtomicLong();

        public long total() {
            return metadata.get() + media.get() + insert.get() + delete.get() + list.get();
        }

        @Override
        public String toString() {
            return "get=" + metadata + " media=" + media + " insert=" + insert + " delete=" + delete + " list=" + list;
        }
    }

    /** A value read with the generation it had; generation 0 means the object does not exist. */
    public record Versioned<T>(T value, long generation) {
    }

    /** A write lost to a newer generation; an {@link #update} retries on it. */
    public static final class GenerationConflict extends SandboxConflictException {
        private static final long serialVersionUID = 1L;

        GenerationConflict(String object) {
            super(object + " was changed by another writer");
        }
    }

    public SessionStateStore(Storage storage, String bucket, RetryPolicy retry) {
        this.storage = storage;
        this.bucket = bucket;
        this.retry = retry;
        this.json = objectMapper();
    }

    /** The JSON mapping of every state object and mailbox message. */
    public static ObjectMapper objectMapper() {
        return new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    public ObjectMapper json() {
        return json;
    }

    public Storage storage() {
        return storage;
    }

    public String bucket() {
        return bucket;
    }

    public RetryPolicy retryPolicy() {
        return retry;
    }

    /** The Storage requests made so far. */
    public Calls calls() {
        return calls;
    }

    // ---- names -------------------------------------------------------------------------------------------

    public static String sandboxPrefix(String sandboxId) {
        return "sessions/" + sandboxId + "/";
    }

    public static String sandboxObject(String sandboxId) {
        return sandboxPrefix(sandboxId) + "sandbox.json";
    }

    public static String shellObject(String sandboxId, String sessionId) {
        return sandboxPrefix(sandboxId) + "shells/" + sessionId + "/state.json";
    }

    public static String manifestObject(String sandboxId) {
        return sandboxPrefix(sandboxId) + "manifest.json";
    }

    public static String workerObject(String sandboxId) {
        return sandboxPrefix(sandboxId) + "worker.json";
    }

    /** A once-mode command waiting for the execution about to start; {@code requestId} is the client's. */
    public static String commandObject(String sandboxId, String requestId) {
        return sandboxPrefix(sandboxId) + "commands/" + requestId + ".json";
    }

    public static String resultObject(String sandboxId, String execution) {
        return executionPrefix(sandboxId, execution) + "result.json";
    }

    public static String executionPrefix(String sandboxId, String execution) {
        return sandboxPrefix(sandboxId) + "executions/" + execution + "/";
    }

    /**
     * The control plane's own objects about a sandbox, outside {@code sessions/}: no session's downscoped token reaches
     * them, while any process of the control plane (a new {@code sandboxctl} too) finds them.
     */
    public static String controlPrefix(String sandboxId) {
        return "control/sessions/" + sandboxId + "/";
    }

    public static String mailboxKeyObject(String sandboxId) {
        return controlPrefix(sandboxId) + "mailbox-key.json";
    }

    // ---- typed state -------------------------------------------------------------------------------------

    public Optional<Versioned<ShellState>> readShell(String sandboxId, String sessionId) {
        return read(shellObject(sandboxId, sessionId), ShellState.class);
    }

    /**
     * Applies {@code change} to a shell's state (empty when it has none yet), retrying on a conflicting writer.
     *
     * @return the state written
     */
    public ShellState updateShell(String sandboxId, String sessionId, Function<Optional<ShellState>, ShellState> change) {
        return update(shellObject(sandboxId, sessionId), ShellState.class, change).value();
    }

    /**
     * Like {@link #updateShell(String, String, Function)}, but starting from a state this writer read or wrote
     * before: when nobody wrote since, that is one call (the write) instead of two; a stale {@code known} costs a
     * conflict, then the usual read-modify-write.
     *
     * @param known the state as this writer last saw it; empty when it has none (or saw none)
     * @return what was written, with its generation
     */
    public Versioned<ShellState> updateShell(String sandboxId, String sessionId, Optional<Versioned<ShellState>> known,
                                             Function<Optional<ShellState>, ShellState> change) {
        String object = shellObject(sandboxId, sessionId);
        if (known.isPresent()) {
            // A known generation 0 (value null) is a state known not to exist yet: written only if it still does not.
            ShellState next = change.apply(Optional.ofNullable(known.get().value()));
            try {
                return new Versioned<>(next, write(object, next, known.get().generation()));
            } catch (GenerationConflict e) {
                // another writer came in between; fall through to read what it wrote and apply the change to that
            }
        }
        return update(object, ShellState.class, change);
    }

    /** Every shell session of a sandbox that saved a state. */
    public List<ShellState> listShells(String sandboxId) {
        String prefix = sandboxPrefix(sandboxId) + "shells/";
        List<ShellState> out = new ArrayList<>();
        for (String name : list(prefix)) {
            if (name.endsWith("/state.json")) {
                read(name, ShellState.class).ifPresent(v -> out.add(v.value()));
            }
        }
        return out;
    }

    public void deleteShell(String sandboxId, String sessionId) {
        delete(shellObject(sandboxId, sessionId));
    }

    public Optional<SandboxRecord> readSandbox(String sandboxId) {
        return read(sandboxObject(sandboxId), SandboxRecord.class).map(Versioned::value);
    }

    /** @throws SandboxConflictException when a sandbox with that id exists */
    /** @return the manifest's generation, as written */
    public long createSandbox(SandboxRecord record, FileManifest emptyTree) {
        try {
            write(sandboxObject(record.sandboxId()), record, 0);
        } catch (GenerationConflict e) {
            throw new SandboxConflictException("a Cloud Run sandbox with id " + record.sandboxId() + " already exists in bucket " + bucket);
        }
        return write(manifestObject(record.sandboxId()), emptyTree, 0);
    }

    public Versioned<FileManifest> readManifest(String sandboxId) {
        return read(manifestObject(sandboxId), FileManifest.class).orElseThrow(() -> new SandboxNotFoundException(
                "sandbox " + sandboxId + " has no file manifest in bucket " + bucket + "; it was destroyed or never created"));
    }

    /** The manifest's generation alone: one metadata read, to learn cheaply whether it changed. */
    public long manifestGeneration(String sandboxId) {
        return generation(manifestObject(sandboxId));
    }

    /** Removes every object of a sandbox. */
    /** Removes the sandbox's objects, and last the control plane's objects about it (its mailbox key). */
    public void deleteSandbox(String sandboxId) {
        for (String name : list(sandboxPrefix(sandboxId))) {
            delete(name);
        }
        for (String name : list(controlPrefix(sandboxId))) {
            delete(name);
        }
    }

    /** The ids of every sandbox with a {@code sandbox.json}. */
    public List<String> sandboxIds() {
        List<String> ids = new ArrayList<>();
        Page<Blob> page = retry.call("listing sandboxes in bucket " + bucket, RetryPolicy.Idempotency.IDEMPOTENT, () -> {
            return storage.list(bucket, Storage.BlobListOption.prefix("sessions/"), Storage.BlobListOption.currentDirectory());
        });
        for (Blob b : page.iterateAll()) {
            String name = b.getName();
            if (name.endsWith("/")) {
                ids.add(name.substring("sessions/".length(), name.length() - 1));
            }
        }
        return ids;
    }

    // ---- generic JSON objects ----------------------------------------------------------------------------

    public <T> Optional<Versioned<T>> read(String object, Class<T> type) {
        Optional<Versioned<byte[]>> raw = readBytes(object);
        return raw.map(v -> new Versioned<>(parse(object, v.value(), type), v.generation()));
    }

    public Optional<Versioned<byte[]>> readBytes(String object) {
        // Metadata first, then the content of exactly that generation, so the pair is consistent; when a writer
        // replaced it in between (that generation is gone), read again.
        for (int attempt = 1; ; attempt++) {
            Blob blob = retry.call("reading gs://" + bucket + "/" + object, RetryPolicy.Idempotency.IDEMPOTENT, () -> {
                calls.metadata.incrementAndGet();
                return storage.get(BlobId.of(bucket, object));
            });
            if (blob == null) {
                return Optional.empty();
            }
            long generation = blob.getGeneration();
            try {
                byte[] content = retry.call("reading gs://" + bucket + "/" + object, RetryPolicy.Idempotency.IDEMPOTENT, () -> {
                    calls.media.incrementAndGet();
                    return storage.readAllBytes(BlobId.of(bucket, object, generation));
                });
                return Optional.of(new Versioned<>(content, generation));
            } catch (StorageException e) {
                if (e.getCode() != 404 || attempt >= 100) {
                    throw unavailable("reading", object, e);
                }
            }
        }
    }

    /**
     * An object's content in one request (no generation): for polling an object that usually does not exist yet, where
     * {@link #readBytes}' metadata-then-content pair would cost two calls each time it does.
     */
    public Optional<byte[]> readContent(String object) {
        try {
            return Optional.of(retry.call("reading gs://" + bucket + "/" + object, RetryPolicy.Idempotency.IDEMPOTENT, () -> {
                calls.media.incrementAndGet();
                return storage.readAllBytes(BlobId.of(bucket, object));
            }));
        } catch (StorageException e) {
            if (e.getCode() == 404) {
                return Optional.empty();
            }
            throw unavailable("reading", object, e);
        }
    }

    /** The content of one generation of an object (as a listing named it), in one request; empty when that generation is gone. */
    public Optional<byte[]> readGeneration(String object, long generation) {
        try {
            return Optional.of(retry.call("reading gs://" + bucket + "/" + object, RetryPolicy.Idempotency.IDEMPOTENT, () -> {
                calls.media.incrementAndGet();
                return storage.readAllBytes(BlobId.of(bucket, object, generation));
            }));
        } catch (StorageException e) {
            if (e.getCode() == 404) {
                return Optional.empty();
            }
            throw unavailable("reading", object, e);
        }
    }

    /** The object's current generation, 0 when it does not exist. */
    public long generation(String object) {
        Blob blob = retry.call("reading gs://" + bucket + "/" + object, RetryPolicy.Idempotency.IDEMPOTENT, () -> {
            calls.metadata.incrementAndGet();
            return storage.get(BlobId.of(bucket, object), Storage.BlobGetOption.fields(Storage.BlobField.GENERATION));
        });
        return blob == null ? 0 : blob.getGeneration();
    }

    /**
     * Writes {@code value} if the object still has {@code expectedGeneration} (0: if it does not exist).
     *
     * @return the new generation
     * @throws GenerationConflict when another writer came first
     */
    public long write(String object, Object value, long expectedGeneration) {
        return writeBytes(object, serialize(value), expectedGeneration, "application/json");
    }

    public long writeBytes(String object, byte[] content, long expectedGeneration, String contentType) {
        return writeBytes(object, content, expectedGeneration, contentType, Map.of());
    }

    /**
     * {@link #writeBytes(String, byte[], long, String)} with custom metadata: written with the content in one call, and
     * listed with the object, so a reader that lists can have a small object without a read.
     */
    public long writeBytes(String object, byte[] content, long expectedGeneration, String contentType, Map<String, String> metadata) {
        BlobInfo.Builder b = BlobInfo.newBuilder(BlobId.of(bucket, object)).setContentType(contentType);
        if (!metadata.isEmpty()) {
            b.setMetadata(metadata);
        }
        BlobInfo info = b.build();
        Storage.BlobTargetOption precondition = expectedGeneration == 0 ? Storage.BlobTargetOption.doesNotExist()
                : Storage.BlobTargetOption.generationMatch(expectedGeneration);
        try {
            calls.insert.incrementAndGet();
            Blob written = storage.create(info, content, precondition, Storage.BlobTargetOption.disableGzipContent());
            return written.getGeneration();
        } catch (StorageException e) {
            if (e.getCode() == 412) {
                throw new GenerationConflict("gs://" + bucket + "/" + object);
            }
            throw unavailable("writing", object, e);
        }
    }

    /**
     * Read-modify-write with {@code ifGenerationMatch}: on a conflict, reads again and reapplies {@code change}.
     *
     * @return what was written, with its generation
     */
    public <T> Versioned<T> update(String object, Class<T> type, Function<Optional<T>, T> change) {
        for (int attempt = 1; ; attempt++) {
            Optional<Versioned<T>> current = read(object, type);
            T next = change.apply(current.map(Versioned::value));
            try {
                long generation = write(object, next, current.map(Versioned::generation).orElse(0L));
                return new Versioned<>(next, generation);
            } catch (GenerationConflict e) {
                if (attempt >= CONFLICT_ATTEMPTS) {
                    throw new SandboxConflictException("gave up updating gs://" + bucket + "/" + object + " after " + attempt
                            + " conflicting writes; too many writers at once", e);
                }
                InterruptibleSleep.sleep(Duration.ofMillis(Math.min(100, 2L * attempt)).plusMillis(java.util.concurrent.ThreadLocalRandom.current().nextLong(5)),
                        "another write to gs://" + bucket + "/" + object);
            }
        }
    }

    /** Deletes an object; deleting a missing one does nothing. */
    public void delete(String object) {
        retry.run("deleting gs://" + bucket + "/" + object, RetryPolicy.Idempotency.IDEMPOTENT, () -> {
            calls.delete.incrementAndGet();
            storage.delete(BlobId.of(bucket, object));
        });
    }

    /**
     * Deletes an object only if it still has {@code generation}: how a worker claims a mailbox request (exactly one
     * claimant wins).
     *
     * @return whether this call deleted it
     */
    public boolean deleteIfGeneration(String object, long generation) {
        try {
            calls.delete.incrementAndGet();
            return storage.delete(BlobId.of(bucket, object), Storage.BlobSourceOption.generationMatch(generation));
        } catch (StorageException e) {
            if (e.getCode() == 412 || e.getCode() == 404) {
                return false;
            }
            throw unavailable("deleting", object, e);
        }
    }

    /** The names of the objects under {@code prefix}, sorted. */
    public List<String> list(String prefix) {
        return listBlobs(prefix).stream().map(Blob::getName).sorted().toList();
    }

    public List<Blob> listBlobs(String prefix) {
        Page<Blob> page = retry.call("listing gs://" + bucket + "/" + prefix, RetryPolicy.Idempotency.IDEMPOTENT, () -> {
            calls.list.incrementAndGet();
            return storage.list(bucket, Storage.BlobListOption.prefix(prefix));
        });
        List<Blob> out = new ArrayList<>();
        page.iterateAll().forEach(out::add);
        return out;
    }

    public Instant now() {
        return Instant.now();
    }

    private byte[] serialize(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T> T parse(String object, byte[] content, Class<T> type) {
        try {
            return json.readValue(content, type);
        } catch (IOException e) {
            throw new SandboxException("gs://" + bucket + "/" + object + " is not a valid " + type.getSimpleName() + ": " + e.getMessage()
                    + "; it was written by an incompatible version or edited by hand", e);
        }
    }

    private SandboxUnavailableException unavailable(String verb, String object, StorageException e) {
        String hint = e.getCode() == 403 ? "; check that the credentials may use bucket " + bucket
                : e.getCode() == 404 ? "; does bucket " + bucket + " exist (SANDBOX_STATE_BUCKET)?" : "";
        return new SandboxUnavailableException(verb + " gs://" + bucket + "/" + object + " failed (HTTP " + e.getCode() + "): "
                + e.getMessage() + hint, e);
    }
}
