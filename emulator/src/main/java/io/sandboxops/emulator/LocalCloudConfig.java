package io.sandboxops.emulator;

import io.sandboxops.emulator.auth.AccessTokens;
import io.sandboxops.emulator.faults.FaultRule;
import io.sandboxops.emulator.faults.LatencyProfile;
import io.sandboxops.emulator.run.ExecutionRunner;
import io.sandboxops.emulator.run.ProcessExecutionRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How to start a {@link LocalCloud}. Immutable; build with {@link #newBuilder()}.
 *
 * @param dataDir            where storage objects live; {@code null} for a temporary folder removed on close
 * @param grpcPort           port of every gRPC API; {@code 0} picks a free one
 * @param storagePort        port of the Cloud Storage JSON API; {@code 0} picks a free one
 * @param projectId          the project named in resources the emulator creates itself (logs, metrics)
 * @param location           the region in Cloud Run resource names
 * @param runner             makes the runner that executes job tasks
 * @param revisionReadyDelay how long a new service revision takes to become ready
 * @param principalEmail     who audit entries and {@code lastModifier} name, as credentials would
 * @param accessToken        the per-run bearer token every API requires; {@code null} makes a random one at start
 * @param downscopedTokenLifetime how long a token downscoped from the per-run token lives (Google: one hour);
 *                           shorter in tests of refresh before expiry
 * @param latencyProfile     how long each API method takes, and executions to start ({@link LatencyProfile#NONE}: at once)
 * @param latencySeed        seeds the profile's jitter: the same seed draws the same latencies, method by method
 * @param faults             fault rules in force from the start (what {@code --fault} adds)
 */
public record LocalCloudConfig(Path dataDir, int grpcPort, int storagePort, String projectId, String location,
                               Supplier<ExecutionRunner> runner, Duration revisionReadyDelay,
                               String principalEmail, String accessToken, Duration downscopedTokenLifetime,
                               LatencyProfile latencyProfile, long latencySeed, List<FaultRule> faults) {

    public LocalCloudConfig {
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(runner, "runner");
        Objects.requireNonNull(revisionReadyDelay, "revisionReadyDelay");
        Objects.requireNonNull(principalEmail, "principalEmail");
        Objects.requireNonNull(downscopedTokenLifetime, "downscopedTokenLifetime");
        Objects.requireNonNull(latencyProfile, "latencyProfile");
        faults = List.copyOf(faults);
    }

    /**
     * This configuration under another latency profile, e.g. {@code config.withLatencyProfile(LatencyProfile.named("gcp-regional"))}
     * for a benchmark that should see the real APIs' latency.
     */
    public LocalCloudConfig withLatencyProfile(LatencyProfile profile) {
        return toBuilder().latencyProfile(profile).build();
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().dataDir(dataDir).grpcPort(grpcPort).storagePort(storagePort).projectId(projectId)
                .location(location).runner(runner).revisionReadyDelay(revisionReadyDelay)
                .principalEmail(principalEmail).accessToken(accessToken).downscopedTokenLifetime(downscopedTokenLifetime)
                .latencyProfile(latencyProfile).latencySeed(latencySeed).faults(faults);
    }

    public static final class Builder {
        private Path dataDir;
        private int grpcPort;
        private int storagePort;
        private String projectId = "local-project";
        private String location = "us-central1";
        private Supplier<ExecutionRunner> runner = ProcessExecutionRunner::containerCommand;
        private Duration revisionReadyDelay = Duration.ofMillis(500);
        private String principalEmail = System.getProperty("user.name", "local") + "@localhost";
        private String accessToken;
        private Duration downscopedTokenLifetime = AccessTokens.DEFAULT_DOWNSCOPED_LIFETIME;
        private LatencyProfile latencyProfile = LatencyProfile.NONE;
        private long latencySeed = java.util.concurrent.ThreadLocalRandom.current().nextLong();
        private List<FaultRule> faults = List.of();

        private Builder() {
        }

        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        public Builder grpcPort(int grpcPort) {
            this.grpcPort = grpcPort;
            return this;
        }

        public Builder storagePort(int storagePort) {
            this.storagePort = storagePort;
            return this;
        }

        public Builder projectId(String projectId) {
            this.projectId = projectId;
            return this;
        }

        public Builder location(String location) {
            this.location = location;
            return this;
        }

        public Builder runner(Supplier<ExecutionRunner> runner) {
            this.runner = runner;
            return this;
        }

        public Builder revisionReadyDelay(Duration revisionReadyDelay) {
            this.revisionReadyDelay = revisionReadyDelay;
            return this;
        }

        public Builder principalEmail(String principalEmail) {
            this.principalEmail = principalEmail;
            return this;
        }

        /** A fixed per-run token instead of a random one (at least 16 characters). */
        public Builder accessToken(String accessToken) {
            this.accessToken = accessToken;
            return this;
        }

        /** How long a token exchanged from the per-run token lives (default one hour, as a Google access token). */
        public Builder downscopedTokenLifetime(Duration downscopedTokenLifetime) {
            this.downscopedTokenLifetime = downscopedTokenLifetime;
            return this;
        }

        /** How long each API method takes (default {@link LatencyProfile#NONE}: as fast as the emulator answers). */
        public Builder latencyProfile(LatencyProfile latencyProfile) {
            this.latencyProfile = latencyProfile;
            return this;
        }

        /** Seeds the profile's jitter (default: a random seed, shown by {@code LocalCloud#latencySeed()}). */
        public Builder latencySeed(long latencySeed) {
            this.latencySeed = latencySeed;
            return this;
        }

        /** Fault rules in force from the start. */
        public Builder faults(List<FaultRule> faults) {
            this.faults = faults;
            return this;
        }

        public LocalCloudConfig build() {
            return new LocalCloudConfig(dataDir, grpcPort, storagePort, projectId, location, runner,
                    revisionReadyDelay, principalEmail, accessToken, downscopedTokenLifetime, latencyProfile, latencySeed, faults);
        }
    }
}
