package io.sandboxops.emulator.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.sandboxops.emulator.RequiresDocker;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, attack 6: starting an emulator removed every {@code app=sandbox-ops-emulator} container whose owner pid it
 * could not see: another user's, another PID namespace's, one without the label. Now it removes only containers of
 * an instance that is certainly gone. Containers are created (never started) on the real engine.
 */
@RequiresDocker
class OrphanSweepTest {
    private static final String IMAGE = "sandboxops/debian-base:bookworm";
    private static final String MARK = "sandbox-ops.test/sweep";

    @Test
    void connectingRemovesOnlyContainersOfItsOwnUserAndPlaceWhoseEmulatorIsGone() throws Exception {
        String run = UUID.randomUUID().toString();
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        String deadPid = String.valueOf(finished.pid());
        try (DockerClient docker = docker(); DockerExecutionRunner first = DockerExecutionRunner.connect("none")) {
            Map<String, String> mine = first.ownerLabels();
            create(docker, run, "gone", with(mine, DockerExecutionRunner.INSTANCE_LABEL, "i-gone", DockerExecutionRunner.OWNER_LABEL, deadPid));
            create(docker, run, "pid-reused", with(mine, DockerExecutionRunner.INSTANCE_LABEL, "i-reused",
                    DockerExecutionRunner.OWNER_START_LABEL, "1"));
            create(docker, run, "alive", with(mine, DockerExecutionRunner.INSTANCE_LABEL, "i-alive"));
            create(docker, run, "other-user", with(mine, DockerExecutionRunner.INSTANCE_LABEL, "i-user",
                    DockerExecutionRunner.OWNER_LABEL, deadPid, DockerExecutionRunner.OWNER_USER_LABEL, "someone-else"));
            create(docker, run, "other-place", with(mine, DockerExecutionRunner.INSTANCE_LABEL, "i-place",
                    DockerExecutionRunner.OWNER_LABEL, deadPid, DockerExecutionRunner.OWNER_PLACE_LABEL, "another-machine.4026531836"));
            create(docker, run, "unlabelled", Map.of());
            Map<String, String> noStart = with(mine, DockerExecutionRunner.INSTANCE_LABEL, "i-nostart", DockerExecutionRunner.OWNER_LABEL, deadPid);
            noStart.remove(DockerExecutionRunner.OWNER_START_LABEL);
            create(docker, run, "no-start-time", noStart);

            try (DockerExecutionRunner second = DockerExecutionRunner.connect("none")) {
                assertThat(second.ownerLabels().get(DockerExecutionRunner.INSTANCE_LABEL))
                        .isNotEqualTo(mine.get(DockerExecutionRunner.INSTANCE_LABEL));
            }

            assertThat(remaining(docker, run)).containsExactlyInAnyOrder("alive", "other-user", "other-place", "unlabelled",
                    "no-start-time");
        } finally {
            try (DockerClient docker = docker()) {
                for (Container c : docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(MARK, run)).exec()) {
                    docker.removeContainerCmd(c.getId()).withForce(true).exec();
                }
            }
        }
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> m = new HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static void create(DockerClient docker, String run, String name, Map<String, String> owner) {
        Map<String, String> labels = new HashMap<>(owner);
        labels.put(DockerExecutionRunner.APP_LABEL, DockerExecutionRunner.APP);
        labels.put(MARK, run);
        labels.put(MARK + "-case", name);
        docker.createContainerCmd(IMAGE).withCmd("true").withLabels(labels).exec();
    }

    private static List<String> remaining(DockerClient docker, String run) {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(MARK, run)).exec().stream()
                .map(c -> c.getLabels().get(MARK + "-case")).toList();
    }

    private static DockerClient docker() {
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        return DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build());
    }
}
