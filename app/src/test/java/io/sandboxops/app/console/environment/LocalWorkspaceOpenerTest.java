package io.sandboxops.app.console.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.sandboxops.core.rollout.EnvValues;
import io.sandboxops.core.rollout.RolloutAuditLog;
import io.sandboxops.core.testing.DockerSandboxes;
import io.sandboxops.core.testing.RequiresDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import io.sandboxops.app.env.PoolText;
import io.sandboxops.core.api.PoolStatus;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.PoolSizes;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local environment for real: this machine's Docker engine and the emulator started embedded. */
class LocalWorkspaceOpenerTest {

    @TempDir
    Path home;

    @Test
    @RequiresDocker
    void opensTheLocalDockerEngineAndStartsTheEmulator() {
        List<Workspace> early = new java.util.ArrayList<>();
        try (Workspace ws = new LocalWorkspaceOpener(true, new RolloutAuditLog(home.resolve("audit.jsonl"))).open(ConsoleEnvironment.local(), early::add)) {
            // The engine was handed over first, alone, while the emulator was still starting; closing that one releases
            // nothing the full workspace uses.
            assertThat(early).hasSize(1);
            assertThat(early.get(0).backends()).containsOnlyKeys("docker");
            assertThat(early.get(0).statuses()).extracting(ServiceStatus::service, ServiceStatus::health)
                    .containsExactly(tuple("Docker", ServiceStatus.Health.UP), tuple("Emulator", ServiceStatus.Health.STARTING));
            assertThat(early.get(0).backends().get("docker").list()).isNotNull();
            early.get(0).close();
            assertThat(ws.statuses()).extracting(ServiceStatus::service).startsWith("Docker", "Emulator", "Cloud Run", "Cloud Run Jobs");
            assertThat(ws.statuses().subList(0, 3)).extracting(ServiceStatus::health).containsOnly(ServiceStatus.Health.UP);
            assertThat(ws.statuses().get(1).detail()).startsWith("embedded: gRPC 127.0.0.1:");
            assertThat(ws.backends().get("docker").list()).isNotNull();
            // Both backends when the executor image is built (CI builds it); otherwise the status says how to build it.
            ServiceStatus jobs = ws.statuses().get(3);
            if (jobs.health() == ServiceStatus.Health.UP) {
                assertThat(ws.backends()).containsOnlyKeys("docker", "cloudrun");
                assertThat(ws.backends().get("cloudrun").list()).isNotNull();
            } else {
                assertThat(ws.backends()).containsOnlyKeys("docker");
                assertThat(jobs.detail()).contains("executor/build-image.sh");
            }
        }
    }

    /** The environment's pool size reaches the Docker backend the console opens, which fills it while it is open. */
    @Test
    @RequiresDocker
    void localsDockerPoolFromTheEnvironmentIsKeptWhileTheWorkspaceIsOpen() throws Exception {
        Environment local = Environment.local().withPool(new PoolSizes(OptionalInt.of(1), OptionalInt.empty()));
        List<String> kept;
        // The engine's pool is shared: members other clients keep (a console, a crashed run's leftovers) are not the workspace's.
        List<String> before = DockerSandboxes.poolMemberIds();
        try (Workspace ws = new LocalWorkspaceOpener(false, new RolloutAuditLog(home.resolve("audit.jsonl"))).open(ConsoleEnvironment.of(local))) {
            assertThat(ws.statuses().get(0).detail()).endsWith("; warm pool of 1");
            SandboxBackend docker = ws.backends().get("docker");
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
            while (docker.poolStatus().idle() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            PoolStatus pool = docker.poolStatus();
            assertThat(pool.target()).isEqualTo(1);
            assertThat(pool.idle()).isGreaterThanOrEqualTo(1);
            assertThat(PoolText.summary(List.of(pool))).startsWith("Pool: Docker ").endsWith("/1 idle · $0/h");
            kept = pool.members().stream().map(PoolStatus.Member::id).filter(id -> !before.contains(id)).toList();
            assertThat(kept).isNotEmpty();
        }
        assertThat(DockerSandboxes.poolMemberIds()).as("closing the workspace removes its idle containers").doesNotContainAnyElementsOf(kept);
    }

    @Test
    void theEmbeddedEmulatorHasTheAgentBackendsServiceWithTheRolloutOff() {
        try (Workspace ws = new LocalWorkspaceOpener(true, new RolloutAuditLog(home.resolve("audit.jsonl"))).open(ConsoleEnvironment.local())) {
            assertThat(ws.controlPlane()).isPresent();
            assertThat(ws.controlPlane().get().rollout().status().template()).isEqualTo(new EnvValues("false", "0"));
            assertThat(ws.statuses()).filteredOn(s -> s.service().equals("Cloud Run")).singleElement()
                    .satisfies(s -> assertThat(s.detail()).startsWith("emulated service manus-backend"));
        }
    }

    @Test
    void aGcpEnvironmentWithoutADefinitionIsSaidToBeUnusableNotThrown() {
        ConsoleEnvironment gcp = new ConsoleEnvironment("prod-eu", ConsoleEnvironment.Kind.GCP, true, false, "prod");
        try (Workspace ws = new LocalWorkspaceOpener(false).open(gcp)) {
            assertThat(ws.backends()).isEmpty();
            assertThat(ws.controlPlane()).isEmpty();
            assertThat(ws.statuses()).singleElement().satisfies(s -> {
                assertThat(s.health()).isEqualTo(ServiceStatus.Health.UNAVAILABLE);
                assertThat(s.detail()).startsWith("environment prod-eu has no project, region and service");
            });
        }
    }

    @Test
    void theCatalogListsLocalAndTheEnvironmentsOfTheFile() throws Exception {
        Path file = home.resolve("environments.json");
        Files.writeString(file, """
                { "environments": [
                  { "name": "staging", "project": "acme-staging", "region": "us-central1", "service": "manus-backend-staging" },
                  { "name": "prod", "project": "acme-prod", "region": "europe-west1", "service": "manus-backend", "production": true },
                  { "name": "audit", "project": "acme-prod", "region": "europe-west1", "service": "manus-backend", "readOnly": true } ] }
                """);
        EnvironmentCatalog catalog = EnvironmentCatalog.fromFile(file);
        assertThat(catalog.problem()).isEmpty();
        assertThat(catalog.environments()).extracting(ConsoleEnvironment::name, ConsoleEnvironment::kind, ConsoleEnvironment::production,
                ConsoleEnvironment::readOnly).containsExactly(
                tuple("local", ConsoleEnvironment.Kind.LOCAL, false, false),
                tuple("staging", ConsoleEnvironment.Kind.GCP, false, false),
                tuple("prod", ConsoleEnvironment.Kind.GCP, true, false),
                tuple("audit", ConsoleEnvironment.Kind.GCP, false, true));
        assertThat(catalog.environments().get(2).description()).isEqualTo("project acme-prod, europe-west1, service manus-backend (production)");
        assertThat(catalog.environments().get(2).coreDefinition().orElseThrow().service()).isEqualTo("manus-backend");
    }

    @Test
    void aBrokenEnvironmentsFileLeavesLocalAndSaysWhatIsWrong() throws Exception {
        Path file = home.resolve("environments.json");
        Files.writeString(file, "{ \"environments\": [ { \"name\": \"staging\", \"region\": \"us-central1\", \"service\": \"s\" } ] }");
        EnvironmentCatalog catalog = EnvironmentCatalog.fromFile(file);
        assertThat(catalog.environments()).extracting(ConsoleEnvironment::name).containsExactly("local");
        assertThat(catalog.problem()).hasValueSatisfying(p -> assertThat(p).startsWith("Only local is listed: ").contains("\"project\" is required"));
    }
}
