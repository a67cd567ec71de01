package io.sandboxops.emulator.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sandboxops.emulator.auth.AccessCondition;
import io.sandboxops.emulator.auth.AccessTokens;
import io.sandboxops.emulator.auth.LoopbackOnly;
import io.sandboxops.emulator.auth.TokenExchange;
import io.sandboxops.emulator.faults.FaultInjector;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * The Cloud Storage JSON API over plain HTTP on loopback, enough of it for the real
 * {@code com.google.cloud.storage.Storage} client: buckets get/insert/list/delete; objects simple,
 * multipart and resumable uploads, metadata and media reads with {@code Range}, list with prefix,
 * delimiter and paging, patch/update, delete, copy, rewrite and compose, all with generation preconditions.
 *
 * <p>Every request is authorised as Google's front end does: the per-run token may do anything; a downscoped token
 * (from {@code POST /v1/token}, Google's STS, answered here too) only what its access boundaries allow, checked per
 * IAM permission and resource name before anything is read or written. See the README's table for the permission of
 * each method.
 */
public final class StorageServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter RFC3339 =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    /**
     * {@code bytes FIRST-LAST/TOTAL}, where LAST is {@code *} when the request streams to its end (the Node client's
     * default, {@code bytes 0-*}{@code /*}), TOTAL {@code *} while unknown, and {@code bytes *}{@code /TOTAL} a status query.
     */
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\*|(\\d+)-(\\d+|\\*))/(\\*|\\d+)");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private final ObjectStore store;
    private final FaultInjector faults;
    private final LongAdder preconditionFailures = new LongAdder();
    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, ResumableUpload> uploads = new ConcurrentHashMap<>();
    /** Requests waiting out their latency, with the fault decided for them (by identity: one entry per request). */
    private final Map<HttpExchange, FaultInjector.Fault> decided = new ConcurrentHashMap<>();
    private final AccessTokens tokens;
    private final TokenExchange sts;

    private StorageServer(ObjectStore store, FaultInjector faults, AccessTokens tokens, HttpServer server, ExecutorService executor) {
        this.store = store;
        this.faults = faults;
        this.tokens = tokens;
        this.sts = new TokenExchange(tokens);
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts on {@code 127.0.0.1:port} ({@code 0}: a free port), keeping its data under {@code dataDir}, answering
     * only callers holding one of {@code tokens}.
     */
    public static StorageServer start(Path dataDir, int port, FaultInjector faults, AccessTokens tokens) throws IOException {
        // The JDK's HttpServer leaves Nagle's algorithm on, so a response written in two parts waits for the
        // client's delayed ACK (40 ms on Linux) on every call; real Cloud Storage has no such floor. The setting
        // is read once, when the server classes load, so it is set before the first server is made.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "storage-http");
            t.setDaemon(true);
            return t;
        });
        StorageServer server = new StorageServer(new ObjectStore(dataDir), faults, tokens, http, executor);
        http.createContext("/", server::handle);
        http.setExecutor(executor);
        http.start();
        return server;
    }

    /** How many requests were answered 412 because a precondition did not hold: the races writers lost. */
    public long preconditionFailures() {
        return preconditionFailures.sum();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        uploads.values().forEach(u -> u.content.close());
    }

    private void handle(HttpExchange exchange) throws IOException {
        boolean waiting = false;
        try {
            if (exchange.getRequestURI().getRawPath().equals(TokenExchange.PATH)) {
                exchangeToken(exchange);
                return;
            }
            route(exchange, admit(exchange));
        } catch (Wait w) {
            // Nothing was read or written yet: the request is handled again, from the start, once its latency is
            // over, and meanwhile holds no thread.
            waiting = true;
            faults.after(w.latency, () -> executor.execute(() -> handleAfterWait(exchange)));
        } catch (StorageException e) {
            drain(exchange);
            if (e.status == 412) {
                preconditionFailures.increment();
            }
            sendError(exchange, e);
        } catch (RuntimeException e) {
            drain(exchange);
            sendError(exchange, new StorageException(500, "backendError", "emulator failure: " + e));
        } finally {
            if (!waiting) {
                // A request that waited but failed before it reached fault() again leaves no decision behind.
                decided.remove(exchange);
                exchange.close();
            }
        }
    }

    private void handleAfterWait(HttpExchange exchange) {
        try {
            handle(exchange);
        } catch (IOException | RuntimeException e) {
            // The client went away mid-answer (the server's own dispatch would drop the connection): nothing to tell it.
            exchange.close();
        }
    }

    /** Loopback addressing, no browser origin, and a valid token, as Google's front end checks credentials first. */
    private AccessTokens.Caller admit(HttpExchange ex) {
        loopbackOnly(ex);
        try {
            return tokens.authenticate(ex.getRequestHeaders().getFirst("Authorization"));
        } catch (AccessTokens.Unauthenticated e) {
            throw new StorageException(401, "authError", e.getMessage());
        }
    }

    private static void loopbackOnly(HttpExchange ex) {
        Optional<String> refusal = LoopbackOnly.refusal(ex.getRequestHeaders().getFirst("Host"), ex.getRequestHeaders().getFirst("Origin"));
        if (refusal.isPresent()) {
            throw new StorageException(403, "forbidden", refusal.get());
        }
    }

    /** Google's STS token exchange; the subject token in the form is the credential, so no Authorization is needed. */
    private void exchangeToken(HttpExchange ex) throws IOException {
        loopbackOnly(ex);
        if (!ex.getRequestMethod().equals("POST")) {
            throw new StorageException(405, "methodNotAllowed", "Method not allowed: " + ex.getRequestMethod());
        }
        String form;
        try (InputStream in = ex.getRequestBody()) {
            form = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        }
        TokenExchange.Answer answer = sts.answer(ex.getRequestHeaders().getFirst("Content-Type"), query(form));
        sendJson(ex, answer.status(), answer.body());
    }

    /**
     * Lets {@code permission} on the bucket (no {@code object}) or the object through, or answers 403 as Google does.
     * {@code listPrefix} is the prefix of an objects.list ({@code ""} for none), {@code null} for other methods.
     */
    private static void authorize(AccessTokens.Caller caller, String permission, String bucket, String object, String listPrefix) {
        if (caller.root()) {
            return;
        }
        String name = "projects/_/buckets/" + bucket + (object == null ? "" : "/objects/" + object);
        String type = object == null ? "storage.googleapis.com/Bucket" : "storage.googleapis.com/Object";
        if (!caller.allows(permission, bucket, new AccessCondition.Resource(name, type, listPrefix))) {
            throw forbidden(permission, object == null ? "bucket " + bucket
                    + (listPrefix == null || listPrefix.isEmpty() ? "" : " (objects under \"" + listPrefix + "\")")
                    : "object " + bucket + "/" + object);
        }
    }

    /** Creating, or overwriting, which on Google needs delete rights on the object it replaces as well. */
    private void authorizeWrite(AccessTokens.Caller caller, String bucket, String object) {
        authorize(caller, "storage.objects.create", bucket, object, null);
        if (object != null && store.exists(bucket, object)) {
            authorize(caller, "storage.objects.delete", bucket, object, null);
        }
    }

    /** Project-level methods (list and create buckets): no access boundary can grant them. */
    private static void authorizeProject(AccessTokens.Caller caller, String permission) {
        if (!caller.root()) {
            throw forbidden(permission, "project");
        }
    }

    private static StorageException forbidden(String permission, String what) {
        return new StorageException(403, "forbidden", "The caller (a downscoped access token) does not have " + permission
                + " access to the Google Cloud Storage " + what + ". Permission '" + permission
                + "' denied on resource (or it may not exist).");
    }

    private void route(HttpExchange ex, AccessTokens.Caller caller) throws IOException {
        // HttpURLConnection cannot send PATCH, so the Google HTTP client tunnels it through POST.
        String override = ex.getRequestHeaders().getFirst("X-HTTP-Method-Override");
        String method = override != null ? override.toUpperCase(java.util.Locale.ROOT) : ex.getRequestMethod();
        List<String> seg = segments(ex.getRequestURI().getRawPath());
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        if (seg.size() >= 3 && seg.get(0).equals("upload") && seg.get(1).equals("storage") && seg.get(2).equals("v1")) {
            // /upload/storage/v1/b/{bucket}/o
            if (seg.size() != 6 || !seg.get(3).equals("b") || !seg.get(5).equals("o")) {
                throw StorageException.notFound("Not Found");
            }
            String bucket = seg.get(4);
            if (method.equals("POST")) {
                String type = q.getOrDefault("uploadType", "media");
                switch (type) {
                    case "media" -> uploadSimple(ex, caller, bucket, q);
                    case "multipart" -> uploadMultipart(ex, caller, bucket, q);
                    case "resumable" -> startResumable(ex, caller, bucket, q);
                    default -> throw StorageException.invalid("Invalid upload type: " + type);
                }
            } else if (method.equals("PUT") && q.containsKey("upload_id")) {
                continueResumable(ex, caller, q.get("upload_id"));
            } else if (method.equals("DELETE") && q.containsKey("upload_id")) {
                cancelResumable(ex, caller, q.get("upload_id"));
            } else {
                throw new StorageException(405, "methodNotAllowed", "Method not allowed: " + method);
            }
            return;
        }
        boolean download = seg.size() >= 1 && seg.get(0).equals("download");
        List<String> api = download ? seg.subList(1, seg.size()) : seg;
        if (api.size() < 3 || !api.get(0).equals("storage") || !api.get(1).equals("v1") || !api.get(2).equals("b")) {
            throw StorageException.notFound("Not Found");
        }
        List<String> r = api.subList(3, api.size());
        if (r.isEmpty()) {
            switch (method) {
                case "GET" -> {
                    authorizeProject(caller, "storage.buckets.list");
                    listBuckets(ex, q);
                }
                case "POST" -> {
                    authorizeProject(caller, "storage.buckets.create");
                    insertBucket(ex, q);
                }
                default -> throw new StorageException(405, "methodNotAllowed", "Method not allowed: " + method);
            }
            return;
        }
        String bucket = r.get(0);
        if (r.size() == 1) {
            switch (method) {
                case "GET" -> {
                    authorize(caller, "storage.buckets.get", bucket, null, null);
                    fault(ex, "storage.buckets.get");
                    sendJson(ex, 200, bucketJson(store.bucket(bucket)));
                }
                case "DELETE" -> {
                    authorize(caller, "storage.buckets.delete", bucket, null, null);
                    fault(ex, "storage.buckets.delete");
                    Long metagen = q.containsKey("ifMetagenerationMatch") ? Long.parseLong(q.get("ifMetagenerationMatch")) : null;
                    store.deleteBucket(bucket, metagen);
                    sendEmpty(ex, 204);
                }
                case "PATCH", "PUT" -> {
                    boolean patch = method.equals("PATCH");
                    authorize(caller, "storage.buckets.update", bucket, null, null);
                    fault(ex, patch ? "storage.buckets.patch" : "storage.buckets.update");
                    JsonNode body = readJson(ex);
                    sendJson(ex, 200, bucketJson(store.updateBucket(bucket, body,
                            q.containsKey("ifMetagenerationMatch") ? parseLong(q.get("ifMetagenerationMatch"), "ifMetagenerationMatch") : null,
                            q.containsKey("ifMetagenerationNotMatch") ? parseLong(q.get("ifMetagenerationNotMatch"), "ifMetagenerationNotMatch") : null,
                            !patch)));
                }
                default -> throw new StorageException(405, "methodNotAllowed", "Method not allowed: " + method);
            }
            return;
        }
        if (r.get(1).equals("iam")) {
            bucketIam(ex, caller, method, bucket, r, q);
            return;
        }
        if (!r.get(1).equals("o")) {
            throw StorageException.notFound("Not Found");
        }
        if (r.size() == 2) {
            if (method.equals("GET")) {
                authorize(caller, "storage.objects.list", bucket, null, q.getOrDefault("prefix", ""));
                listObjects(ex, bucket, q);
            } else if (method.equals("POST")) {
                uploadSimple(ex, caller, bucket, q);
            } else {
                throw new StorageException(405, "methodNotAllowed", "Method not allowed: " + method);
            }
            return;
        }
        int verb = indexOfAny(r, "rewriteTo", "copyTo");
        if (verb > 0 && method.equals("POST")) {
            String source = String.join("/", r.subList(2, verb));
            List<String> dest = r.subList(verb + 1, r.size());
            if (dest.size() < 4 || !dest.get(0).equals("b") || !dest.get(2).equals("o")) {
                throw StorageException.notFound("Not Found");
            }
            copy(ex, caller, bucket, source, dest.get(1), String.join("/", dest.subList(3, dest.size())), q,
                    r.get(verb).equals("rewriteTo"));
            return;
        }
        if (method.equals("POST") && r.size() >= 4 && r.get(r.size() - 1).equals("compose")) {
            compose(ex, caller, bucket, String.join("/", r.subList(2, r.size() - 1)), q);
            return;
        }
        // Clients encode '/' in names as %2F; a name sent with raw slashes spans several segments.
        String object = String.join("/", r.subList(2, r.size()));
        Long generation = q.containsKey("generation") ? parseLong(q.get("generation"), "generation") : null;
        Preconditions pre = Preconditions.from(q, "if");
        switch (method) {
            case "GET" -> {
                authorize(caller, "storage.objects.get", bucket, object, null);
                if (download || "media".equals(q.get("alt"))) {
                    fault(ex, "storage.objects.get");
                    sendMedia(ex, store.open(bucket, object, generation, pre));
                } else {
                    fault(ex, "storage.objects.get");
                    sendJson(ex, 200, objectJson(store.get(bucket, object, generation, pre)));
                }
            }
            case "DELETE" -> {
                authorize(caller, "storage.objects.delete", bucket, object, null);
                fault(ex, "storage.objects.delete");
                store.delete(bucket, object, generation, pre);
                sendEmpty(ex, 204);
            }
            case "PATCH" -> {
                authorize(caller, "storage.objects.update", bucket, object, null);
                fault(ex, "storage.objects.patch");
                JsonNode body = readJson(ex);
                sendJson(ex, 200, objectJson(store.updateMetadata(bucket, object, generation, pre, a -> a.patchedBy(body))));
            }
            case "PUT" -> {
                authorize(caller, "storage.objects.update", bucket, object, null);
                fault(ex, "storage.objects.update");
                ObjectAttributes replacement = ObjectAttributes.fromJson(readJson(ex));
                sendJson(ex, 200, objectJson(store.updateMetadata(bucket, object, generation, pre, a -> replacement)));
            }
            default -> throw new StorageException(405, "methodNotAllowed", "Method not allowed: " + method);
        }
    }

    /**
     * The {@link FaultInjector}'s decision for this request, taken once: with latency, the first pass stops here
     * ({@link Wait}) before reading the body or changing anything, and the second pass, after the wait, applies the
     * error if any and goes on. So {@code fault} comes before any body is read and any object written.
     */
    private void fault(HttpExchange ex, String method) {
        Optional<FaultInjector.Fault> fault;
        FaultInjector.Fault waited = decided.remove(ex);
        if (waited != null) {
            fault = Optional.of(waited);
        } else {
            fault = faults.onCall(method);
            if (fault.isPresent() && !fault.get().latency().isZero()) {
                decided.put(ex, fault.get());
                throw new Wait(fault.get().latency());
            }
        }
        if (fault.isPresent() && fault.get().error().isPresent()) {
            throw new StorageException(httpStatus(fault.get().error().get()), "injectedFault", "injected fault on " + method);
        }
    }

    /** The request must wait {@code latency} before it is handled. */
    private static final class Wait extends RuntimeException {
        final Duration latency;

        Wait(Duration latency) {
            super(null, null, false, false);
            this.latency = latency;
        }
    }

    private static int httpStatus(io.grpc.Status.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, ABORTED -> 409;
            case RESOURCE_EXHAUSTED -> 429;
            case UNIMPLEMENTED -> 501;
            case UNAVAILABLE -> 503;
            case DEADLINE_EXCEEDED -> 504;
            default -> 500;
        };
    }

    private void listBuckets(HttpExchange ex, Map<String, String> q) throws IOException {
        fault(ex, "storage.buckets.list");
        String prefix = q.getOrDefault("prefix", "");
        int max = maxResults(q);
        String after = q.containsKey("pageToken") ? decodeToken(q.get("pageToken")) : null;
        ObjectNode out = JSON.createObjectNode().put("kind", "storage#buckets");
        ArrayNode items = out.putArray("items");
        String last = null;
        for (ObjectStore.Bucket b : store.buckets()) {
            if (!b.name().startsWith(prefix) || after != null && b.name().compareTo(after) <= 0) {
                continue;
            }
            if (items.size() >= max) {
                out.put("nextPageToken", encodeToken(last));
                break;
            }
            items.add(bucketJson(b));
            last = b.name();
        }
        sendJson(ex, 200, out);
    }

    /**
     * {@code /b/{bucket}/iam} (get and set the policy) and {@code /b/{bucket}/iam/testPermissions}. There is one local
     * principal, so a permission is held when any binding of the policy grants it, whoever its members are: removing a
     * binding takes its permissions away, as it would from the member it named.
     */
    private void bucketIam(HttpExchange ex, AccessTokens.Caller caller, String method, String bucket, List<String> r,
                           Map<String, String> q) throws IOException {
        if (r.size() == 3 && r.get(2).equals("testPermissions") && method.equals("GET")) {
            fault(ex, "storage.buckets.testIamPermissions");
            JsonNode policy = store.bucket(bucket).policy();
            java.util.Set<String> held = new java.util.HashSet<>();
            policy.path("bindings").forEach(b -> held.addAll(BucketRoles.permissions(b.path("role").asText())));
            ObjectNode out = JSON.createObjectNode().put("kind", "storage#testIamPermissionsResponse");
            com.fasterxml.jackson.databind.node.ArrayNode granted = out.putArray("permissions");
            for (String p : queryAll(ex.getRequestURI().getRawQuery(), "permissions")) {
                if (held.contains(p) && (caller.root() || !p.startsWith("storage.buckets."))) {
                    granted.add(p);
                }
            }
            sendJson(ex, 200, out);
            return;
        }
        if (r.size() != 2) {
            throw StorageException.notFound("Not Found");
        }
        switch (method) {
            case "GET" -> {
                authorize(caller, "storage.buckets.getIamPolicy", bucket, null, null);
                fault(ex, "storage.buckets.getIamPolicy");
                ObjectNode p = ((ObjectNode) store.bucket(bucket).policy()).deepCopy();
                p.put("resourceId", "projects/_/buckets/" + bucket);
                sendJson(ex, 200, p);
            }
            case "PUT" -> {
                authorizeProject(caller, "storage.buckets.setIamPolicy");
                fault(ex, "storage.buckets.setIamPolicy");
                ObjectNode p = ((ObjectNode) store.setPolicy(bucket, readJson(ex)).policy()).deepCopy();
                p.put("resourceId", "projects/_/buckets/" + bucket);
                sendJson(ex, 200, p);
            }
            default -> throw new StorageException(405, "methodNotAllowed", "Method not allowed: " + method);
        }
    }

    /** Every value of a repeated query parameter, decoded. */
    private static List<String> queryAll(String raw, String name) {
        List<String> out = new java.util.ArrayList<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && java.net.URLDecoder.decode(pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8).equals(name)) {
                out.add(java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private void insertBucket(HttpExchange ex, Map<String, String> q) throws IOException {
        fault(ex, "storage.buckets.insert");
        if (q.get("project") == null || q.get("project").isEmpty()) {
            throw StorageException.required("Required parameter: project");
        }
        JsonNode body = readJson(ex);
        ObjectStore.Bucket b = store.createBucket(text(body, "name"), text(body, "location"), text(body, "storageClass"), body.get("lifecycle"));
        sendJson(ex, 200, bucketJson(b));
    }

    private void listObjects(HttpExchange ex, String bucket, Map<String, String> q) throws IOException {
        fault(ex, "storage.objects.list");
        ObjectStore.Listing page = store.list(bucket, q.get("prefix"), q.get("delimiter"), q.get("pageToken"),
                maxResults(q), q.get("startOffset"), q.get("endOffset"),
                Boolean.parseBoolean(q.getOrDefault("includeTrailingDelimiter", "false")),
                q.containsKey("matchGlob") ? ObjectStore.glob(q.get("matchGlob")) : null);
        ObjectNode out = JSON.createObjectNode().put("kind", "storage#objects");
        if (!page.prefixes().isEmpty()) {
            ArrayNode prefixes = out.putArray("prefixes");
            page.prefixes().forEach(prefixes::add);
        }
        ArrayNode items = out.putArray("items");
        page.objects().forEach(o -> items.add(objectJson(o)));
        if (page.nextPageToken() != null) {
            out.put("nextPageToken", page.nextPageToken());
        }
        sendJson(ex, 200, out);
    }

    private void uploadSimple(HttpExchange ex, AccessTokens.Caller caller, String bucket, Map<String, String> q) throws IOException {
        String name = q.get("name");
        authorizeWrite(caller, bucket, name);
        fault(ex, "storage.objects.insert");
        ObjectAttributes attributes = new ObjectAttributes(name, contentType(ex), q.get("contentEncoding"),
                null, null, null, Map.of(), null, null);
        try (StagedContent staged = store.stage(); InputStream body = body(ex)) {
            staged.append(body, -1);
            staged.seal();
            sendJson(ex, 200, objectJson(store.commit(bucket, attributes, staged, Preconditions.from(q, "if"))));
        }
    }

    private void uploadMultipart(HttpExchange ex, AccessTokens.Caller caller, String bucket, Map<String, String> q) throws IOException {
        fault(ex, "storage.objects.insert");
        String boundary = boundary(ex.getRequestHeaders().getFirst("Content-Type"));
        byte[] all;
        try (InputStream in = body(ex)) {
            all = in.readAllBytes();
        }
        List<byte[][]> parts = multipartParts(all, boundary);
        if (parts.size() != 2) {
            throw StorageException.invalid("Multipart upload must have exactly two parts: metadata and media.");
        }
        ObjectAttributes attributes = ObjectAttributes.fromJson(JSON.readTree(parts.get(0)[1]));
        if (attributes.name() == null && q.get("name") != null) {
            attributes = attributes.withName(q.get("name"));
        }
        if (attributes.contentType() == null) {
            String partType = headerOf(parts.get(1)[0], "content-type");
            attributes = new ObjectAttributes(attributes.name(), partType, attributes.contentEncoding(),
                    attributes.contentDisposition(), attributes.contentLanguage(), attributes.cacheControl(),
                    attributes.metadata(), attributes.crc32c(), attributes.md5Hash());
        }
        authorizeWrite(caller, bucket, attributes.name());
        try (StagedContent staged = store.stage()) {
            staged.append(parts.get(1)[1], 0, parts.get(1)[1].length);
            staged.seal();
            sendJson(ex, 200, objectJson(store.commit(bucket, attributes, staged, Preconditions.from(q, "if"))));
        }
    }

    private void startResumable(HttpExchange ex, AccessTokens.Caller caller, String bucket, Map<String, String> q) throws IOException {
        // Before the body is read, as fault() requires; the access check needs the body's name, so it comes after.
        fault(ex, "storage.objects.insert");
        JsonNode body = readJson(ex);
        ObjectAttributes attributes = ObjectAttributes.fromJson(body);
        if (attributes.name() == null) {
            attributes = attributes.withName(q.get("name"));
        }
        if (attributes.name() == null || attributes.name().isEmpty()) {
            throw StorageException.required("Required parameter: name");
        }
        authorizeWrite(caller, bucket, attributes.name());
        store.bucket(bucket);
        if (attributes.contentType() == null && ex.getRequestHeaders().getFirst("X-Upload-Content-Type") != null) {
            attributes = new ObjectAttributes(attributes.name(), ex.getRequestHeaders().getFirst("X-Upload-Content-Type"),
                    attributes.contentEncoding(), attributes.contentDisposition(), attributes.contentLanguage(),
                    attributes.cacheControl(), attributes.metadata(), attributes.crc32c(), attributes.md5Hash());
        }
        String id = UUID.randomUUID().toString().replace("-", "");
        uploads.put(id, new ResumableUpload(id, caller, bucket, attributes, Preconditions.from(q, "if"), store.stage()));
        String location = baseUrl() + "/upload/storage/v1/b/" + encodePath(bucket) + "/o?uploadType=resumable&upload_id=" + id;
        ex.getResponseHeaders().add("Location", location);
        ex.getResponseHeaders().add("X-GUploader-UploadID", id);
        sendEmpty(ex, 200);
    }

    /** The session {@code id}, when {@code caller} started it: an upload session works only with the token that opened it. */
    private ResumableUpload upload(AccessTokens.Caller caller, String id) {
        ResumableUpload upload = uploads.get(id);
        if (upload == null) {
            throw StorageException.notFound("No such upload session: " + id);
        }
        if (!upload.owner.equals(caller)) {
            throw new StorageException(403, "forbidden", "The upload session " + id + " was started with another access token; "
                    + "only the token that started an upload may continue or cancel it.");
        }
        return upload;
    }

    private void continueResumable(HttpExchange ex, AccessTokens.Caller caller, String id) throws IOException {
        ResumableUpload upload = upload(caller, id);
        synchronized (upload) {
            if (upload.result != null) {
                drain(ex);
                sendJson(ex, 200, objectJson(upload.result));
                return;
            }
            String header = ex.getRequestHeaders().getFirst("Content-Range");
            long total;
            try (InputStream body = body(ex)) {
                if (header == null) {
                    // A single PUT of the whole object.
                    upload.content.append(body, -1);
                    total = upload.persisted();
                } else {
                    Matcher m = CONTENT_RANGE.matcher(header.trim());
                    if (!m.matches()) {
                        throw StorageException.invalid("Invalid Content-Range: " + header);
                    }
                    total = m.group(4).equals("*") ? -1 : Long.parseLong(m.group(4));
                    if (m.group(2) != null) {
                        long first = Long.parseLong(m.group(2));
                        if (first > upload.persisted()) {
                            throw StorageException.invalid("Upload chunk starts at " + first
                                    + " but only " + upload.persisted() + " bytes were persisted.");
                        }
                        // Bytes the client resends after a lost response are already persisted: skip them.
                        body.skipNBytes(upload.persisted() - first);
                        if (m.group(3).equals("*")) {
                            // An open end: the chunk is the rest of the request body. With an unknown total it is
                            // also the last one, so the object is what was sent, as Cloud Storage commits it.
                            upload.content.append(body, -1);
                            if (total < 0) {
                                total = upload.persisted();
                            }
                        } else {
                            long want = Long.parseLong(m.group(3)) + 1 - upload.persisted();
                            if (want > 0 && upload.content.append(body, want) != want) {
                                throw StorageException.invalid("Upload chunk shorter than its Content-Range " + header);
                            }
                        }
                    }
                }
            }
            if (total >= 0 && upload.persisted() == total) {
                upload.content.seal();
                checkDeclaredHashes(ex, upload);
                // The object may have appeared since the session started: replacing it needs delete rights.
                authorizeWrite(caller, upload.bucket, upload.attributes.name());
                try {
                    upload.result = store.commit(upload.bucket, upload.attributes, upload.content, upload.preconditions);
                } catch (StorageException e) {
                    if (e.status == 412) {
                        uploads.remove(id);
                        upload.content.close();
                    }
                    throw e;
                }
                sendJson(ex, 200, objectJson(upload.result));
                return;
            }
            if (total >= 0 && upload.persisted() > total) {
                throw StorageException.invalid("Upload is larger than its declared size " + total);
            }
            if (upload.persisted() > 0) {
                ex.getResponseHeaders().add("Range", "bytes=0-" + (upload.persisted() - 1));
            }
            sendEmpty(ex, 308);
        }
    }

    private void checkDeclaredHashes(HttpExchange ex, ResumableUpload upload) {
        String hashes = ex.getRequestHeaders().getFirst("X-Goog-Hash");
        if (hashes == null) {
            return;
        }
        for (String h : hashes.split(",")) {
            String[] kv = h.trim().split("=", 2);
            if (kv.length != 2) {
                continue;
            }
            if (kv[0].equals("crc32c") && !kv[1].equals(upload.content.crc32c())
                    || kv[0].equals("md5") && !kv[1].equals(upload.content.md5Hash())) {
                throw StorageException.invalid("The " + kv[0] + " of the uploaded data does not match X-Goog-Hash.");
            }
        }
    }

    private void cancelResumable(HttpExchange ex, AccessTokens.Caller caller, String id) throws IOException {
        upload(caller, id);
        ResumableUpload upload = uploads.remove(id);
        if (upload != null) {
            upload.content.close();
        }
        sendEmpty(ex, 499);
    }

    private void copy(HttpExchange ex, AccessTokens.Caller caller, String srcBucket, String srcName, String dstBucket,
                      String dstName, Map<String, String> q, boolean rewrite) throws IOException {
        authorize(caller, "storage.objects.get", srcBucket, srcName, null);
        authorizeWrite(caller, dstBucket, dstName);
        fault(ex, rewrite ? "storage.objects.rewrite" : "storage.objects.copy");
        JsonNode body = readJson(ex);
        Long srcGeneration = q.containsKey("sourceGeneration") ? parseLong(q.get("sourceGeneration"), "sourceGeneration") : null;
        Preconditions srcPre = Preconditions.from(q, "ifSource");
        StoredObject source = store.get(srcBucket, srcName, srcGeneration, srcPre);
        ObjectAttributes attributes = body.isObject() && body.size() > 0
                ? ObjectAttributes.of(source).patchedBy(body).withName(dstName)
                : ObjectAttributes.of(source).withName(dstName);
        StoredObject created;
        try (StagedContent staged = store.stageCopyOf(srcBucket, srcName, srcGeneration, srcPre)) {
            created = store.commit(dstBucket, attributes, staged, Preconditions.from(q, "if"));
        }
        if (!rewrite) {
            sendJson(ex, 200, objectJson(created));
            return;
        }
        // The emulator copies in one step, so every rewrite finishes on its first call.
        ObjectNode out = JSON.createObjectNode()
                .put("kind", "storage#rewriteResponse")
                .put("totalBytesRewritten", String.valueOf(created.size()))
                .put("objectSize", String.valueOf(created.size()))
                .put("done", true);
        out.set("resource", objectJson(created));
        sendJson(ex, 200, out);
    }

    /** Concatenates up to 32 source objects of {@code bucket} into {@code destination}, as objects.compose. */
    private void compose(HttpExchange ex, AccessTokens.Caller caller, String bucket, String destination,
                         Map<String, String> q) throws IOException {
        fault(ex, "storage.objects.compose");
        JsonNode body = readJson(ex);
        JsonNode sources = body.get("sourceObjects");
        if (sources == null || !sources.isArray() || sources.isEmpty()) {
            throw StorageException.required("Required field: sourceObjects");
        }
        if (sources.size() > 32) {
            throw StorageException.invalid("The number of source components provided (" + sources.size()
                    + ") exceeds the maximum (32)");
        }
        for (JsonNode s : sources) {
            if (text(s, "name") == null || text(s, "name").isEmpty()) {
                throw StorageException.required("Required field: sourceObjects[].name");
            }
            authorize(caller, "storage.objects.get", bucket, text(s, "name"), null);
        }
        authorizeWrite(caller, bucket, destination);
        JsonNode dest = body.path("destination");
        ObjectAttributes attributes = (dest.isObject() ? ObjectAttributes.fromJson(dest) : ObjectAttributes.empty()).withName(destination);
        try (StagedContent staged = store.stage()) {
            for (JsonNode s : sources) {
                Long generation = s.hasNonNull("generation") ? s.get("generation").asLong() : null;
                JsonNode match = s.path("objectPreconditions").path("ifGenerationMatch");
                Preconditions pre = match.isMissingNode() || match.isNull() ? Preconditions.none()
                        : Preconditions.from(Map.of("ifGenerationMatch", match.asText()), "if");
                ObjectStore.OpenObject open = store.open(bucket, text(s, "name"), generation, pre);
                try (FileChannel ch = open.channel(); InputStream in = Channels.newInputStream(ch)) {
                    staged.append(in, -1);
                }
            }
            staged.seal();
            sendJson(ex, 200, objectJson(store.commit(bucket, attributes, staged, Preconditions.from(q, "if"))));
        }
    }

    private void sendMedia(HttpExchange ex, ObjectStore.OpenObject open) throws IOException {
        try (FileChannel ch = open.channel()) {
            StoredObject o = open.object();
            long size = o.size();
            long first = 0;
            long last = size - 1;
            int status = 200;
            String range = ex.getRequestHeaders().getFirst("Range");
            if (range != null) {
                Matcher m = RANGE.matcher(range.trim());
                if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                    if (size == 0) {
                        // No byte of an empty object can be served: Cloud Storage answers 416 to any range.
                        ex.getResponseHeaders().add("Content-Range", "bytes */0");
                        throw new StorageException(416, "requestedRangeNotSatisfiable", "Request range not satisfiable");
                    }
                    if (m.group(1).isEmpty()) {
                        first = Math.max(0, size - Long.parseLong(m.group(2)));
                    } else {
                        first = Long.parseLong(m.group(1));
                        if (!m.group(2).isEmpty()) {
                            last = Math.min(last, Long.parseLong(m.group(2)));
                        }
                    }
                    if (first >= size || first > last) {
                        ex.getResponseHeaders().add("Content-Range", "bytes */" + size);
                        throw new StorageException(416, "requestedRangeNotSatisfiable", "Request range not satisfiable");
                    }
                    status = 206;
                    ex.getResponseHeaders().add("Content-Range", "bytes " + first + "-" + last + "/" + size);
                }
            }
            var h = ex.getResponseHeaders();
            h.add("Content-Type", o.contentType());
            h.add("ETag", o.etag());
            h.add("Accept-Ranges", "bytes");
            h.add("X-Goog-Generation", String.valueOf(o.generation()));
            h.add("X-Goog-Metageneration", String.valueOf(o.metageneration()));
            h.add("X-Goog-Stored-Content-Length", String.valueOf(size));
            h.add("X-Goog-Stored-Content-Encoding", o.contentEncoding() == null ? "identity" : o.contentEncoding());
            h.add("X-Goog-Hash", "crc32c=" + o.crc32c() + ",md5=" + o.md5Hash());
            if (o.contentEncoding() != null) {
                h.add("Content-Encoding", o.contentEncoding());
            }
            long length = size == 0 ? 0 : last - first + 1;
            ex.sendResponseHeaders(status, length == 0 ? -1 : length);
            if (length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    WritableByteChannel target = Channels.newChannel(out);
                    long pos = first;
                    long end = first + length;
                    while (pos < end) {
                        pos += ch.transferTo(pos, end - pos, target);
                    }
                }
            }
        }
    }

    private ObjectNode objectJson(StoredObject o) {
        String path = "/b/" + encodePath(o.bucket()) + "/o/" + encodePath(o.name());
        ObjectNode j = JSON.createObjectNode()
                .put("kind", "storage#object")
                .put("id", o.bucket() + "/" + o.name() + "/" + o.generation())
                .put("selfLink", baseUrl() + "/storage/v1" + path)
                .put("mediaLink", baseUrl() + "/download/storage/v1" + path + "?generation=" + o.generation() + "&alt=media")
                .put("name", o.name())
                .put("bucket", o.bucket())
                .put("generation", String.valueOf(o.generation()))
                .put("metageneration", String.valueOf(o.metageneration()))
                .put("contentType", o.contentType())
                .put("storageClass", "STANDARD")
                .put("size", String.valueOf(o.size()))
                .put("md5Hash", o.md5Hash())
                .put("crc32c", o.crc32c())
                .put("etag", o.etag())
                .put("timeCreated", RFC3339.format(o.timeCreated()))
                .put("updated", RFC3339.format(o.updated()))
                .put("timeStorageClassUpdated", RFC3339.format(o.timeCreated()));
        putIfPresent(j, "contentEncoding", o.contentEncoding());
        putIfPresent(j, "contentDisposition", o.contentDisposition());
        putIfPresent(j, "contentLanguage", o.contentLanguage());
        putIfPresent(j, "cacheControl", o.cacheControl());
        if (!o.metadata().isEmpty()) {
            ObjectNode m = j.putObject("metadata");
            o.metadata().forEach(m::put);
        }
        return j;
    }

    private ObjectNode bucketJson(ObjectStore.Bucket b) {
        ObjectNode j = JSON.createObjectNode()
                .put("kind", "storage#bucket")
                .put("id", b.name())
                .put("selfLink", baseUrl() + "/storage/v1/b/" + encodePath(b.name()))
                .put("projectNumber", "0")
                .put("name", b.name())
                .put("timeCreated", RFC3339.format(b.timeCreated()))
                .put("updated", RFC3339.format(b.updated()))
                .put("metageneration", String.valueOf(b.metageneration()))
                .put("location", b.location())
                .put("locationType", "region")
                .put("storageClass", b.storageClass())
                .put("etag", "CA" + Long.toHexString(b.metageneration()) + "=");
        if (!b.labels().isEmpty()) {
            ObjectNode labels = j.putObject("labels");
            b.labels().forEach(labels::put);
        }
        if (!b.lifecycle().isMissingNode()) {
            j.set("lifecycle", b.lifecycle());
        }
        return j;
    }

    private static void putIfPresent(ObjectNode j, String field, String value) {
        if (value != null) {
            j.put(field, value);
        }
    }

    private static void sendJson(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=UTF-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sendEmpty(HttpExchange ex, int status) throws IOException {
        ex.getResponseHeaders().add("Content-Length", "0");
        ex.sendResponseHeaders(status, -1);
    }

    private static void sendError(HttpExchange ex, StorageException e) throws IOException {
        if (e.status == 304) {
            ex.sendResponseHeaders(304, -1);
            return;
        }
        ObjectNode error = JSON.createObjectNode();
        ObjectNode inner = error.putObject("error").put("code", e.status).put("message", e.getMessage());
        inner.putArray("errors").addObject()
                .put("domain", "global")
                .put("reason", e.reason)
                .put("message", e.getMessage());
        sendJson(ex, e.status, error);
    }

    private static InputStream body(HttpExchange ex) throws IOException {
        InputStream in = ex.getRequestBody();
        String encoding = ex.getRequestHeaders().getFirst("Content-Encoding");
        return encoding != null && encoding.equalsIgnoreCase("gzip") ? new GZIPInputStream(in, 64 * 1024) : in;
    }

    private static JsonNode readJson(HttpExchange ex) throws IOException {
        byte[] bytes;
        try (InputStream in = body(ex)) {
            bytes = in.readAllBytes();
        }
        if (bytes.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw StorageException.invalid("Invalid JSON payload: " + e.getMessage());
        }
    }

    private static void drain(HttpExchange ex) {
        try (InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // The client went away; nothing is left to answer.
        }
    }

    private static String contentType(HttpExchange ex) {
        String ct = ex.getRequestHeaders().getFirst("Content-Type");
        return ct == null || ct.isEmpty() ? null : ct;
    }

    private static String boundary(String contentType) {
        if (contentType != null) {
            for (String p : contentType.split(";")) {
                String t = p.trim();
                if (t.startsWith("boundary=")) {
                    String b = t.substring("boundary=".length());
                    return b.startsWith("\"") ? b.substring(1, b.length() - 1) : b;
                }
            }
        }
        throw StorageException.invalid("Multipart upload needs a Content-Type with a boundary.");
    }

    /** Splits a multipart/related body into [headers, content] pairs. */
    private static List<byte[][]> multipartParts(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<byte[][]> parts = new ArrayList<>();
        int pos = indexOf(body, delimiter, 0);
        while (pos >= 0) {
            int start = pos + delimiter.length;
            if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-') {
                break;
            }
            start = skipLineBreak(body, start);
            int next = indexOf(body, delimiter, start);
            if (next < 0) {
                throw StorageException.invalid("Multipart body is not terminated.");
            }
            int end = next;
            if (end >= 2 && body[end - 2] == '\r' && body[end - 1] == '\n') {
                end -= 2;
            } else if (end >= 1 && body[end - 1] == '\n') {
                end -= 1;
            }
            int headerEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), start);
            int contentStart;
            if (headerEnd >= 0 && headerEnd <= end) {
                contentStart = headerEnd + 4;
            } else {
                headerEnd = indexOf(body, "\n\n".getBytes(StandardCharsets.ISO_8859_1), start);
                contentStart = headerEnd + 2;
            }
            parts.add(new byte[][] {Arrays.copyOfRange(body, start, headerEnd), Arrays.copyOfRange(body, contentStart, end)});
            pos = next;
        }
        return parts;
    }

    private static String headerOf(byte[] headers, String name) {
        for (String line : new String(headers, StandardCharsets.ISO_8859_1).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static int skipLineBreak(byte[] b, int i) {
        if (i < b.length && b[i] == '\r') {
            i++;
        }
        if (i < b.length && b[i] == '\n') {
            i++;
        }
        return i;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int indexOfAny(List<String> list, String a, String b) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).equals(a) || list.get(i).equals(b)) {
                return i;
            }
        }
        return -1;
    }

    private static int maxResults(Map<String, String> q) {
        int max = q.containsKey("maxResults") ? (int) parseLong(q.get("maxResults"), "maxResults") : 1000;
        if (max <= 0) {
            throw StorageException.invalid("Invalid value for maxResults: " + max);
        }
        return Math.min(max, 1000);
    }

    private static long parseLong(String value, String field) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw StorageException.invalid("Invalid value for " + field + ": " + value);
        }
    }

    private static String text(JsonNode j, String field) {
        JsonNode v = j.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String encodeToken(String s) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeToken(String s) {
        return new String(java.util.Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8);
    }

    private static String encodePath(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Splits a raw path and percent-decodes each segment; '+' stays '+' in a path. */
    private static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.putIfAbsent(k, v);
        }
        return q;
    }
}
