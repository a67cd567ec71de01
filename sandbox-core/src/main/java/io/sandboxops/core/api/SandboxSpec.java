package io.sandboxops.core.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to create a sandbox. Immutable; build with {@link #newBuilder()}, change with {@link #toBuilder()}.
 *
 * @param image        the image to run; empty for the backend's default
 * @param sessionId    the id to give the sandbox's first session (and the sandbox); empty to generate one
 * @param user         the user commands run as, e.g. {@code 1000:1000}; never root by default
 * @param workdir      the initial working directory
 * @param memoryBytes  memory limit in bytes
 * @param nanoCpus     CPU limit in billionths of a CPU
 * @param pidsLimit    the most processes the sandbox may hold
 * @param network      {@code none} (default) or {@code host}
 * @param env          environment for every session
 * @param labels       extra labels to put on what the backend creates
 */
public record SandboxSpec(
        Optional<String> image,
        Optional<String> sessionId,
        String user,
        String workdir,
        long memoryBytes,
        long nanoCpus,
        long pidsLimit,
        String network,
        Map<String, String> env,
        Map<String, String> labels) {

    public static final long DEFAULT_MEMORY_BYTES = 1024L * 1024 * 1024;
    public static final long DEFAULT_NANO_CPUS = 1_000_000_000L;
    public static final long DEFAULT_PIDS_LIMIT = 512;

    public SandboxSpec {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(workdir, "workdir");
        if (!network.equals("none") && !network.equals("host")) {
            throw new SandboxInvalidInputException("network must be none or host, not \"" + network + "\"");
        }
        if (memoryBytes <= 0 || nanoCpus <= 0 || pidsLimit <= 0) {
            throw new SandboxInvalidInputException("memory, cpu and pids limits must be positive");
        }
        for (String name : env.keySet()) {
            // Docker splits "NAME=VALUE" at the first "=": a name holding one would silently become another variable.
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new SandboxInvalidInputException("env name \"" + name + "\" is not a shell variable name (letters, digits, _)");
            }
        }
        env = Map.copyOf(env);
        labels = Map.copyOf(labels);
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.image = image.orElse(null);
        b.sessionId = sessionId.orElse(null);
        b.user = user;
        b.workdir = workdir;
        b.memoryBytes = memoryBytes;
        b.nanoCpus = nanoCpus;
        b.pidsLimit = pidsLimit;
        b.network = network;
        b.env.putAll(env);
        b.labels.putAll(labels);
        return b;
    }

    public static final class Builder {
        private String image;
        private String sessionId;
        private String user = "1000:1000";
        private String workdir = "/workspace";
        private long memoryBytes = DEFAULT_MEMORY_BYTES;
        private long nanoCpus = DEFAULT_NANO_CPUS;
        private long pidsLimit = DEFAULT_PIDS_LIMIT;
        private String network = "none";
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Map<String, String> labels = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder image(String image) {
            this.image = image;
            return this;
        }

        public Builder sessionId(String sessionId) {
            this.sessionId = sessionId == null ? null : SessionIds.requireValid(sessionId);
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder workdir(String workdir) {
            this.workdir = workdir;
            return this;
        }

        public Builder memoryBytes(long memoryBytes) {
            this.memoryBytes = memoryBytes;
            return this;
        }

        public Builder cpus(double cpus) {
            this.nanoCpus = Math.round(cpus * 1_000_000_000L);
            return this;
        }

        public Builder pidsLimit(long pidsLimit) {
            this.pidsLimit = pidsLimit;
            return this;
        }

        public Builder network(String network) {
            this.network = network;
            return this;
        }

        public Builder env(String name, String value) {
            this.env.put(name, value);
            return this;
        }

        public Builder label(String key, String value) {
            this.labels.put(key, value);
            return this;
        }

        public SandboxSpec build() {
            return new SandboxSpec(Optional.ofNullable(image), Optional.ofNullable(sessionId), user, workdir,
                    memoryBytes, nanoCpus, pidsLimit, network, env, labels);
        }
    }
}
