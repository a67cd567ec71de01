package io.sandboxops.core.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.PoolStatus;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxConflictException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.SandboxSummary;
import io.sandboxops.core.api.SweepResult;
import io.sandboxops.core.shell.ShellSession;
import io.sandboxops.core.testing.RequiresDocker;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Docker warm pool on a real engine: claims, races between clients, refills, sweeps of a dead client's pool. */
@RequiresDocker
class DockerWarmPoolTest {
    private static final Duration FILL = Duration.ofSeconds(90);
    private static final Duration T = Duration.ofSeconds(30);
    private static DockerClient docker;

    @BeforeAll
    static void connect() {
        docker = DockerEngine.connect();
    }

    @AfterAll
    static void close() throws Exception {
        docker.close();
    }

    private static DockerSandboxBackend backend(int poolSize) {
        DockerSandboxBackend b = new DockerSandboxBackend(DockerEngine.connect(), DockerSandboxBackend.DEFAULT_IMAGE, ShellSession.Options.defaults());
        b.setPoolSize(poolSize);
        return b;
    }

    private static SandboxSpec defaultSpec() {
        return SandboxSpec.newBuilder().build();
    }

    /** The ids of {@code b}'s idle pool containers on the engine now (other clients may keep pools on it too). */
    private static Set<String> idleIds(DockerSandboxBackend b) {
        return ownPool(b).stream().filter(c -> DockerWarmPool.name(c).startsWith(DockerWarmPool.IDLE))
                .map(c -> DockerWarmPool.name(c).substring(DockerWarmPool.IDLE.length())).collect(Collectors.toSet());
    }

    /** {@code b}'s pool containers on the engine, idle and starting. */
    private static List<Container> ownPool(DockerSandboxBackend b) {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(DockerWarmPool.LABEL_CLIENT, b.poolClientId())).exec()
                .stream().filter(c -> DockerWarmPool.name(c).startsWith(DockerWarmPool.IDLE) || DockerWarmPool.name(c).startsWith(DockerWarmPool.WARMING))
                .toList();
    }

    private static String hostnameOf(Sandbox s) {
        // A container's hostname is its id's first 12 characters: which container a sandbox is.
        return s.execStateful("hostname", s.id(), T).stdout().strip();
    }

    @Test
    void aClaimedSandboxAnswersAtOnceAndIsListedAsAnyOther() {
        try (DockerSandboxBackend b = backend(2)) {
            b.awaitPoolReady(FILL);
            Set<String> idle = idleIds(b);
            assertThat(idle).hasSize(2);
            assertThat(b.poolStatus().members()).extracting(PoolStatus.Member::id).containsAll(idle);
            assertThat(b.list()).extracting(SandboxSummary::id).doesNotContainAnyElementsOf(idle);

            Sandbox s = b.create(defaultSpec());
            try {
                assertThat(idle).contains(s.id());
                ExecResult r = s.execStateful("echo hi; id -u; pwd", s.id(), T);
                assertThat(r.stdout()).isEqualTo("hi\n1000\n/workspace\n");
                SandboxSummary listed = b.list().stream().filter(x -> x.id().equals(s.id())).findFirst().orElseThrow();
                assertThat(listed.labels()).containsEntry(DockerSandboxBackend.LABEL_SANDBOX_ID, s.id())
                        .containsEntry(DockerSandboxBackend.LABEL_SESSION_ID, s.id())
                        .doesNotContainKeys(DockerWarmPool.LABELS.toArray(String[]::new));
                try (Sandbox again = b.get(s.id())) {
                    assertThat(again.execStateful("echo $((6*7))", s.id(), T).stdout()).isEqualTo("42\n");
                }
            } finally {
                s.destroy();
            }
        }
    }

    /** Nothing of the pool phase shows: the same user, directory, environment and processes as a cold-created sandbox. */
    @Test
    void aClaimedSandboxIsIndistinguishableFromAColdOne() {
        String probe = "id; pwd; env | grep -v -e '^HOSTNAME=' -e '^_=' | sort; ls -A /tmp /tmp/.sandboxops/sessions | sed 's/sbx-[a-z0-9]*/ID/'; "
                // ps runs alone, before the pipe: a pipe's members are bash forks until each has exec'd, so ps
                // beside them sees one, two or three extra shells depending on timing.
                + "p=$(ps -eo user:12,args --no-headers); printf '%s\\n' \"$p\" | grep -v -e 'ps -eo' | sed 's/sbx-[a-z0-9]*/ID/' | sort";
        try (DockerSandboxBackend pooled = backend(1); DockerSandboxBackend cold = backend(0)) {
            pooled.awaitPoolReady(FILL);
            Sandbox a = pooled.create(defaultSpec());
            Sandbox c = cold.create(defaultSpec().toBuilder().label("cold", "yes").build());
            try {
                String fromPool = a.execStateful(probe, a.id(), T).stdout();
                String fromCold = c.execStateful(probe, c.id(), T).stdout();
                assertThat(fromPool).isEqualTo(fromCold);
                var inspectPool = docker.inspectContainerCmd("sandbox-" + a.id()).exec().getHostConfig();
                var inspectCold = docker.inspectContainerCmd("sandbox-" + c.id()).exec().getHostConfig();
                assertThat(inspectPool.getMemory()).isEqualTo(inspectCold.getMemory());
                assertThat(inspectPool.getNanoCPUs()).isEqualTo(inspectCold.getNanoCPUs());
                assertThat(inspectPool.getPidsLimit()).isEqualTo(inspectCold.getPidsLimit());
                assertThat(inspectPool.getCapDrop()).isEqualTo(inspectCold.getCapDrop());
                assertThat(inspectPool.getSecurityOpts()).isEqualTo(inspectCold.getSecurityOpts()).contains("no-new-privileges");
                assertThat(inspectPool.getNetworkMode()).isEqualTo("none");
            } finally {
                a.destroy();
                c.destroy();
            }
        }
    }

    /**
     * Attack: three clients (the pool's owner and two others, each with its own engine connection) create at the same
     * moment while one container is idle; many rounds. No two may ever get the same container.
     */
    @Test
    void clientsRacingForAPoolOfOneNeverShareAContainer() throws Exception {
        try (DockerSandboxBackend owner = backend(1); DockerSandboxBackend a = backend(0); DockerSandboxBackend b = backend(0)) {
            List<DockerSandboxBackend> racers = List.of(owner, a, b);
            for (int round = 0; round < 8; round++) {
                owner.awaitPoolReady(FILL);
                String member = idleIds(owner).iterator().next();
                CountDownLatch go = new CountDownLatch(1);
                List<CompletableFuture<Sandbox>> made = new ArrayList<>();
                for (DockerSandboxBackend r : racers) {
                    made.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        return r.create(defaultSpec());
                    }));
                }
                go.countDown();
                List<Sandbox> got = new ArrayList<>();
                for (CompletableFuture<Sandbox> f : made) {
                    got.add(f.get(120, TimeUnit.SECONDS));
                }
                try {
                    Set<String> hosts = new HashSet<>();
                    for (Sandbox s : got) {
                        hosts.add(hostnameOf(s));
                    }
                    assertThat(hosts).as("round %d: the containers the three clients got", round).hasSize(3);
                    assertThat(got.stream().map(Sandbox::id).filter(member::equals)).as("round %d: who has the pooled one", round).hasSizeLessThanOrEqualTo(1);
                } finally {
                    got.forEach(Sandbox::destroy);
                }
            }
        }
    }

    @Test
    void thePoolRefillsToItsTargetAndNeverExceedsIt() {
        try (DockerSandboxBackend b = backend(2)) {
            b.awaitPoolReady(FILL);
            List<Sandbox> claimed = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    claimed.add(b.create(defaultSpec()));
                }
                long until = System.nanoTime() + Duration.ofSeconds(8).toNanos();
                while (System.nanoTime() < until) {
                    assertThat(ownPool(b)).as("this client's pool containers on the engine").hasSizeLessThanOrEqualTo(2);
                }
                b.awaitPoolReady(FILL);
                assertThat(idleIds(b)).hasSize(2);
                assertThat(ownPool(b)).hasSize(2);
                PoolStatus st = b.poolStatus();
                assertThat(st.target()).isEqualTo(2);
                assertThat(st.idle()).isGreaterThanOrEqualTo(2);
                assertThat(st.members()).extracting(PoolStatus.Member::id).containsAll(idleIds(b));
                assertThat(st.usdPerHour()).isZero();
                assertThat(st.priceSource()).contains("Docker engine");
            } finally {
                claimed.forEach(Sandbox::destroy);
            }
        }
    }

    @Test
    void closeRemovesTheIdleContainersButNotAClaimedOne() {
        Set<String> idle;
        Sandbox kept;
        try (DockerSandboxBackend b = backend(2)) {
            b.awaitPoolReady(FILL);
            kept = b.create(defaultSpec());
            b.awaitPoolReady(FILL);
            idle = idleIds(b);
        }
        try (DockerSandboxBackend other = backend(0)) {
            assertThat(idleIds(other)).doesNotContainAnyElementsOf(idle);
            assertThat(docker.listContainersCmd().withShowAll(true).withNameFilter(List.of("^/sandboxpool-", "^/sandboxwarming-")).exec())
                    .extracting(DockerWarmPool::name).noneMatch(n -> idle.stream().anyMatch(n::endsWith));
            try (Sandbox s = other.get(kept.id())) {
                assertThat(s.execStateful("echo still here", s.id(), T).stdout()).isEqualTo("still here\n");
                s.destroy();
            }
        }
    }

    /**
     * Attack: a caller chooses, as its sandbox's id, the id an idle pool container will take when claimed. The chosen
     * id is the caller's; the pool container is never handed out under it; an existing sandbox's id stays a conflict.
     */
    @Test
    void aChosenIdNeverYieldsAPooledContainerAndAnExistingOneIsAConflict() {
        try (DockerSandboxBackend b = backend(1)) {
            b.awaitPoolReady(FILL);
            String member = idleIds(b).iterator().next();
            Sandbox chosen = b.create(defaultSpec().toBuilder().sessionId(member).build());
            Sandbox claimed = null;
            try {
                chosen.execStateful("echo mine > /workspace/owner", chosen.id(), T);
                claimed = b.create(defaultSpec());
                assertThat(hostnameOf(claimed)).isNotEqualTo(hostnameOf(chosen));
                assertThat(claimed.execStateful("cat /workspace/owner 2>&1 || echo absent", claimed.id(), T).stdout()).contains("absent");
                try (Sandbox again = b.get(member)) {
                    assertThat(again.execStateful("cat /workspace/owner", member, T).stdout()).isEqualTo("mine\n");
                }
                String taken = claimed.id();
                assertThatThrownBy(() -> b.create(defaultSpec().toBuilder().sessionId(taken).build()))
                        .isInstanceOf(SandboxConflictException.class);
            } finally {
                chosen.destroy();
                if (claimed != null) {
                    claimed.destroy();
                }
            }
        }
    }

    /** Attack on cleanup: a client killed with SIGKILL leaves its pool; sweepOrphans, then the next pool's start, remove it. */
    @Test
    void aDeadClientsPoolIsSweptBySweepOrphansAndByTheNextPool() throws Exception {
        long first = killedPoolOwner(2);
        try (DockerSandboxBackend b = backend(0)) {
            List<String> left = poolContainersOf(first).stream().map(c -> "pool:" + DockerWarmPool.name(c).substring(DockerWarmPool.IDLE.length())).toList();
            assertThat(left).hasSize(2);
            SweepResult r = b.sweepOrphans(Duration.ofDays(1), Set.of());
            assertThat(r.removed()).containsAll(left);
            assertThat(poolContainersOf(first)).isEmpty();
        }
        long second = killedPoolOwner(1);
        assertThat(poolContainersOf(second)).hasSize(1);
        try (DockerSandboxBackend next = backend(1)) {
            await().atMost(FILL).until(() -> poolContainersOf(second).isEmpty());
            next.awaitPoolReady(FILL);
        }
    }

    /** Starts a JVM that fills a pool of {@code size}, kills it with SIGKILL once full; returns its pid. */
    private static long killedPoolOwner(int size) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), PoolOwnerProcess.class.getName(), Integer.toString(size))
                .redirectError(new File("target/pool-owner-" + size + ".log")).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    return null;
                }
            });
            assertThat(line.get(120, TimeUnit.SECONDS)).isEqualTo("ready");
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        return p.pid();
    }

    private static List<Container> poolContainersOf(long pid) {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(DockerWarmPool.LABEL_PID, Long.toString(pid))).exec().stream()
                .filter(c -> DockerWarmPool.isPoolName(DockerWarmPool.name(c))).toList();
    }

    @Test
    void aPoolSizeOutsideZeroToSixtyFourIsRefusedSayingWhatIsAllowed() {
        assertThat(DockerSandboxBackend.poolSize(null)).isZero();
        assertThat(DockerSandboxBackend.poolSize(" ")).isZero();
        assertThat(DockerSandboxBackend.poolSize("3")).isEqualTo(3);
        for (String bad : List.of("-1", "65", "two", "1.5", "99999999999")) {
            assertThatThrownBy(() -> DockerSandboxBackend.poolSize(bad)).isInstanceOf(SandboxInvalidInputException.class)
                    .hasMessageContaining("SANDBOX_POOL_DOCKER").hasMessageContaining("0 to 64").hasMessageContaining(bad);
        }
        try (DockerSandboxBackend b = backend(0)) {
            assertThatThrownBy(() -> b.setPoolSize(-1)).isInstanceOf(SandboxInvalidInputException.class);
            assertThat(b.poolStatus().target()).isZero();
        }
    }
}
