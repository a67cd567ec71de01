package io.sandboxops.app.cli;

import static io.sandboxops.app.cli.CliRun.ctl;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxops.app.env.LocalCloudSeeder;
import io.sandboxops.app.env.RunningEmulator;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.observe.CloudLoggingEventSink;
import io.sandboxops.core.observe.SandboxEvent;
import io.sandboxops.core.testing.LocalTargets;
import io.sandboxops.emulator.LocalCloud;
import java.nio.file.Path;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sandboxctl metrics} shows Docker and Cloud Run side by side and the plan's comparisons with n and p-value,
 * over client events written through the client's own sink to the local environment's emulator.
 */
class MetricsCliTest {
    @TempDir
    static Path home;
    private static String savedHome;
    private static LocalCloud cloud;

    @BeforeAll
    static void startLocalCloud() {
        savedHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        cloud = LocalCloud.start();
        Environment local = Environment.local();
        var target = local.localTarget(cloud.endpoints().grpcTarget(), cloud.endpoints().storageHost(), cloud.endpoints().accessToken());
        try (GoogleClients clients = new GoogleClients(target)) {
            LocalCloudSeeder.seed(clients, local);
        }
        // 60 commands a backend, the plan's minimum is 50: Docker's take 100–159 ms, Cloud Run's 400–459 ms.
        try (CloudLoggingEventSink sink = new CloudLoggingEventSink(target)) {
            for (int i = 0; i < 60; i++) {
                sink.record(new SandboxEvent(Instant.now(), "docker", "container", "exec", SandboxEvent.Outcome.OK, 100 + i,
                        SandboxEvent.sessionKey("d"), OptionalInt.of(0), OptionalLong.empty()));
                sink.record(new SandboxEvent(Instant.now(), "cloudrun", "session", "exec", SandboxEvent.Outcome.OK, 400 + i,
                        SandboxEvent.sessionKey("c"), OptionalInt.of(0), OptionalLong.empty()));
            }
        }
        RunningEmulator.record(LocalTargets.of(cloud));
    }

    @AfterAll
    static void stop() {
        RunningEmulator.forget();
        cloud.close();
        System.setProperty("user.home", savedHome);
    }

    @Test
    void metricsShowBothBackendsSideBySideAndEachComparisonWithNAndPValue() throws Exception {
        CliRun text = ctl("metrics", "--window", "1h");
        assertThat(text.status()).as(text.err()).isZero();
        System.out.println(text.out());
        assertThat(text.out()).contains("Docker (baseline)").contains("Cloud Run (canary)")
                .containsPattern("exec latency p99 +0\\.159 s \\(n=60\\) +0\\.459 s \\(n=60\\)")
                .containsPattern("latency p99 vs Docker: Cloud Run 0\\.459 s \\(n=60\\) vs Docker 0\\.159 s \\(n=60\\).*Mann-Whitney U.*p=[0-9.e-]+\\) BREACH");

        CliRun json = ctl("metrics", "--window", "1h", "--json");
        assertThat(json.status()).as(json.err()).isZero();
        JsonNode j = json.json();
        assertThat(j.get("baseline").get("backend").asText()).isEqualTo("docker");
        assertThat(j.get("baseline").get("latency_samples").asInt()).isEqualTo(60);
        assertThat(j.get("canary").get("latency_p99_ms").asDouble()).isEqualTo(459.0);
        JsonNode latency = null;
        for (JsonNode c : j.get("comparisons")) {
            if (c.get("name").asText().equals("latency p99 vs Docker")) {
                latency = c;
            }
        }
        assertThat(latency).isNotNull();
        assertThat(latency.get("verdict").asText()).isEqualTo("BREACH");
        assertThat(latency.get("canary_n").asInt()).isEqualTo(60);
        assertThat(latency.get("baseline_n").asInt()).isEqualTo(60);
        assertThat(latency.get("p_value").asDouble()).isLessThan(1e-6);
    }
}
