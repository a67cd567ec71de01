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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sandboxctl on a Cloud CliRun Jobs session of the local environment: the emulator runs the real executor image
 * (built by executor/build-image.sh) through its Docker runner, as Cloud CliRun would run it.
 */
@RequiresDocker
class CloudRunCliTest {
    @TempDir
    static Path home;
    private static String savedHome;
    private static LocalCloud cloud;

    @BeforeAll
    static void startLocalCloud() throws Exception {
        boolean image = new ProcessBuilder("docker", "image", "inspect", "sandboxops/executor:latest").start().waitFor() == 0;
        if (!Boolean.getBoolean("sandbox.requireDocker")) {
            Assumptions.assumeTrue(image, "SKIPPED: the executor image is not built (bash executor/build-image.sh)");
        }
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
    static void stop() {
        if (cloud != null) {
            RunningEmulator.forget();
            cloud.close();
            System.setProperty("user.home", savedHome);
        }
    }

    @Test
    void aCloudRunSessionTakesCommandsFilesAndBackgroundProcesses() throws Exception {
        CliRun created = ctl("session", "create", "--backend", "cloudrun", "--json");
        assertThat(created.status()).as(created.err()).isZero();
        JsonNode c = created.json();
        assertThat(c.get("backend").asText()).isEqualTo("cloudrun");
        String id = c.get("session_id").asText();
        try {
            assertThat(ctl("exec", "--backend", "cloudrun", "--session", id, "--", "cd /tmp && export X=kept").status()).isZero();
            JsonNode r = ctl("exec", "--backend", "cloudrun", "--session", id, "--json", "--", "pwd; echo $X; id -u").json();
            assertThat(r.get("stdout").asText()).isEqualTo("/tmp\nkept\n1000\n");
            assertThat(r.get("cwd").asText()).isEqualTo("/tmp");
            assertThat(ctl("file", "exists", "--backend", "cloudrun", "--session", id, "/workspace").out().strip()).isEqualTo("true");
            CliRun list = ctl("session", "list", "--backend", "cloudrun", "--json");
            assertThat(list.json().findValuesAsText("session_id")).contains(id);
        } finally {
            assertThat(ctl("session", "close", "--backend", "cloudrun", "--session", id).status()).isZero();
        }
    }

    @Test
    void attachTypesIntoASessionModeTerminalAndExitsWithItsShellsStatus() throws Exception {
        CliRun created = ctl("session", "create", "--backend", "cloudrun", "--json");
        assertThat(created.status()).as(created.err()).isZero();
        String id = created.json().get("session_id").asText();
        try {
            assertThat(ctl("exec", "--backend", "cloudrun", "--session", id, "--", "cd /tmp && export X=kept").status()).isZero();
            // sandboxctl in a JVM of its own, finding the emulator this class recorded in the same home.
            Process p = SandboxCtlProcess.start(home, Map.of(), "attach", "--backend", "cloudrun", "--session", id, "--pipe");
            p.getOutputStream().write("echo \"[$PWD:$X:$((6*7))]\"; exit 3\n".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();

            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("attach ended").isTrue();
            String out = Files.readString(home.resolve("out.txt"), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(out + Files.readString(home.resolve("err.txt"))).isEqualTo(3);
            assertThat(out).contains("[/tmp:kept:42]");
        } finally {
            assertThat(ctl("session", "close", "--backend", "cloudrun", "--session", id).status()).isZero();
        }
    }
}
