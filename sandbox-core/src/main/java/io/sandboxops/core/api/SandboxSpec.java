package io.sandboxops.core.api;

import io.sandboxops.core.util.ByteSize;
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
 * @param memoryBytes  memory limit in bytes, {@value #MIN_MEMORY_MIB} MiB to {@value #MAX_MEMORY_MIB} MiB
 * @param nanoCpus     CPU limit in billionths of a CPU, 0.01 to 256 CPUs
 * @param pidsLimit    the most processes the sandbox may hold, {@value #MIN_PIDS_LIMIT} to {@value #MAX_PIDS_LIMIT}
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
    /** The limits' ranges: a value outside is refused, never taken as "no limit" nor wrapped around. */
    public static final long MIN_MEMORY_MIB = 16;
    public static final long MAX_MEMORY_MIB = 512L * 1024;
    public static final double MIN_CPUS = 0.01;
    public static final double MAX_CPUS = 256;
    public static final long MIN_PIDS_LIMIT = 16;
    public static final long MAX_PIDS_LIMIT = 65_536;
    private static final long MIB = 1024L * 1024;

    public SandboxSpec {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(workdir, "workdir");
        if (!network.equals("none") && !network.equals("host")) {
            throw new SandboxInvalidInputException("network must be none or host, not \"" + network + "\"");
        }
        if (memoryBytes < MIN_MEMORY_MIB * MIB || memoryBytes > MAX_MEMORY_MIB * MIB) {
            throw new SandboxInvalidInputException("the memory limit must be between " + MIN_MEMORY_MIB + " MiB and " + MAX_MEMORY_MIB
                    + " MiB (" + ByteSize.binary(MAX_MEMORY_MIB * MIB) + "), not " + memoryBytes + " bytes");
        }
        if (nanoCpus < Math.round(MIN_CPUS * 1e9) || nanoCpus > Math.round(MAX_CPUS * 1e9)) {
            throw new SandboxInvalidInputException("the cpu limit must be between " + MIN_CPUS + " and " + MAX_CPUS + " CPUs, not "
                    + nanoCpus / 1e9);
        }
        if (pidsLimit < MIN_PIDS_LIMIT || pidsLimit > MAX_PIDS_LIMIT) {
            throw new SandboxInvalidInputException("the pids limit must be between " + MIN_PIDS_LIMIT + " and " + MAX_PIDS_LIMIT
                    + " processes, not " + pidsLimit);
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

        /** The memory limit in MiB, checked before it becomes bytes so that a huge value cannot wrap around. */
        public Builder memoryMebibytes(long mib) {
            if (mib < MIN_MEMORY_MIB || mib > MAX_MEMORY_MIB) {
                throw new SandboxInvalidInputException("the memory limit must be between " + MIN_MEMORY_MIB + " MiB and " + MAX_MEMORY_MIB
                        + " MiB (" + ByteSize.binary(MAX_MEMORY_MIB * MIB) + "), not " + mib + " MiB");
            }
            this.memoryBytes = mib * MIB;
            return this;
        }

        public Builder cpus(double cpus) {
            // Checked here: NaN and huge values would round to 0 or Long.MAX_VALUE on the way to nano-CPUs.
            if (!(cpus >= MIN_CPUS && cpus <= MAX_CPUS)) {
                throw new SandboxInvalidInputException("the cpu limit must be between " + MIN_CPUS + " and " + MAX_CPUS + " CPUs, not " + cpus);
            }
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
