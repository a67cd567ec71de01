package io.sandboxops.emulator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The profile format, the built-ins and the seeded jitter, without a cloud. */
class LatencyProfileTest {

    @Test
    void aProfileFileParsesAndTheMostSpecificEntryDecides(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("slow.json");
        Files.writeString(file, """
                {"name": "slow",
                 "description": "for a test",
                 "methods": {
                   "storage.objects.get": {"fixed_ms": 50},
                   "storage.objects.*": {"median_ms": 20, "p99_ms": 80, "source": "a guess"},
                   "storage.*": {"fixed_ms": 5},
                   "execution.start": {"median_ms": 1000, "p99_ms": 3000, "min_ms": 500, "max_ms": 6000}}}
                """);
        LatencyProfile profile = LatencyProfile.of(file.toString());
        assertThat(profile.name()).isEqualTo("slow");
        assertThat(profile.forMethod("storage.objects.get")).contains(LatencyProfile.Distribution.fixed(Duration.ofMillis(50)));
        assertThat(profile.forMethod("storage.objects.list").orElseThrow().median()).isEqualTo(Duration.ofMillis(20));
        assertThat(profile.forMethod("storage.buckets.get").orElseThrow().median()).isEqualTo(Duration.ofMillis(5));
        assertThat(profile.forMethod("google.cloud.run.v2.Jobs/RunJob")).isEmpty();
        LatencyProfile.Distribution start = profile.forMethod(LatencyProfile.EXECUTION_START).orElseThrow();
        assertThat(start.min()).isEqualTo(Duration.ofMillis(500));
        assertThat(start.max()).isEqualTo(Duration.ofMillis(6000));
    }

    @Test
    void badProfilesAreRefusedSayingWhatIsWrongWithAnExample(@TempDir Path dir) throws Exception {
        assertRefused(dir, "{\"methods\": {\"storage.objects.get\": {\"median_ms\": 50}}}", "give fixed_ms, or both median_ms and p99_ms");
        assertRefused(dir, "{\"methods\": {\"storage.objects.get\": {\"median_ms\": 50, \"p99_ms\": 10}}}", "p99_ms (10) is below median_ms (50)");
        assertRefused(dir, "{\"methods\": {\"storage.objects.get\": {\"fixed_ms\": -1}}}", "fixed_ms must be a number of milliseconds");
        assertRefused(dir, "{\"methods\": {\"storage.objects.get\": {\"fixed_ms\": \"fast\"}}}", "fixed_ms must be a number");
        assertRefused(dir, "{\"methods\": {\"storage.objects.get\": {\"mean_ms\": 5}}}", "unknown field \"mean_ms\"");
        assertRefused(dir, "{\"methods\": {\"x\": {\"median_ms\": 50, \"p99_ms\": 90, \"min_ms\": 60}}}", "min_ms (60) is above median_ms (50)");
        assertRefused(dir, "{\"metods\": {}}", "unknown field \"metods\"");
        assertRefused(dir, "{\"name\": \"x\"}", "\"methods\" must be an object");
        assertRefused(dir, "{\"methods\": {\"storage.objects.get\": 50}}", "must map to an object");
        assertRefused(dir, "methods: storage.objects.get", "not JSON");
        assertThatThrownBy(() -> LatencyProfile.of(dir.resolve("missing.json").toString()))
                .hasMessageContaining("neither a built-in profile (none, gcp-regional) nor a readable file");
        assertThatThrownBy(() -> LatencyProfile.named("gcp-global")).hasMessageContaining("the built-in ones are none, gcp-regional");
    }

    private static void assertRefused(Path dir, String json, String reason) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.json"), json);
        assertThatThrownBy(() -> LatencyProfile.fromFile(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Bad latency profile " + file)
                .hasMessageContaining(reason)
                .hasMessageContaining("Example: {\"name\"");
    }

    @Test
    void gcpRegionalModelsAnExecutionStartOfAtLeastTenSecondsAndCoversEveryApi() {
        LatencyProfile profile = LatencyProfile.named("gcp-regional");
        FaultInjector faults = new FaultInjector(profile, 7);
        for (int i = 0; i < 1000; i++) {
            assertThat(faults.executionStartDelay()).isGreaterThanOrEqualTo(Duration.ofSeconds(10));
        }
        for (String method : List.of("storage.objects.get", "storage.objects.insert", "storage.objects.list",
                "storage.objects.delete", "storage.objects.patch", "storage.objects.compose", "storage.buckets.get",
                "google.cloud.run.v2.Jobs/RunJob", "google.cloud.run.v2.Executions/GetExecution",
                "google.cloud.run.v2.Executions/ListExecutions", "google.cloud.run.v2.Executions/CancelExecution",
                "google.cloud.run.v2.Jobs/GetJob", "google.cloud.run.v2.Services/GetService",
                "google.cloud.run.v2.Services/UpdateService", "google.longrunning.Operations/GetOperation",
                "google.longrunning.Operations/WaitOperation", "google.logging.v2.LoggingServiceV2/WriteLogEntries",
                "google.logging.v2.LoggingServiceV2/ListLogEntries", "google.monitoring.v3.MetricService/ListTimeSeries")) {
            assertThat(profile.forMethod(method)).as(method).isPresent();
        }
        assertThat(LatencyProfile.named("none").isEmpty()).isTrue();
    }

    @Test
    void aSeedDrawsTheSameLatenciesForEachMethodWhateverElseIsCalled() {
        LatencyProfile profile = LatencyProfile.named("gcp-regional");
        FaultInjector first = new FaultInjector(profile, 42);
        FaultInjector second = new FaultInjector(profile, 42);
        FaultInjector otherSeed = new FaultInjector(profile, 43);
        List<Duration> a = new ArrayList<>();
        List<Duration> b = new ArrayList<>();
        List<Duration> c = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            a.add(first.onCall("storage.objects.get").orElseThrow().latency());
            // The second run interleaves other calls: storage.objects.get still draws the same sequence.
            second.onCall("google.cloud.run.v2.Jobs/GetJob");
            second.executionStartDelay();
            b.add(second.onCall("storage.objects.get").orElseThrow().latency());
            c.add(otherSeed.onCall("storage.objects.get").orElseThrow().latency());
        }
        assertThat(b).isEqualTo(a);
        assertThat(c).isNotEqualTo(a);
        // Jitter, not a constant: 50 draws of a lognormal are not all equal.
        assertThat(a.stream().distinct().count()).isGreaterThan(40);
    }

    @Test
    void aProfileSampleStaysWithinItsBoundsAndCentresOnItsMedian() {
        LatencyProfile.Distribution d = new LatencyProfile.Distribution(Duration.ofMillis(100), Duration.ofMillis(400),
                Duration.ofMillis(30), Duration.ofMillis(800));
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            millis.add(d.sample(random).toMillis());
        }
        assertThat(millis).allMatch(m -> m >= 30 && m <= 800);
        millis.sort(null);
        // The median of 10,000 draws lies well within 15 % of the profile's (its standard error is about 1 %).
        assertThat(millis.get(5000)).isBetween(85L, 115L);
        assertThat(millis.get(9900)).isBetween(300L, 520L);
    }
}
