package io.sandboxops.emulator.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.api.gax.rpc.PermissionDeniedException;
import com.google.auth.http.HttpTransportFactory;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.CredentialAccessBoundary;
import com.google.auth.oauth2.CredentialAccessBoundary.AccessBoundaryRule;
import com.google.auth.oauth2.CredentialAccessBoundary.AccessBoundaryRule.AvailabilityCondition;
import com.google.auth.oauth2.DownscopedCredentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.OAuth2Credentials;
import com.google.cloud.WriteChannel;
import com.google.cloud.logging.v2.LoggingClient;
import com.google.cloud.logging.v2.LoggingSettings;
import com.google.cloud.run.v2.JobsClient;
import com.google.cloud.run.v2.JobsSettings;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import io.grpc.ManagedChannelBuilder;
import io.sandboxops.emulator.CloudClients;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudConfig;
import io.sandboxops.emulator.faults.FaultInjector;
import io.sandboxops.emulator.storage.StorageServer;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, attack 2: one session's worker read another's {@code state.json} and wrote into its mailbox, because every
 * worker held the token that opens the whole bucket. A token downscoped to {@code sessions/a/} by a Credential Access
 * Boundary, made by the real {@link DownscopedCredentials} through the emulator's STS, reaches {@code sessions/a/}
 * and nothing else, whatever Storage method it tries.
 */
class DownscopedAccessTest {
    private static final String BUCKET = "sessions-state";
    private static final byte[] SECRET = "{\"API_TOKEN\":\"b-secret\"}".getBytes(StandardCharsets.UTF_8);
    private static LocalCloud cloud;
    private static Storage root;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start();
        root = CloudClients.storage(cloud.endpoints());
        root.create(BucketInfo.of(BUCKET));
        root.create(BlobInfo.newBuilder(BUCKET, "sessions/b/state.json").build(), SECRET);
        root.create(BlobInfo.newBuilder(BUCKET, "sessions/a/state.json").build(), "{}".getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() throws Exception {
        root.close();
        cloud.close();
    }

    /** What the control plane mints for session {@code id}: objects under its prefix, and listing within it. */
    static CredentialAccessBoundary sessionBoundary(String bucket, String id) {
        String prefix = "sessions/" + id + "/";
        return CredentialAccessBoundary.newBuilder().addRule(AccessBoundaryRule.newBuilder()
                .setAvailableResource("//storage.googleapis.com/projects/_/buckets/" + bucket)
                .addAvailablePermission("inRole:roles/storage.objectAdmin")
                .setAvailabilityCondition(AvailabilityCondition.newBuilder().setExpression(
                        "resource.name.startsWith('projects/_/buckets/" + bucket + "/objects/" + prefix + "') || "
                                + "api.getAttribute('storage.googleapis.com/objectListPrefix', '').startsWith('" + prefix + "')")
                        .build())
                .build()).build();
    }

    /** The real client library's downscoped credentials, exchanging {@code source} at the emulator's STS. */
    static DownscopedCredentials downscoped(String sourceToken, CredentialAccessBoundary boundary) {
        return DownscopedCredentials.newBuilder()
                .setSourceCredential(GoogleCredentials.create(new AccessToken(sourceToken, null)))
                .setCredentialAccessBoundary(boundary)
                .setHttpTransportFactory(sts(cloud.endpoints().storageHost()))
                .build();
    }

    /** Google's STS address sent to the emulator's, as GoogleClients.downscoped does for a local target. */
    static HttpTransportFactory sts(String storageHost) {
        NetHttpTransport t = new NetHttpTransport.Builder().setConnectionFactory(url -> {
            assertThat(url.toString()).isEqualTo("https://sts.googleapis.com/v1/token");
            return (HttpURLConnection) URI.create(storageHost + "/v1/token").toURL().openConnection();
        }).build();
        return () -> t;
    }

    static Storage storage(OAuth2Credentials credentials) {
        return StorageOptions.newBuilder().setProjectId(cloud.endpoints().projectId()).setHost(cloud.endpoints().storageHost())
                .setCredentials(credentials).build().getService();
    }

    static String token(OAuth2Credentials c) throws IOException {
        c.refresh();
        return c.getAccessToken().getTokenValue();
    }

    private static void assertForbidden(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String permission, String what) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StorageException.class, e -> {
            assertThat(e.getCode()).as(e.getMessage()).isEqualTo(403);
            assertThat(e.getMessage()).contains("does not have " + permission + " access to the Google Cloud Storage " + what)
                    .contains("Permission '" + permission + "' denied on resource (or it may not exist)");
        });
    }

    @Test
    void aSessionTokenReadsWritesListsAndDeletesUnderItsOwnPrefix() throws Exception {
        try (Storage a = storage(downscoped(cloud.endpoints().accessToken(), sessionBoundary(BUCKET, "a")))) {
            a.create(BlobInfo.newBuilder(BUCKET, "sessions/a/inbox/1.json").build(), "req".getBytes(StandardCharsets.UTF_8));
            a.create(BlobInfo.newBuilder(BUCKET, "sessions/a/inbox/1.json").build(), "again".getBytes(StandardCharsets.UTF_8));
            assertThat(a.readAllBytes(BlobId.of(BUCKET, "sessions/a/inbox/1.json"))).asString(StandardCharsets.UTF_8).isEqualTo("again");
            assertThat(names(a.list(BUCKET, Storage.BlobListOption.prefix("sessions/a/")).iterateAll()))
                    .containsExactly("sessions/a/inbox/1.json", "sessions/a/state.json");
            a.copy(Storage.CopyRequest.of(BUCKET, "sessions/a/inbox/1.json", BlobId.of(BUCKET, "sessions/a/copy.json"))).getResult();
            a.compose(Storage.ComposeRequest.newBuilder().addSource("sessions/a/inbox/1.json", "sessions/a/copy.json")
                    .setTarget(BlobInfo.newBuilder(BUCKET, "sessions/a/both.json").build()).build());
            assertThat(a.readAllBytes(BlobId.of(BUCKET, "sessions/a/both.json"))).asString(StandardCharsets.UTF_8).isEqualTo("againagain");
            try (WriteChannel w = a.writer(BlobInfo.newBuilder(BUCKET, "sessions/a/big.bin").build())) {
                w.write(ByteBuffer.wrap(new byte[3 * 1024 * 1024]));
            }
            assertThat(a.get(BlobId.of(BUCKET, "sessions/a/big.bin")).getSize()).isEqualTo(3 * 1024 * 1024);
            Blob updated = a.get(BlobId.of(BUCKET, "sessions/a/copy.json")).toBuilder().setContentType("application/json").build().update();
            assertThat(updated.getContentType()).isEqualTo("application/json");
            for (String n : List.of("sessions/a/inbox/1.json", "sessions/a/copy.json", "sessions/a/both.json", "sessions/a/big.bin")) {
                assertThat(a.delete(BlobId.of(BUCKET, n))).isTrue();
            }
        }
    }

    @Test
    void aSessionTokenIsRefusedEverythingOfAnotherSession() throws Exception {
        try (Storage a = storage(downscoped(cloud.endpoints().accessToken(), sessionBoundary(BUCKET, "a")))) {
            BlobId secret = BlobId.of(BUCKET, "sessions/b/state.json");
            String object = "object " + BUCKET + "/sessions/b/state.json";
            assertForbidden(() -> a.readAllBytes(secret), "storage.objects.get", object);
            assertForbidden(() -> a.get(secret), "storage.objects.get", object);
            assertForbidden(() -> a.list(BUCKET, Storage.BlobListOption.prefix("sessions/")).iterateAll().forEach(b -> { }),
                    "storage.objects.list", "bucket " + BUCKET);
            assertForbidden(() -> a.list(BUCKET, Storage.BlobListOption.prefix("sessions/b/")).iterateAll().forEach(b -> { }),
                    "storage.objects.list", "bucket " + BUCKET);
            assertForbidden(() -> a.list(BUCKET).iterateAll().forEach(b -> { }), "storage.objects.list", "bucket " + BUCKET);
            assertForbidden(() -> a.create(BlobInfo.newBuilder(BUCKET, "sessions/b/inbox/evil.json").build(),
                    "rm -rf".getBytes(StandardCharsets.UTF_8)), "storage.objects.create", "object " + BUCKET + "/sessions/b/inbox/evil.json");
            assertForbidden(() -> a.create(BlobInfo.newBuilder(BUCKET, "sessions/b/state.json").build(), new byte[0]),
                    "storage.objects.create", object);
            assertForbidden(() -> a.delete(secret), "storage.objects.delete", object);
            assertForbidden(() -> a.get(BlobId.of(BUCKET, "sessions/a/state.json")).toBuilder().setBlobId(secret).build().update(),
                    "storage.objects.update", object);
            assertForbidden(() -> a.copy(Storage.CopyRequest.of(BUCKET, "sessions/a/state.json",
                    BlobId.of(BUCKET, "sessions/b/inbox/evil.json"))).getResult(), "storage.objects.create",
                    "object " + BUCKET + "/sessions/b/inbox/evil.json");
            assertForbidden(() -> a.copy(Storage.CopyRequest.of(BUCKET, "sessions/b/state.json",
                    BlobId.of(BUCKET, "sessions/a/stolen.json"))).getResult(), "storage.objects.get", object);
            assertForbidden(() -> a.compose(Storage.ComposeRequest.newBuilder().addSource("sessions/b/state.json")
                    .setTarget(BlobInfo.newBuilder(BUCKET, "sessions/a/stolen.json").build()).build()), "storage.objects.get", object);
            assertForbidden(() -> a.compose(Storage.ComposeRequest.newBuilder().addSource("sessions/a/state.json")
                    .setTarget(BlobInfo.newBuilder(BUCKET, "sessions/b/inbox/evil.json").build()).build()),
                    "storage.objects.create", "object " + BUCKET + "/sessions/b/inbox/evil.json");
            assertForbidden(() -> {
                try (WriteChannel w = a.writer(BlobInfo.newBuilder(BUCKET, "sessions/b/inbox/evil.json").build())) {
                    w.write(ByteBuffer.wrap("rm -rf".getBytes(StandardCharsets.UTF_8)));
                }
            }, "storage.objects.create", "object " + BUCKET + "/sessions/b/inbox/evil.json");
            // Object names are literal: a dot-dot name under sessions/a/ is another object of session a, never b's.
            assertThat(a.get(BlobId.of(BUCKET, "sessions/a/../b/state.json"))).isNull();
            assertForbidden(() -> a.get(BUCKET), "storage.buckets.get", "bucket " + BUCKET);
            assertForbidden(() -> a.delete(BUCKET), "storage.buckets.delete", "bucket " + BUCKET);
            assertForbidden(() -> a.create(BucketInfo.of("mine")), "storage.buckets.create", "project");
            assertForbidden(() -> a.list().iterateAll().forEach(b -> { }), "storage.buckets.list", "project");
        }
        assertThat(root.readAllBytes(BlobId.of(BUCKET, "sessions/b/state.json"))).isEqualTo(SECRET);
        assertThat(names(root.list(BUCKET, Storage.BlobListOption.prefix("sessions/b/")).iterateAll()))
                .containsExactly("sessions/b/state.json");
        assertThat(root.get(BlobId.of(BUCKET, "sessions/a/stolen.json"))).isNull();
    }

    @Test
    void anOverwriteNeedsDeleteRightsAsOnGoogle() throws Exception {
        root.create(BlobInfo.newBuilder(BUCKET, "drop/existing").build(), "x".getBytes(StandardCharsets.UTF_8));
        CredentialAccessBoundary createOnly = CredentialAccessBoundary.newBuilder().addRule(AccessBoundaryRule.newBuilder()
                .setAvailableResource("//storage.googleapis.com/projects/_/buckets/" + BUCKET)
                .addAvailablePermission("inRole:roles/storage.objectCreator").build()).build();
        try (Storage creator = storage(downscoped(cloud.endpoints().accessToken(), createOnly))) {
            creator.create(BlobInfo.newBuilder(BUCKET, "drop/new").build(), "n".getBytes(StandardCharsets.UTF_8));
            assertForbidden(() -> creator.create(BlobInfo.newBuilder(BUCKET, "drop/existing").build(), "y".getBytes(StandardCharsets.UTF_8)),
                    "storage.objects.delete", "object " + BUCKET + "/drop/existing");
            assertForbidden(() -> creator.readAllBytes(BlobId.of(BUCKET, "drop/new")), "storage.objects.get",
                    "object " + BUCKET + "/drop/new");
        }
    }

    @Test
    void aDownscopedTokenCannotWidenItselfByExchangingAgain() throws Exception {
        String sessionToken = token(downscoped(cloud.endpoints().accessToken(), sessionBoundary(BUCKET, "a")));
        CredentialAccessBoundary wholeBucket = CredentialAccessBoundary.newBuilder().addRule(AccessBoundaryRule.newBuilder()
                .setAvailableResource("//storage.googleapis.com/projects/_/buckets/" + BUCKET)
                .addAvailablePermission("inRole:roles/storage.objectAdmin").build()).build();
        try (Storage widened = storage(downscoped(sessionToken, wholeBucket))) {
            assertForbidden(() -> widened.readAllBytes(BlobId.of(BUCKET, "sessions/b/state.json")), "storage.objects.get",
                    "object " + BUCKET + "/sessions/b/state.json");
            assertThat(widened.readAllBytes(BlobId.of(BUCKET, "sessions/a/state.json"))).isNotEmpty();
        }
        CredentialAccessBoundary readOnly = CredentialAccessBoundary.newBuilder().addRule(AccessBoundaryRule.newBuilder()
                .setAvailableResource("//storage.googleapis.com/projects/_/buckets/" + BUCKET)
                .addAvailablePermission("inRole:roles/storage.objectViewer").build()).build();
        try (Storage narrowed = storage(downscoped(sessionToken, readOnly))) {
            assertThat(narrowed.readAllBytes(BlobId.of(BUCKET, "sessions/a/state.json"))).isNotEmpty();
            assertForbidden(() -> narrowed.create(BlobInfo.newBuilder(BUCKET, "sessions/a/w").build(), new byte[1]),
                    "storage.objects.create", "object " + BUCKET + "/sessions/a/w");
        }
    }

    @Test
    void aDownscopedTokenCannotDriveCloudRunOrLogging() throws Exception {
        DownscopedCredentials session = downscoped(cloud.endpoints().accessToken(), sessionBoundary(BUCKET, "a"));
        JobsSettings jobs = JobsSettings.newBuilder().setCredentialsProvider(FixedCredentialsProvider.create(session))
                .setTransportChannelProvider(plaintext()).build();
        try (JobsClient client = JobsClient.create(jobs)) {
            assertThatThrownBy(() -> client.listJobs(cloud.endpoints().locationName()).iterateAll().forEach(j -> { }))
                    .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("per-run token");
        }
        LoggingSettings logging = LoggingSettings.newBuilder().setCredentialsProvider(FixedCredentialsProvider.create(session))
                .setTransportChannelProvider(plaintext()).build();
        try (LoggingClient client = LoggingClient.create(logging)) {
            assertThatThrownBy(() -> client.listLogs("projects/" + cloud.endpoints().projectId()).iterateAll().forEach(l -> { }))
                    .isInstanceOf(PermissionDeniedException.class);
        }
    }

    @Test
    void aConditionOutsideTheSupportedSubsetIsRefusedAtExchange() {
        CredentialAccessBoundary unknown = CredentialAccessBoundary.newBuilder().addRule(AccessBoundaryRule.newBuilder()
                .setAvailableResource("//storage.googleapis.com/projects/_/buckets/" + BUCKET)
                .addAvailablePermission("inRole:roles/storage.objectViewer")
                .setAvailabilityCondition(AvailabilityCondition.newBuilder()
                        .setExpression("resource.name.matches('projects/_/buckets/.*')").build()).build()).build();
        assertThatThrownBy(() -> downscoped(cloud.endpoints().accessToken(), unknown).refresh())
                .hasMessageContaining("invalid_request")
                .hasMessageContaining("outside the CEL subset")
                .hasMessageContaining(".matches(");
    }

    @Test
    void theTokenEndpointAnswersMalformedExchangesAsGooglesSts() throws Exception {
        String boundary = "{\"accessBoundary\":{\"accessBoundaryRules\":[{\"availableResource\":"
                + "\"//storage.googleapis.com/projects/_/buckets/" + BUCKET + "\",\"availablePermissions\":[\"inRole:roles/storage.objectViewer\"]}]}}";
        HttpResponse<String> ok = exchange(cloud.endpoints().accessToken(), boundary);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"issued_token_type\":\"urn:ietf:params:oauth:token-type:access_token\"")
                .contains("\"token_type\":\"Bearer\"").containsPattern("\"expires_in\":3[56]\\d\\d");

        HttpResponse<String> badSubject = exchange("lc-not-a-token-of-this-run-123456", boundary);
        assertThat(badSubject.statusCode()).isEqualTo(400);
        assertThat(badSubject.body()).contains("\"error\":\"invalid_grant\"");

        List<String> rules = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            rules.add("{\"availableResource\":\"//storage.googleapis.com/projects/_/buckets/b" + i
                    + "\",\"availablePermissions\":[\"inRole:roles/storage.objectViewer\"]}");
        }
        HttpResponse<String> tooMany = exchange(cloud.endpoints().accessToken(),
                "{\"accessBoundary\":{\"accessBoundaryRules\":[" + String.join(",", rules) + "]}}");
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(tooMany.body()).contains("\"error\":\"invalid_request\"").contains("at most 10");

        HttpResponse<String> rawPermission = exchange(cloud.endpoints().accessToken(), boundary.replace(
                "inRole:roles/storage.objectViewer", "storage.objects.get"));
        assertThat(rawPermission.body()).contains("invalid_request").contains("must name a role");
        HttpResponse<String> objectResource = exchange(cloud.endpoints().accessToken(), boundary.replace(
                "/buckets/" + BUCKET, "/buckets/" + BUCKET + "/objects/x"));
        assertThat(objectResource.body()).contains("invalid_request").contains("must name a bucket");
    }

    @Test
    void anUploadSessionWorksOnlyWithTheTokenThatStartedIt() throws Exception {
        String first = token(downscoped(cloud.endpoints().accessToken(), sessionBoundary(BUCKET, "a")));
        String second = token(downscoped(cloud.endpoints().accessToken(), sessionBoundary(BUCKET, "a")));
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create(cloud.endpoints().storageHost()
                        + "/upload/storage/v1/b/" + BUCKET + "/o?uploadType=resumable&name=" + enc("sessions/a/upload.bin")))
                .header("Authorization", "Bearer " + first).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(started.statusCode()).isEqualTo(200);
        URI session = URI.create(started.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> hijacked = http.send(HttpRequest.newBuilder(session).header("Authorization", "Bearer " + second)
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(hijacked.statusCode()).isEqualTo(403);
        assertThat(hijacked.body()).contains("started with another access token");
        HttpResponse<String> done = http.send(HttpRequest.newBuilder(session).header("Authorization", "Bearer " + first)
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(done.statusCode()).isEqualTo(200);
    }

    @Test
    void aDownscopedTokenExpiresWithItsLifetime(@TempDir Path dir) throws Exception {
        AccessTokens tokens = AccessTokens.of("lc-expiry-test-root-token-0123456789", Duration.ofSeconds(5)); // room for a slow first call
        try (StorageServer server = StorageServer.start(Files.createDirectories(dir.resolve("data")), 0, new FaultInjector(), tokens)) {
            String host = "http://127.0.0.1:" + server.port();
            DownscopedCredentials c = DownscopedCredentials.newBuilder()
                    .setSourceCredential(GoogleCredentials.create(new AccessToken(tokens.rootToken(), null)))
                    .setCredentialAccessBoundary(sessionBoundary(BUCKET, "a")).setHttpTransportFactory(sts(host)).build();
            c.refresh();
            AccessToken issued = c.getAccessToken();
            assertThat(issued.getExpirationTime().getTime() - System.currentTimeMillis()).isBetween(0L, 5_500L);
            String path = host + "/storage/v1/b/" + BUCKET + "/o/" + enc("sessions/a/x");
            HttpClient http = HttpClient.newHttpClient();
            assertThat(http.send(HttpRequest.newBuilder(URI.create(path)).header("Authorization", "Bearer " + issued.getTokenValue())
                    .GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
            Thread.sleep(5_100);
            HttpResponse<String> late = http.send(HttpRequest.newBuilder(URI.create(path))
                    .header("Authorization", "Bearer " + issued.getTokenValue()).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(late.statusCode()).isEqualTo(401);
            assertThat(late.body()).contains("expired");
            assertThat(exchangeAt(host, issued.getTokenValue(), "{\"accessBoundary\":{\"accessBoundaryRules\":[{\"availableResource\":"
                    + "\"//storage.googleapis.com/projects/_/buckets/" + BUCKET + "\",\"availablePermissions\":"
                    + "[\"inRole:roles/storage.objectViewer\"]}]}}").body()).contains("invalid_grant").contains("expired");
        }
    }

    @Test
    void aLocalCloudGivesDownscopedTokensItsConfiguredLifetime() throws Exception {
        try (LocalCloud shortLived = LocalCloud.start(LocalCloudConfig.newBuilder().downscopedTokenLifetime(Duration.ofMinutes(5)).build())) {
            DownscopedCredentials c = DownscopedCredentials.newBuilder()
                    .setSourceCredential(GoogleCredentials.create(new AccessToken(shortLived.endpoints().accessToken(), null)))
                    .setCredentialAccessBoundary(sessionBoundary(BUCKET, "a"))
                    .setHttpTransportFactory(sts(shortLived.endpoints().storageHost())).build();
            c.refresh();
            assertThat(c.getAccessToken().getExpirationTime().getTime() - System.currentTimeMillis())
                    .isBetween(Duration.ofMinutes(4).toMillis(), Duration.ofMinutes(5).toMillis());
        }
    }

    private static HttpResponse<String> exchange(String subject, String options) throws Exception {
        return exchangeAt(cloud.endpoints().storageHost(), subject, options);
    }

    private static HttpResponse<String> exchangeAt(String host, String subject, String options) throws Exception {
        String form = "grant_type=" + enc("urn:ietf:params:oauth:grant-type:token-exchange")
                + "&subject_token_type=" + enc("urn:ietf:params:oauth:token-type:access_token")
                + "&requested_token_type=" + enc("urn:ietf:params:oauth:token-type:access_token")
                + "&subject_token=" + enc(subject) + "&options=" + enc(options);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(host + "/v1/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static List<String> names(Iterable<Blob> blobs) {
        return StreamSupport.stream(blobs.spliterator(), false).map(Blob::getName).toList();
    }

    // gax declares the channel configurator on the raw ManagedChannelBuilder type.
    @SuppressWarnings("rawtypes")
    private static InstantiatingGrpcChannelProvider plaintext() {
        return InstantiatingGrpcChannelProvider.newBuilder().setEndpoint(cloud.endpoints().grpcTarget())
                .setChannelConfigurator(ManagedChannelBuilder::usePlaintext).build();
    }
}
