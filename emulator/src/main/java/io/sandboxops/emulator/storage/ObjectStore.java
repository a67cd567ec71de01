package io.sandboxops.emulator.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Buckets and the live generation of each object, kept in a data directory so they survive a restart
 * and can be looked at:
 *
 * <pre>
 * storage/{bucket}/bucket.json
 * storage/{bucket}/objects/{encoded name}     the bytes
 * storage/{bucket}/metadata/{encoded name}    the object resource (generation, hashes, metadata)
 * </pre>
 *
 * Names are percent-encoded so that {@code a} and {@code a/b} can both exist; bytes and metadata live in
 * separate folders so that no object name can collide with another's metadata file. Older generations
 * are not kept (the emulated buckets have versioning off).
 */
final class ObjectStore {

    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param lifecycle the bucket's {@code lifecycle} object as the JSON API sends it; a missing node when it has none
     * @param policy    its IAM policy ({@code bindings}, {@code etag}, {@code version})
     */
    record Bucket(String name, String location, String storageClass, long metageneration,
                  Instant timeCreated, Instant updated, Map<String, String> labels, JsonNode lifecycle, JsonNode policy) {
        Bucket {
            labels = Map.copyOf(labels);
            lifecycle = lifecycle == null || lifecycle.isNull() ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : lifecycle.deepCopy();
            policy = policy == null || !policy.isObject() ? initialPolicy() : policy.deepCopy();
        }

        Bucket withPolicy(JsonNode newPolicy) {
            return new Bucket(name, location, storageClass, metageneration, timeCreated, Instant.now(), labels, lifecycle, newPolicy);
        }
    }

    /**
     * A new bucket's policy: the project's owners and editors hold it, as on Google, which the one local principal is.
     */
    static JsonNode initialPolicy() {
        ObjectNode p = JSON.createObjectNode();
        p.put("kind", "storage#policy").put("version", 1).put("etag", "CAE=");
        com.fasterxml.jackson.databind.node.ArrayNode bindings = p.putArray("bindings");
        bindings.addObject().put("role", "roles/storage.legacyBucketOwner").putArray("members").add("projectOwner:local-project")
                .add("projectEditor:local-project");
        bindings.addObject().put("role", "roles/storage.objectAdmin").putArray("members").add("projectOwner:local-project")
                .add("projectEditor:local-project");
        return p;
    }

    /** Replaces the bucket's IAM policy (setIamPolicy); the etag moves on. */
    synchronized Bucket setPolicy(String name, JsonNode policy) {
        Bucket b = bucket(name);
        ObjectNode p = policy.isObject() ? ((ObjectNode) policy).deepCopy() : JSON.createObjectNode();
        p.put("kind", "storage#policy");
        p.put("etag", "CA" + Long.toHexString(System.nanoTime()) + "=");
        if (!p.has("bindings")) {
            p.putArray("bindings");
        }
        Bucket updated = b.withPolicy(p);
        return saved(updated);
    }

    /** One page of a listing: objects and the collapsed prefixes, in name order. */
    record Listing(List<StoredObject> objects, List<String> prefixes, String nextPageToken) {
    }

    /** An object opened for reading: its metadata and a channel onto exactly that generation's bytes. */
    record OpenObject(StoredObject object, FileChannel channel) {
    }

    private final Path root;
    private final Path tmp;
    private final Map<String, Bucket> buckets = new TreeMap<>();
    private final Map<String, NavigableMap<String, StoredObject>> objects = new TreeMap<>();
    private long lastGeneration;

    ObjectStore(Path dataDir) {
        this.root = dataDir.resolve("storage");
        this.tmp = root.resolve(".tmp");
        try {
            Files.createDirectories(tmp);
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
                for (Path p : leftovers) {
                    Files.deleteIfExists(p);
                }
            }
            load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the storage data directory " + root, e);
        }
    }

    StagedContent stage() {
        return new StagedContent(tmp.resolve(UUID.randomUUID().toString()));
    }

    synchronized Bucket createBucket(String name, String location, String storageClass, JsonNode lifecycle) {
        if (name == null || name.isEmpty()) {
            throw StorageException.required("Required parameter: name");
        }
        if (!BUCKET_NAME.matcher(name).matches() || name.contains("..")) {
            throw StorageException.invalid("Invalid bucket name: '" + name + "'");
        }
        if (buckets.containsKey(name)) {
            throw StorageException.conflict(
                    "Your previous request to create the named bucket succeeded and you already own it.");
        }
        Instant now = Instant.now();
        Bucket bucket = new Bucket(name, location == null ? "US" : location.toUpperCase(),
                storageClass == null ? "STANDARD" : storageClass, 1, now, now, Map.of(), lifecycle, null);
        try {
            Files.createDirectories(bucketDir(name).resolve("objects"));
            Files.createDirectories(bucketDir(name).resolve("metadata"));
            writeJson(bucketDir(name).resolve("bucket.json"), bucketJson(bucket));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        buckets.put(name, bucket);
        objects.put(name, new TreeMap<>());
        return bucket;
    }

    synchronized Bucket bucket(String name) {
        Bucket b = buckets.get(name);
        if (b == null) {
            throw StorageException.notFound("The specified bucket does not exist.");
        }
        return b;
    }

    synchronized List<Bucket> buckets() {
        return List.copyOf(buckets.values());
    }

    /**
     * buckets.patch ({@code replace} false: labels merged, a null label removed) or buckets.update ({@code replace}
     * true: labels replaced); the storage class may change; every other field of {@code body} is ignored.
     */
    synchronized Bucket updateBucket(String name, JsonNode body, Long ifMetagenerationMatch, Long ifMetagenerationNotMatch,
                                     boolean replace) {
        Bucket b = bucket(name);
        if (ifMetagenerationMatch != null && ifMetagenerationMatch != b.metageneration()
                || ifMetagenerationNotMatch != null && ifMetagenerationNotMatch == b.metageneration()) {
            throw StorageException.conditionNotMet();
        }
        JsonNode storageClass = body.path("storageClass");
        Bucket updated = new Bucket(b.name(), b.location(),
                storageClass.isTextual() ? storageClass.asText() : b.storageClass(), b.metageneration() + 1,
                b.timeCreated(), Instant.now(), labels(body.path("labels"), replace ? Map.of() : b.labels(), !replace || body.has("labels")),
                body.has("lifecycle") || replace ? body.get("lifecycle") : b.lifecycle(), b.policy());
        return saved(updated);
    }

    /** {@code base} with the labels of {@code json} applied; a JSON null removes a label. */
    private static Map<String, String> labels(JsonNode json, Map<String, String> base, boolean apply) {
        Map<String, String> out = new TreeMap<>(base);
        if (apply && json.isObject()) {
            json.fields().forEachRemaining(e -> {
                if (e.getValue().isNull()) {
                    out.remove(e.getKey());
                } else {
                    out.put(e.getKey(), e.getValue().asText());
                }
            });
        }
        return out;
    }

    synchronized void deleteBucket(String name, Long ifMetagenerationMatch) {
        Bucket b = bucket(name);
        if (ifMetagenerationMatch != null && ifMetagenerationMatch != b.metageneration()) {
            throw StorageException.conditionNotMet();
        }
        if (!objects.get(name).isEmpty()) {
            throw StorageException.conflict("The bucket you tried to delete is not empty.");
        }
        try {
            Files.deleteIfExists(bucketDir(name).resolve("bucket.json"));
            Files.deleteIfExists(bucketDir(name).resolve("objects"));
            Files.deleteIfExists(bucketDir(name).resolve("metadata"));
            Files.deleteIfExists(bucketDir(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        buckets.remove(name);
        objects.remove(name);
    }

    /**
     * Makes staged bytes the new generation of {@code name}, if the preconditions hold against the live
     * generation at this moment; hashes the client declared must match what arrived.
     */
    synchronized StoredObject commit(String bucket, ObjectAttributes attributes, StagedContent content,
                                     Preconditions preconditions) {
        bucket(bucket);
        String name = validName(attributes.name());
        if (attributes.crc32c() != null && !attributes.crc32c().equals(content.crc32c())) {
            throw StorageException.invalid("Provided CRC32C \"" + attributes.crc32c()
                    + "\" doesn't match calculated CRC32C \"" + content.crc32c() + "\".");
        }
        if (attributes.md5Hash() != null && !attributes.md5Hash().equals(content.md5Hash())) {
            throw StorageException.invalid("Provided MD5 hash \"" + attributes.md5Hash()
                    + "\" doesn't match calculated MD5 hash \"" + content.md5Hash() + "\".");
        }
        StoredObject current = objects.get(bucket).get(name);
        preconditions.check(current, false);
        Instant now = Instant.now();
        StoredObject created = new StoredObject(bucket, name, nextGeneration(), 1, content.size(),
                attributes.contentType() == null ? "application/octet-stream" : attributes.contentType(),
                attributes.contentEncoding(), attributes.contentDisposition(), attributes.contentLanguage(),
                attributes.cacheControl(), content.crc32c(), content.md5Hash(), attributes.metadata(), now, now);
        try {
            move(content.file(), dataFile(bucket, name));
            writeJson(metaFile(bucket, name), objectJson(created));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        objects.get(bucket).put(name, created);
        return created;
    }

    synchronized StoredObject get(String bucket, String name, Long generation, Preconditions preconditions) {
        StoredObject current = live(bucket, name, generation);
        preconditions.check(current, true);
        return current;
    }

    /** Whether {@code bucket} holds a live {@code name}: writing it then overwrites, which needs delete rights too. */
    synchronized boolean exists(String bucket, String name) {
        Map<String, StoredObject> in = objects.get(bucket);
        return in != null && in.containsKey(name);
    }

    synchronized OpenObject open(String bucket, String name, Long generation, Preconditions preconditions) {
        StoredObject current = get(bucket, name, generation, preconditions);
        try {
            // Opened under the lock: a concurrent overwrite replaces the file, this channel keeps the old bytes.
            return new OpenObject(current, FileChannel.open(dataFile(bucket, name), StandardOpenOption.READ));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized void delete(String bucket, String name, Long generation, Preconditions preconditions) {
        StoredObject current = live(bucket, name, generation);
        preconditions.check(current, false);
        try {
            Files.deleteIfExists(metaFile(bucket, name));
            Files.deleteIfExists(dataFile(bucket, name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        objects.get(bucket).remove(name);
    }

    /** Replaces the writable metadata (a new metageneration, same generation and bytes). */
    synchronized StoredObject updateMetadata(String bucket, String name, Long generation,
                                             Preconditions preconditions, java.util.function.UnaryOperator<ObjectAttributes> change) {
        StoredObject current = live(bucket, name, generation);
        preconditions.check(current, false);
        StoredObject updated = current.withMetadata(change.apply(ObjectAttributes.of(current)),
                current.metageneration() + 1, Instant.now());
        try {
            writeJson(metaFile(bucket, name), objectJson(updated));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        objects.get(bucket).put(name, updated);
        return updated;
    }

    /** Copies the bytes of the source's live generation into a staged file, for rewrite and copy. */
    StagedContent stageCopyOf(String bucket, String name, Long generation, Preconditions preconditions) {
        OpenObject source = open(bucket, name, generation, preconditions);
        StagedContent staged = stage();
        try (FileChannel ch = source.channel();
             java.io.InputStream in = java.nio.channels.Channels.newInputStream(ch)) {
            staged.append(in, -1);
            return staged.seal();
        } catch (IOException e) {
            staged.close();
            throw new UncheckedIOException(e);
        }
    }

    synchronized Listing list(String bucket, String prefix, String delimiter, String pageToken, int maxResults,
                              String startOffset, String endOffset, boolean includeTrailingDelimiter, Pattern glob) {
        bucket(bucket);
        String p = prefix == null ? "" : prefix;
        boolean collapse = delimiter != null && !delimiter.isEmpty();
        // The token is the last key returned, an object name or a collapsed prefix; resuming after a
        // prefix skips the names under it, which sort right after it.
        String cursor = pageToken == null || pageToken.isEmpty() ? null
                : new String(Base64.getUrlDecoder().decode(pageToken), StandardCharsets.UTF_8);
        NavigableMap<String, StoredObject> all = objects.get(bucket);
        NavigableMap<String, StoredObject> view = cursor == null ? all.tailMap(p, true) : all.tailMap(cursor, false);
        List<StoredObject> items = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        String lastPrefix = cursor;
        String last = null;
        for (Map.Entry<String, StoredObject> e : view.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(p)) {
                break;
            }
            if (startOffset != null && name.compareTo(startOffset) < 0
                    || endOffset != null && name.compareTo(endOffset) >= 0
                    || glob != null && !glob.matcher(name).matches()) {
                continue;
            }
            int idx = collapse ? name.indexOf(delimiter, p.length()) : -1;
            String collapsed = idx >= 0 ? name.substring(0, idx + delimiter.length()) : null;
            if (collapsed != null && collapsed.equals(lastPrefix)) {
                continue;
            }
            if (items.size() + prefixes.size() >= maxResults) {
                return new Listing(items, prefixes, Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(last.getBytes(StandardCharsets.UTF_8)));
            }
            if (collapsed != null) {
                prefixes.add(collapsed);
                if (includeTrailingDelimiter && all.containsKey(collapsed)) {
                    items.add(all.get(collapsed));
                }
                lastPrefix = collapsed;
                last = collapsed;
            } else {
                items.add(e.getValue());
                last = name;
            }
        }
        return new Listing(items, prefixes, null);
    }

    /**
     * Translates a {@code matchGlob}: {@code **} matches across '/', {@code *} and {@code ?} within a
     * segment, {@code [..]} a character class, {@code {a,b}} alternatives.
     */
    static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> {
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                        re.append(".*");
                        i++;
                    } else {
                        re.append("[^/]*");
                    }
                }
                case '?' -> re.append("[^/]");
                case '[' -> {
                    int end = glob.indexOf(']', i + 1);
                    if (end < 0) {
                        throw StorageException.invalid("Invalid matchGlob: unclosed '[' in " + glob);
                    }
                    String cls = glob.substring(i + 1, end);
                    boolean negated = cls.startsWith("!");
                    re.append('[').append(negated ? "^" : "").append(classBody(negated ? cls.substring(1) : cls)).append(']');
                    i = end;
                }
                case '{' -> {
                    re.append("(?:");
                    depth++;
                }
                case '}' -> {
                    if (depth == 0) {
                        throw StorageException.invalid("Invalid matchGlob: unmatched '}' in " + glob);
                    }
                    re.append(')');
                    depth--;
                }
                case ',' -> re.append(depth > 0 ? "|" : ",");
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (depth != 0) {
            throw StorageException.invalid("Invalid matchGlob: unclosed '{' in " + glob);
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    /** Keeps ranges such as {@code a-z}; escapes what else is special inside a regex class. */
    private static String classBody(String cls) {
        StringBuilder sb = new StringBuilder();
        for (char ch : cls.toCharArray()) {
            if ("\\[]&^".indexOf(ch) >= 0) {
                sb.append('\\');
            }
            sb.append(ch);
        }
        return sb.toString();
    }

    private StoredObject live(String bucket, String name, Long generation) {
        bucket(bucket);
        StoredObject current = objects.get(bucket).get(name);
        if (current == null || generation != null && generation != current.generation()) {
            throw StorageException.notFound("No such object: " + bucket + "/" + name);
        }
        return current;
    }

    private long nextGeneration() {
        // Real generations are microsecond timestamps; strictly increasing even within one microsecond.
        Instant now = Instant.now();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        lastGeneration = Math.max(micros, lastGeneration + 1);
        return lastGeneration;
    }

    private static String validName(String name) {
        if (name == null || name.isEmpty()) {
            throw StorageException.required("Required parameter: name");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > 1024 || name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0) {
            throw StorageException.invalid("The specified object name is not valid.");
        }
        return name;
    }

    private Path bucketDir(String bucket) {
        return root.resolve(bucket);
    }

    private Path dataFile(String bucket, String name) {
        return bucketDir(bucket).resolve("objects").resolve(fileName(name));
    }

    private Path metaFile(String bucket, String name) {
        return bucketDir(bucket).resolve("metadata").resolve(fileName(name));
    }

    /** Percent-encodes a name into one file name; names too long for a file system go by their hash. */
    static String fileName(String name) {
        StringBuilder sb = new StringBuilder();
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
                    || b == '-' || b == '_' || b == '.' && i > 0;
            if (plain) {
                sb.append((char) b);
            } else {
                sb.append('%').append(String.format("%02X", b));
            }
        }
        if (sb.length() <= 200) {
            return sb.toString();
        }
        try {
            return "~" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void load() throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path dir : dirs) {
                Path bucketFile = dir.resolve("bucket.json");
                if (!Files.exists(bucketFile)) {
                    continue;
                }
                JsonNode b = JSON.readTree(bucketFile.toFile());
                Bucket bucket = new Bucket(b.get("name").asText(), b.get("location").asText(),
                        b.get("storageClass").asText(), b.get("metageneration").asLong(),
                        Instant.parse(b.get("timeCreated").asText()), Instant.parse(b.get("updated").asText()),
                        labels(b.path("labels"), Map.of(), false), b.get("lifecycle"), b.get("policy"));
                buckets.put(bucket.name(), bucket);
                TreeMap<String, StoredObject> index = new TreeMap<>();
                objects.put(bucket.name(), index);
                Path metaDir = dir.resolve("metadata");
                Files.createDirectories(metaDir);
                Files.createDirectories(dir.resolve("objects"));
                try (DirectoryStream<Path> metas = Files.newDirectoryStream(metaDir)) {
                    for (Path meta : metas) {
                        StoredObject o = readObject(bucket.name(), JSON.readTree(meta.toFile()));
                        if (Files.exists(dataFile(bucket.name(), o.name()))) {
                            index.put(o.name(), o);
                            lastGeneration = Math.max(lastGeneration, o.generation());
                        }
                    }
                }
            }
        }
    }

    private static StoredObject readObject(String bucket, JsonNode j) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (j.has("metadata")) {
            j.get("metadata").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
        }
        return new StoredObject(bucket, j.get("name").asText(), j.get("generation").asLong(),
                j.get("metageneration").asLong(), j.get("size").asLong(), text(j, "contentType"),
                text(j, "contentEncoding"), text(j, "contentDisposition"), text(j, "contentLanguage"),
                text(j, "cacheControl"), text(j, "crc32c"), text(j, "md5Hash"), Map.copyOf(metadata),
                Instant.parse(j.get("timeCreated").asText()), Instant.parse(j.get("updated").asText()));
    }

    private static String text(JsonNode j, String field) {
        JsonNode v = j.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static ObjectNode objectJson(StoredObject o) {
        ObjectNode j = JSON.createObjectNode();
        j.put("name", o.name());
        j.put("generation", o.generation());
        j.put("metageneration", o.metageneration());
        j.put("size", o.size());
        j.put("contentType", o.contentType());
        j.put("contentEncoding", o.contentEncoding());
        j.put("contentDisposition", o.contentDisposition());
        j.put("contentLanguage", o.contentLanguage());
        j.put("cacheControl", o.cacheControl());
        j.put("crc32c", o.crc32c());
        j.put("md5Hash", o.md5Hash());
        ObjectNode metadata = j.putObject("metadata");
        o.metadata().forEach(metadata::put);
        j.put("timeCreated", o.timeCreated().toString());
        j.put("updated", o.updated().toString());
        return j;
    }

    private static ObjectNode bucketJson(Bucket b) {
        ObjectNode j = JSON.createObjectNode();
        j.put("name", b.name());
        j.put("location", b.location());
        j.put("storageClass", b.storageClass());
        j.put("metageneration", b.metageneration());
        j.put("timeCreated", b.timeCreated().toString());
        j.put("updated", b.updated().toString());
        ObjectNode labels = j.putObject("labels");
        b.labels().forEach(labels::put);
        if (!b.lifecycle().isMissingNode()) {
            j.set("lifecycle", b.lifecycle());
        }
        j.set("policy", b.policy());
        return j;
    }

    private void writeJson(Path target, ObjectNode json) throws IOException {
        Path t = tmp.resolve(UUID.randomUUID() + ".json");
        JSON.writerWithDefaultPrettyPrinter().writeValue(t.toFile(), json);
        move(t, target);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Writes a bucket's changed metadata to its bucket.json, then serves it. */
    private Bucket saved(Bucket updated) {
        try {
            writeJson(bucketDir(updated.name()).resolve("bucket.json"), bucketJson(updated));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        buckets.put(updated.name(), updated);
        return updated;
    }
}
