package io.sandboxops.app.cli;

import static io.sandboxops.app.cli.CliRun.ctl;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxops.app.env.LocalCloudSeeder;
import io.sandboxops.app.env.RunningEmulator;
import io.sandboxops.core.api.PoolStatus;
import io.sandboxops.core.docker.DockerSandboxBackend;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.testing.DockerSandboxes;
import io.sandboxops.core.testing.LocalTargets;
import io.sandboxops.core.testing.RequiresDocker;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sandboxctl pool status} on the local environment: the Docker engine and the emulator (its process runner: a
 * status read starts no worker, so none is needed), the size each backend is opened with and where it comes from,
 * and a malformed pool setting refused as a usage error before anything is opened.
 */
@RequiresDocker
class PoolCliTest {
    @TempDir
    static Path home;
    private static String savedHome;
    private static LocalCloud cloud;

    @BeforeAll
    static void startLocalCloud() {
        savedHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        cloud = LocalCloud.start(LocalCloudConfig.newBuilder().build());
        Environment local = Environment.local();
        try (GoogleClients clients = new GoogleClients(LocalTargets.of(cloud))) {
            LocalCloudSeeder.seed(clients, local);
        }
        RunningEmulator.record(LocalTargets.of(cloud));
    }

    @AfterAll
    static void stop() {
        if (cloud != null) {
            RunningEmulator.forget();
            cloud.close();
        }
        System.setProperty("user.home", savedHome);
    }

    @AfterEach
    void noEnvironmentsFile() throws Exception {
        Files.deleteIfExists(environmentsFile());
    }

    private static Path environmentsFile() throws Exception {
        Path dir = home.resolve(".sandbox-ops");
        Files.createDirectories(dir);
        return dir.resolve("environments.json");
    }

    @Test
    void withNoPoolConfiguredBothBackendsShowSizeZeroFromTheDefaultAndCostNothing() throws Exception {
        CliRun r = ctl("pool", "status", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("environment").asText()).isEqualTo("local");
        assertThat(j.get("precedence").asText()).startsWith("SANDBOX_POOL_DOCKER / SANDBOX_POOL_CLOUDRUN, else the environment's \"pool\"");
        assertThat(j.get("pools")).hasSize(2);
        for (JsonNode pool : j.get("pools")) {
            assertThat(pool.get("target").asInt()).as(pool.toString()).isZero();
            assertThat(pool.get("target_origin").asText()).isEqualTo("default");
            if (pool.get("backend").asText().equals("cloudrun")) {
                // The engine's Docker pool is shared by every client of it (other tests' too); Cloud Run's bucket is this test's.
                assertThat(pool.get("idle").asInt()).isZero();
                assertThat(pool.get("starting").asInt()).isZero();
            }
            assertThat(pool.get("usd_per_hour").asDouble()).isZero();
            assertThat(pool.get("price_source").asText()).isNotBlank();
            assertThat(pool.get("members").isArray()).isTrue();
        }
        assertThat(j.get("pools").get(0).get("backend").asText()).isEqualTo("docker");
        assertThat(j.get("pools").get(1).get("backend").asText()).isEqualTo("cloudrun");
        assertThat(j.get("pools").get(1).get("target_source").asText()).contains("SANDBOX_POOL_CLOUDRUN unset");
    }

    @Test
    void theTextSaysEachSizeWhereItComesFromAndTheCost() throws Exception {
        Files.writeString(environmentsFile(), "{\"environments\": [{\"name\": \"local\", \"pool\": {\"cloudrun\": 0}}]}");
        CliRun r = ctl("pool", "status");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("environment local; size: SANDBOX_POOL_DOCKER / SANDBOX_POOL_CLOUDRUN, else the environment's \"pool\"")
                // The engine's pool is shared: another client's members may be idle or starting there.
                .containsPattern("\ndocker: target 0 \\(default: SANDBOX_POOL_DOCKER unset, environment local sets none\\), idle \\d+, starting \\d+, \\$0/h \\(")
                .contains("\ncloudrun: target 0 (environment local: \"pool\" of its entry in " + environmentsFile() + "), idle 0, starting 0, $0/h (");
    }

    @Test
    void aBadPoolInTheEnvironmentsFileIsAUsageErrorNamingTheFileAndTheField() throws Exception {
        Files.writeString(environmentsFile(), "{\"environments\": [{\"name\": \"local\", \"pool\": {\"cloudrun\": 51}}]}");
        CliRun r = ctl("pool", "status", "--backend", "cloudrun");
        assertThat(r.status()).as(r.err()).isEqualTo(SandboxCtl.EXIT_USAGE);
        assertThat(r.err()).startsWith("sandboxctl: " + environmentsFile() + ": environments[0]: pool.cloudrun must be a whole number from 0 to 50, not 51")
                .endsWith("Try 'sandboxctl pool status --help' for usage.\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anUnknownBackendIsAUsageError() {
        CliRun r = ctl("pool", "status", "--backend", "kubernetes");
        assertThat(r.status()).isEqualTo(SandboxCtl.EXIT_USAGE);
        assertThat(r.err()).contains("unknown backend \"kubernetes\"; use docker, cloudrun or all");
    }

    /** The variable is read from the process environment, so this runs sandboxctl in a JVM of its own. */
    @Test
    void theVariableWinsOverTheEnvironmentAndABadOneIsAUsageError() throws Exception {
        Files.writeString(environmentsFile(), "{\"environments\": [{\"name\": \"local\", \"pool\": {\"cloudrun\": 3}}]}");
        Process bad = SandboxCtlProcess.start(home, Map.of("SANDBOX_POOL_CLOUDRUN", "lots"), "pool", "status", "--backend", "cloudrun");
        assertThat(bad.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.exitValue()).isEqualTo(SandboxCtl.EXIT_USAGE);
        assertThat(Files.readString(home.resolve("err.txt")))
                .startsWith("sandboxctl: SANDBOX_POOL_CLOUDRUN must be a whole number from 0 to 50, not \"lots\"; unset it to use the size of environment local");

        Process good = SandboxCtlProcess.start(home, Map.of("SANDBOX_POOL_CLOUDRUN", "0"), "pool", "status", "--backend", "cloudrun", "--json");
        assertThat(good.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(good.exitValue()).as(Files.readString(home.resolve("err.txt"))).isZero();
        JsonNode pool = new com.fasterxml.jackson.databind.ObjectMapper().readTree(home.resolve("out.txt").toFile()).get("pools").get(0);
        assertThat(pool.get("target").asInt()).isZero();
        assertThat(pool.get("target_origin").asText()).isEqualTo("variable");
        assertThat(pool.get("target_source").asText()).isEqualTo("SANDBOX_POOL_CLOUDRUN=0");
    }

    /** Attack: a status read of a configured Cloud Run pool must not start a billed worker as a side effect. */
    @Test
    void aStatusReadOfAConfiguredCloudRunPoolStartsNoWorker() throws Exception {
        Files.writeString(environmentsFile(), "{\"environments\": [{\"name\": \"local\", \"pool\": {\"cloudrun\": 2}}]}");
        CliRun r = ctl("pool", "status", "--backend", "cloudrun", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode pool = r.json().get("pools").get(0);
        assertThat(pool.get("target").asInt()).isEqualTo(2);
        assertThat(pool.get("target_origin").asText()).isEqualTo("environment");
        assertThat(pool.get("idle").asInt()).isZero();
        assertThat(pool.get("starting").asInt()).isZero();
        assertThat(pool.get("usd_per_hour").asDouble()).isZero();
        assertThat(pool.get("price_source").asText()).startsWith("Cloud Run jobs list price, Tier 1 regions");
        // Give a pool that was started by mistake the time to start its workers, then look for any execution.
        Thread.sleep(1500);
        try (GoogleClients clients = new GoogleClients(LocalTargets.of(cloud))) {
            assertThat(clients.executions().listExecutions(clients.target().locationName() + "/jobs/-").iterateAll())
                    .as("executions after a status read").isEmpty();
        }
    }

    /**
     * A client that keeps a Docker pool of one (as the console does), and the status read of another: the pooled
     * container is listed idle, at no charge, and the read's own backend keeps none.
     */
    @Test
    void aDockerPoolOfOneKeptByAnotherClientIsShownIdleAtNoCharge() throws Exception {
        Files.writeString(environmentsFile(), "{\"environments\": [{\"name\": \"local\", \"pool\": {\"docker\": 1}}]}");
        List<String> ours;
        // The engine's pool is shared: members other clients keep (a console, a crashed run's leftovers) are not ours.
        List<String> before = DockerSandboxes.poolMemberIds();
        try (DockerSandboxBackend keeper = DockerSandboxBackend.fromEnvironment(1)) {
            keeper.awaitPoolReady(Duration.ofSeconds(60));
            ours = keeper.poolStatus().members().stream().filter(m -> m.state().equals("idle")).map(PoolStatus.Member::id)
                    .filter(id -> !before.contains(id)).toList();
            assertThat(ours).isNotEmpty();
            CliRun r = ctl("pool", "status", "--backend", "docker", "--json");
            assertThat(r.status()).as(r.err()).isZero();
            JsonNode pool = r.json().get("pools").get(0);
            assertThat(pool.get("backend").asText()).isEqualTo("docker");
            assertThat(pool.get("target").asInt()).isEqualTo(1);
            assertThat(pool.get("target_origin").asText()).isEqualTo("environment");
            // The engine's pool is shared: other clients' members may be there too, never fewer than ours.
            assertThat(pool.get("idle").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(pool.get("usd_per_hour").asDouble()).isZero();
            assertThat(pool.get("price_source").asText()).contains("no charge");
            List<String> listed = new java.util.ArrayList<>();
            pool.get("members").forEach(m -> listed.add(m.get("id").asText()));
            assertThat(listed).containsAll(ours);
            CliRun text = ctl("pool", "status", "--backend", "docker");
            assertThat(text.out()).contains("docker: target 1 (environment local: ").contains("$0/h (your own Docker engine: no charge per hour)")
                    .contains(ours.get(0)).contains("(this read opened docker with a pool of 0: it started nothing)");
        }
        JsonNode after = ctl("pool", "status", "--backend", "docker", "--json").json().get("pools").get(0);
        List<String> listed = new java.util.ArrayList<>();
        after.get("members").forEach(m -> listed.add(m.get("id").asText()));
        assertThat(listed).as("the keeper's idle containers go with it").doesNotContainAnyElementsOf(ours);
    }

    /**
     * Attack: with SANDBOX_POOL_DOCKER=2 set, a status read must create no container. The engine's event log is read
     * for creates labelled with the status process as their pool owner, so a container made and removed again before
     * the process exits is caught too.
     */
    @Test
    void aStatusReadWithADockerPoolSetCreatesNoContainer() throws Exception {
        long since = java.time.Instant.now().getEpochSecond() - 1;
        Process p = SandboxCtlProcess.start(home, Map.of("SANDBOX_POOL_DOCKER", "2"), "pool", "status", "--backend", "docker", "--json");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(home.resolve("err.txt"))).isZero();
        JsonNode pool = new com.fasterxml.jackson.databind.ObjectMapper().readTree(home.resolve("out.txt").toFile()).get("pools").get(0);
        assertThat(pool.get("target").asInt()).isEqualTo(2);
        assertThat(pool.get("target_source").asText()).isEqualTo("SANDBOX_POOL_DOCKER=2");
        Process events = new ProcessBuilder("docker", "events", "--since", Long.toString(since), "--until", Long.toString(java.time.Instant.now().getEpochSecond() + 1),
                "--filter", "type=container", "--filter", "event=create", "--filter", "label=pool-owner-pid=" + p.pid(),
                "--format", "{{.Actor.Attributes.name}}").redirectErrorStream(true).start();
        String created = new String(events.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(events.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(events.exitValue()).as(created).isZero();
        assertThat(created).as("containers the status read created").isBlank();
    }
}
