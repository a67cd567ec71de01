package io.sandboxops.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The foreground entry point as a user runs it (and the image runs it): it prints its endpoints, serves, and stops on
 * Ctrl-C; here under the gcp-regional profile and a fault from the command line.
 */
class LocalCloudMainProcessTest {

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void runsInTheForegroundPrintsItsEndpointsAndStopsOnCtrlC(@TempDir Path dir) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                LocalCloudMain.class.getName(), "--data-dir", dir.toString(), "--runner", "process",
                "--process-command", "true", "--latency-profile", "gcp-regional", "--latency-seed", "5",
                "--fault", "storage.buckets.list:error=503:times=1")
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            String storageHost = null;
            String token = null;
            Pattern storageLine = Pattern.compile(".*Cloud Storage JSON API \\(HTTP\\):\\s+(http://\\S+)");
            Pattern tokenLine = Pattern.compile("access token \\(this run only\\): (\\S+)");
            // The token line comes last and the emulator then prints nothing until stopped: read no further than it.
            String line;
            while (token == null && (line = out.readLine()) != null) {
                lines.add(line);
                Matcher m = storageLine.matcher(line);
                if (m.matches()) {
                    storageHost = m.group(1);
                }
                Matcher t = tokenLine.matcher(line);
                if (t.matches()) {
                    token = t.group(1);
                }
            }
            assertThat(storageHost).as("output so far: %s", lines).isNotNull();
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("Cloud Run Admin v2 (gRPC, plaintext): 127.0.0.1:"));
            // What the run was under, so it can be repeated: the profile, its seed, the faults.
            assertThat(lines).contains("latency profile: gcp-regional (seed 5: --latency-seed 5 draws the same latencies again)",
                    "fault rules: 1 (from --fault / --faults)");

            Storage storage = CloudClients.storage(new LocalCloudEndpoints("127.0.0.1", 0,
                    Integer.parseInt(storageHost.substring(storageHost.lastIndexOf(':') + 1)), "local-project", "us-central1", token));
            storage.create(BucketInfo.of("from-outside"));
            storage.close();
            assertThat(Files.exists(dir.resolve("storage/from-outside/bucket.json"))).isTrue();

            // What Ctrl-C sends to a foreground process.
            new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String rest = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(rest).contains("Stopping the local cloud");
        } finally {
            process.destroyForcibly();
        }
    }
}
