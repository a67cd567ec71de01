package io.sandboxops.app.cli;

import io.sandboxops.core.testing.LocalTargets;
import static io.sandboxops.app.cli.CliRun.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxops.app.env.LocalCloudSeeder;
import io.sandboxops.app.env.RunningEmulator;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.testing.RequiresDocker;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudConfig;
import io.sandboxops.emulator.run.DockerExecutionRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sandboxctl bench concurrent | sessions | files}, at tiny settings: the JSON they print and their errors, on
 * the Docker backend and ({@link OnCloudRun}) on the Cloud Run backend of the local environment.
 */
@RequiresDocker
class BenchCliTest {

    @Test
    void concurrentPrintsLatencyPercentilesAndNoFailures() throws Exception {
        CliRun r = ctl("bench", "concurrent", "--short", "--sessions", "2", "--duration", "2", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("benchmark").asText()).isEqualTo("concurrent");
        assertThat(j.get("sessions").asInt()).isEqualTo(2);
        assertThat(j.get("failures").asLong()).isZero();
        assertThat(j.get("commands").asLong()).isPositive();
        assertThat(j.get("latency_ms").get("p99").asDouble()).isGreaterThanOrEqualTo(j.get("latency_ms").get("p50").asDouble());
    }

    @Test
    void sessionsVerifiesEverySessionsOwnState() throws Exception {
        CliRun r = ctl("bench", "sessions", "--sessions", "3", "--commands", "4", "--parallel", "3", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("sessions_verified").asInt()).isEqualTo(3);
        assertThat(j.get("isolation_violations").asInt()).isZero();
        assertThat(j.get("failures").asLong()).isZero();
    }

    @Test
    void filesComeBackWithMatchingHashesAndTheHeapIsReported() throws Exception {
        CliRun r = ctl("bench", "files", "--files", "2", "--size", "300000", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("sha256_mismatches").asInt()).isZero();
        assertThat(j.get("bytes_down").asLong()).isEqualTo(600_000L);
        assertThat(j.get("heap_used_after_bytes").asLong()).isPositive();
    }

    @Test
    void terminalPrintsEachFigureBesideItsReferenceAndTheHeap() throws Exception {
        CliRun r = ctl("bench", "terminal", "--keystrokes", "10", "--warmup", "2", "--size", "100000", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        assertWellFormedTerminalReport(r.json(), "docker", "raw docker exec -t cat", 100_000);
    }

    /** The terminal benchmark's JSON: every figure there and plausible in form (never judged as fast or slow). */
    static void assertWellFormedTerminalReport(JsonNode j, String backend, String reference, long fileBytes) {
        assertThat(j.get("benchmark").asText()).isEqualTo("terminal");
        assertThat(j.get("backend").asText()).isEqualTo(backend);
        assertThat(j.get("file_bytes").asLong()).isEqualTo(fileBytes);
        assertThat(j.get("terminal_open_ms").asDouble()).isPositive();
        for (String latency : new String[] {"keystroke_echo_ms", "reference_exec_true_ms"}) {
            JsonNode l = j.get(latency);
            assertThat(l.get("samples").asInt()).as(latency).isEqualTo(j.get("keystrokes").asInt());
            assertThat(l.get("min").asDouble()).as(latency).isPositive();
            assertThat(l.get("p50").asDouble()).as(latency).isBetween(l.get("min").asDouble(), l.get("p90").asDouble());
            assertThat(l.get("p99").asDouble()).as(latency).isBetween(l.get("p90").asDouble(), l.get("max").asDouble());
        }
        assertThat(j.get("terminal_cat").get("how").asText()).isEqualTo("terminal: cat");
        assertThat(j.get("reference_cat").get("how").asText()).isEqualTo(reference);
        for (String throughput : new String[] {"terminal_cat", "reference_cat"}) {
            assertThat(j.get(throughput).get("bytes_received").asLong()).as(throughput).isGreaterThanOrEqualTo(fileBytes);
            assertThat(j.get(throughput).get("mb_per_s").asDouble()).as(throughput).isPositive();
        }
        assertThat(j.get("heap_used_before_bytes").asLong()).isPositive();
        assertThat(j.get("heap_used_after_bytes").asLong()).isPositive();
        assertThat(j.get("heap_peak_bytes").asLong()).isPositive();
        assertThat(j.get("problems")).isEmpty();
    }

    @Test
    void badSettingsAreUsageErrorsWithoutAStackTrace() {
        CliRun tooBig = ctl("bench", "files", "--files", "1", "--size", "1000000000");
        assertThat(tooBig.status()).isEqualTo(SandboxCtl.EXIT_USAGE);
        assertThat(tooBig.err()).contains("500 MB").doesNotContain("Exception").doesNotContain("\tat ");

        CliRun words = ctl("bench", "concurrent", "--sessions", "ten");
        assertThat(words.status()).isEqualTo(SandboxCtl.EXIT_USAGE);
        assertThat(words.err()).contains("--sessions").doesNotContain("\tat ");

        CliRun tiny = ctl("bench", "terminal", "--size", "5");
        assertThat(tiny.status()).isEqualTo(SandboxCtl.EXIT_USAGE);
        assertThat(tiny.err()).contains("the file size must be from 1000 bytes to 500 MB, not 5").doesNotContain("\tat ");

        CliRun none = ctl("bench", "sessions", "--sessions", "0", "--commands", "2");
        assertThat(none.status()).isEqualTo(SandboxCtl.EXIT_USAGE);
        assertThat(none.err()).contains("sessions must be from 1").contains("Try 'sandboxctl bench sessions --help' for usage.");
    }

    @Test
    void anUnknownBackendIsAUsageErrorNamingTheOnesThereAre() {
        CliRun r = ctl("bench", "sessions", "--backend", "kubernetes", "--sessions", "1", "--commands", "2");
        assertThat(r.status()).isEqualTo(SandboxCtl.EXIT_USAGE);
        assertThat(r.err().strip().lines()).containsExactly(
                "sandboxctl: Invalid value for option '--backend': unknown backend \"kubernetes\"; use docker or cloudrun",
                "Try 'sandboxctl bench sessions --help' for usage.");
    }

    @Test
    void cloudRunOnTheLocalEnvironmentWithNoEmulatorSaysHowToStartOne(@TempDir Path emptyHome) {
        CliRun r = withUserHome(emptyHome, () -> ctl("bench", "sessions", "--backend", "cloudrun", "--env", "local", "--short"));
        assertThat(r.status()).isEqualTo(SandboxCtl.EXIT_FAILED);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("needs its emulator").contains("sandboxctl emulator start").doesNotContain("Exception");
    }

    private static <T> T withUserHome(Path home, Supplier<T> work) {
        String saved = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            return work.get();
        } finally {
            System.setProperty("user.home", saved);
        }
    }

    /**
     * {@code --backend cloudrun --env local}: the emulator, recorded as {@code sandboxctl emulator start} records it,
     * runs the real executor image (built by executor/build-image.sh) through its Docker runner.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OnCloudRun {
        private Path home;
        private String savedHome;
        private LocalCloud cloud;

        @BeforeAll
        void startLocalCloud() throws Exception {
            boolean image = new ProcessBuilder("docker", "image", "inspect", "sandboxops/executor:latest").start().waitFor() == 0;
            if (!Boolean.getBoolean("sandbox.requireDocker")) {
                Assumptions.assumeTrue(image, "SKIPPED: the executor image is not built (bash executor/build-image.sh)");
            }
            home = Files.createTempDirectory("bench-cli-home");
            savedHome = System.getProperty("user.home");
            System.setProperty("user.home", home.toString());
            cloud = LocalCloud.start(LocalCloudConfig.newBuilder().runner(DockerExecutionRunner::connect).build());
            Environment local = Environment.local();
            try (GoogleClients clients = new GoogleClients(local.localTarget(cloud.endpoints().grpcTarget(), cloud.endpoints().storageHost(), cloud.endpoints().accessToken()))) {
                LocalCloudSeeder.seed(clients, local);
            }
            RunningEmulator.record(LocalTargets.of(cloud));
        }

        @AfterAll
        void stop() {
            if (cloud != null) {
                RunningEmulator.forget();
                cloud.close();
            }
            if (savedHome != null) {
                System.setProperty("user.home", savedHome);
                deleteTree(home);
            }
        }

        @Test
        void sessionsPassAndPrintTheFigures() {
            CliRun r = ctl("bench", "sessions", "--backend", "cloudrun", "--env", "local", "--sessions", "3", "--commands", "4",
                    "--parallel", "3");
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).contains("backend: cloudrun, 3 sessions x 4 commands (3 at once)")
                    .contains("failures: 0, sessions verified: 3/3, isolation violations: 0")
                    .containsPattern("latency: p50 [0-9.]+ ms, p99 [0-9.]+ ms");
        }

        @Test
        void concurrentRunsEveryCommandWithoutAFailure() throws Exception {
            CliRun r = ctl("bench", "concurrent", "--backend", "cloudrun", "--sessions", "2", "--duration", "2", "--json");
            assertThat(r.status()).as(r.err()).isZero();
            JsonNode j = r.json();
            assertThat(j.get("backend").asText()).isEqualTo("cloudrun");
            assertThat(j.get("failures").asLong()).isZero();
            assertThat(j.get("commands").asLong()).isPositive();
        }

        @Test
        void filesComeBackWithMatchingHashes() throws Exception {
            CliRun r = ctl("bench", "files", "--backend", "cloudrun", "--files", "2", "--size", "300000", "--json");
            assertThat(r.status()).as(r.err()).isZero();
            JsonNode j = r.json();
            assertThat(j.get("backend").asText()).isEqualTo("cloudrun");
            assertThat(j.get("sha256_mismatches").asInt()).isZero();
            assertThat(j.get("bytes_down").asLong()).isEqualTo(600_000L);
        }

        @Test
        void terminalOnSessionModePrintsEachFigureBesideItsReference() throws Exception {
            CliRun r = ctl("bench", "terminal", "--backend", "cloudrun", "--keystrokes", "10", "--warmup", "2", "--size", "100000",
                    "--json");
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.json().get("mode").asText()).isEqualTo("session");
            assertWellFormedTerminalReport(r.json(), "cloudrun", "fileDownload", 100_000);
        }

        @Test
        void imageIsTheExecutorImageTheJobRuns() {
            String image = "sandboxops/no-such-executor:0";
            CliRun r = ctl("bench", "sessions", "--backend", "cloudrun", "--image", image, "--sessions", "1", "--commands", "2");

            assertThat(r.status()).isEqualTo(SandboxCtl.EXIT_FAILED);
            assertThat(r.out()).contains("failures: 2").contains("ended before it was ready").doesNotContain("\tat ");
            Environment local = Environment.local();
            try (GoogleClients clients = new GoogleClients(local.localTarget(cloud.endpoints().grpcTarget(), cloud.endpoints().storageHost(), cloud.endpoints().accessToken()))) {
                List<String> images = new ArrayList<>();
                clients.jobs().listJobs("projects/" + local.projectId() + "/locations/" + local.region()).iterateAll()
                        .forEach(j -> j.getTemplate().getTemplate().getContainersList().forEach(c -> images.add(c.getImage())));
                assertThat(images).contains(image);
            }
        }
    }

    private static void deleteTree(Path p) {
        try (var all = Files.walk(p)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException e) {
            // best effort
        }
    }
}
