package io.sandboxops.emulator.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.api.gax.rpc.PermissionDeniedException;
import com.google.api.gax.rpc.UnauthenticatedException;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.OAuth2Credentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.logging.v2.LoggingClient;
import com.google.cloud.logging.v2.LoggingSettings;
import com.google.cloud.run.v2.JobsClient;
import com.google.cloud.run.v2.JobsSettings;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import io.grpc.ManagedChannelBuilder;
import io.sandboxops.emulator.CloudClients;
import io.sandboxops.emulator.LocalCloud;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nobody but whoever started the local cloud can use it: every API wants the per-run token, and a request addressed
 * to another name than loopback, or sent by a web page, is refused before any token is looked at (DNS rebinding).
 */
class AccessControlTest {
    private static LocalCloud cloud;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start();
        try (Storage storage = CloudClients.storage(cloud.endpoints())) {
            storage.create(BucketInfo.of("guarded"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    @Test
    void eachRunHasItsOwnTokenAndItIsNeverPrintedByToString() {
        try (LocalCloud other = LocalCloud.start()) {
            assertThat(other.endpoints().accessToken()).isNotEqualTo(cloud.endpoints().accessToken()).hasSizeGreaterThan(40);
            assertThat(other.endpoints().toString()).doesNotContain(other.endpoints().accessToken());
        }
    }

    @Test
    void storageWithoutATokenOrWithAnotherRunsTokenIsUnauthenticated() throws Exception {
        try (Storage anonymous = StorageOptions.newBuilder().setHost(cloud.endpoints().storageHost())
                .setProjectId(cloud.endpoints().projectId()).setCredentials(NoCredentials.getInstance()).build().getService()) {
            assertThatThrownBy(() -> anonymous.get("guarded"))
                    .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getCode()).isEqualTo(401))
                    .hasMessageContaining("per-run access token");
        }
        // On a 401 the client refreshes its credentials once and retries; a holder of an old run's token gets the same
        // token again (a plain OAuth2Credentials cannot refresh and would fail in the client, before the answer is read).
        AccessToken old = new AccessToken("lc-a-token-of-an-earlier-run-0123456789", null);
        OAuth2Credentials staleToken = new OAuth2Credentials(old) {
            @Override
            public AccessToken refreshAccessToken() {
                return old;
            }
        };
        try (Storage stale = StorageOptions.newBuilder().setHost(cloud.endpoints().storageHost())
                .setProjectId(cloud.endpoints().projectId()).setCredentials(staleToken).build().getService()) {
            assertThatThrownBy(() -> stale.list("guarded"))
                    .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getCode()).isEqualTo(401))
                    .hasMessageContaining("not valid for this run");
        }
        try (Storage owner = CloudClients.storage(cloud.endpoints())) {
            assertThat(owner.get("guarded")).isNotNull();
        }
    }

    @Test
    void grpcApisWithoutATokenAreUnauthenticated() throws IOException {
        JobsSettings settings = JobsSettings.newBuilder().setCredentialsProvider(NoCredentialsProvider.create())
                .setTransportChannelProvider(plaintext(null)).build();
        try (JobsClient jobs = JobsClient.create(settings)) {
            assertThatThrownBy(() -> jobs.listJobs(cloud.endpoints().locationName()).iterateAll().forEach(j -> { }))
                    .isInstanceOf(UnauthenticatedException.class);
        }
        LoggingSettings logging = LoggingSettings.newBuilder()
                .setCredentialsProvider(FixedCredentialsProvider.create(OAuth2Credentials.create(new AccessToken("wrong-token-0123456789", null))))
                .setTransportChannelProvider(plaintext(null)).build();
        try (LoggingClient client = LoggingClient.create(logging)) {
            assertThatThrownBy(() -> client.listLogs("projects/" + cloud.endpoints().projectId()).iterateAll().forEach(l -> { }))
                    .isInstanceOf(UnauthenticatedException.class);
        }
    }

    @Test
    void aGrpcCallAddressedToAnotherNameIsRefusedEvenWithTheToken() throws IOException {
        JobsSettings settings = JobsSettings.newBuilder()
                .setCredentialsProvider(FixedCredentialsProvider.create(CloudClients.token(cloud.endpoints())))
                .setTransportChannelProvider(plaintext("rebound.attacker.example:443")).build();
        try (JobsClient jobs = JobsClient.create(settings)) {
            assertThatThrownBy(() -> jobs.listJobs(cloud.endpoints().locationName()).iterateAll().forEach(j -> { }))
                    .isInstanceOf(PermissionDeniedException.class)
                    .hasMessageContaining("DNS rebinding");
        }
    }

    @Test
    void anHttpRequestWithAForeignHostOrAWebPageOriginIsRefusedEvenWithTheToken() throws IOException {
        String auth = "Authorization: Bearer " + cloud.endpoints().accessToken() + "\r\n";
        String path = "/storage/v1/b/guarded";
        assertThat(rawGet(path, "Host: rebound.attacker.example:" + cloud.endpoints().storagePort() + "\r\n" + auth))
                .startsWith("HTTP/1.1 403").contains("DNS rebinding");
        assertThat(rawGet(path, "Host: 127.0.0.1:" + cloud.endpoints().storagePort() + "\r\nOrigin: http://attacker.example\r\n" + auth))
                .startsWith("HTTP/1.1 403").contains("from browsers");
        assertThat(rawGet(path, "Host: localhost:" + cloud.endpoints().storagePort() + "\r\n" + auth)).startsWith("HTTP/1.1 200");
        assertThat(rawGet(path, "Host: 127.0.0.1:" + cloud.endpoints().storagePort() + "\r\n")).startsWith("HTTP/1.1 401");
    }

    @Test
    void loopbackNamesAreRecognisedAndOthersAreNot() {
        assertThat(LoopbackOnly.refusal("127.0.0.1:9400", null)).isEmpty();
        assertThat(LoopbackOnly.refusal("localhost", "http://localhost:3000")).isEmpty();
        assertThat(LoopbackOnly.refusal("[::1]:9400", null)).isEmpty();
        assertThat(LoopbackOnly.refusal("127.0.0.1.attacker.example:9400", null)).isPresent();
        assertThat(LoopbackOnly.refusal("localhost.attacker.example", null)).isPresent();
        assertThat(LoopbackOnly.refusal("127.0.0.1:9400", "null")).isPresent();
        assertThat(LoopbackOnly.refusal("", null)).isPresent();
    }

    // gax declares the channel configurator on the raw ManagedChannelBuilder type.
    @SuppressWarnings("rawtypes")
    private static InstantiatingGrpcChannelProvider plaintext(String authority) {
        return InstantiatingGrpcChannelProvider.newBuilder().setEndpoint(cloud.endpoints().grpcTarget())
                .setChannelConfigurator(b -> {
                    ManagedChannelBuilder builder = b.usePlaintext();
                    return authority == null ? builder : builder.overrideAuthority(authority);
                })
                .build();
    }

    /** One HTTP/1.1 request written by hand, so the Host and Origin headers are exactly what an attacker sends. */
    private static String rawGet(String path, String headers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", cloud.endpoints().storagePort())) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\n" + headers + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
