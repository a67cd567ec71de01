package io.sandboxops.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, hostile input: wrong credentials. {@code sandboxctl} on a GCP environment with
 * {@code GOOGLE_APPLICATION_CREDENTIALS} naming a key file that is missing, not JSON, or a service-account key whose
 * private key is damaged: one line saying which client could not be made and how to fix it, exit 1, no stack
 * trace, and never a byte of the key file in the output. Nothing reaches the network: the credentials fail to
 * load before any call is made. A separate JVM, because the variable is read from the process environment.
 */
class WrongCredentialsCliTest {
    private static final String KEY_MATERIAL = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7secretkeymaterial";

    @TempDir
    Path home;

    @BeforeEach
    void environments() throws Exception {
        Path dir = Files.createDirectories(home.resolve(".sandbox-ops"));
        Files.writeString(dir.resolve("environments.json"), """
                {"default": "staging", "environments": [{"name": "staging", "project": "acme-staging", "region": "europe-west1",
                  "service": "agent-backend"}]}
                """);
    }

    @ParameterizedTest
    @ValueSource(strings = {"missing", "not-json", "damaged-key"})
    void aBadKeyFileIsOneLineThatSaysWhatToDoAndShowsNothingOfTheKey(String kind) throws Exception {
        Path key = home.resolve("key-" + kind + ".json");
        switch (kind) {
            case "not-json" -> Files.writeString(key, "this is not a key file " + KEY_MATERIAL);
            case "damaged-key" -> Files.writeString(key, """
                    {"type": "service_account", "project_id": "acme-staging", "private_key_id": "0123456789abcdef",
                     "private_key": "-----BEGIN PRIVATE KEY-----\\n%s\\n-----END PRIVATE KEY-----\\n",
                     "client_email": "sandbox-ops@acme-staging.iam.gserviceaccount.com", "client_id": "1",
                     "token_uri": "http://127.0.0.1:9/token"}
                    """.formatted(KEY_MATERIAL));
            default -> {
                // the file does not exist
            }
        }

        Result r = sandboxctl(key, "rollout", "status");

        assertThat(r.status).as(r.err).isEqualTo(1);
        assertThat(r.err.strip().lines()).as(r.err).hasSize(1);
        assertThat(r.err).startsWith("sandboxctl: cannot load Google credentials from the key file in GOOGLE_APPLICATION_CREDENTIALS (" + key + ") for project acme-staging")
                .contains("GOOGLE_APPLICATION_CREDENTIALS")
                .doesNotContain("\tat ").doesNotContain(KEY_MATERIAL);
        assertThat(r.out).doesNotContain(KEY_MATERIAL);
        System.out.println("HOSTILE | GOOGLE_APPLICATION_CREDENTIALS " + kind + " | exit " + r.status + " | " + r.err.strip());
    }

    private record Result(int status, String out, String err) {
    }

    private Result sandboxctl(Path credentials, String... args) throws Exception {
        Process p = SandboxCtlProcess.start(home, Map.of("GOOGLE_APPLICATION_CREDENTIALS", credentials.toString()), args);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("sandboxctl ended").isTrue();
        return new Result(p.exitValue(), Files.readString(home.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(home.resolve("err.txt"), StandardCharsets.UTF_8));
    }
}
