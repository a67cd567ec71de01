package io.sandboxops.core.cloudrun;

import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.env.CloudTarget;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How the Cloud Run Jobs backend runs: the original plan's environment variables plus the mode and idle
 * timeout. Immutable; {@link #fromEnvironment} validates and names the variable in every error.
 *
 * @param target         project, region and endpoints ({@code GCP_PROJECT_ID}, {@code GCP_REGION})
 * @param executorImage  {@code SANDBOX_EXECUTOR_IMAGE}
 * @param stateBucket    {@code SANDBOX_STATE_BUCKET}
 * @param jobTimeout     {@code SANDBOX_JOB_TIMEOUT}, seconds ({@code 3600}) or with a unit ({@code 1h}, {@code 30m})
 * @param jobMemory      {@code SANDBOX_JOB_MEMORY}, as Cloud Run writes it ({@code 2Gi}, {@code 512Mi})
 * @param jobCpu         {@code SANDBOX_JOB_CPU}, as Cloud Run writes it ({@code 1}, {@code 2}, {@code 500m})
 * @param mode           {@code SANDBOX_MODE}: {@code session} (default) or {@code once}
 * @param idleTimeout    {@code SANDBOX_IDLE_TIMEOUT}: how long a session worker waits for work before it exits
 * @param persistedRoots {@code SANDBOX_PERSISTED_ROOTS}, colon-separated absolute directories
 * @param poolSize       {@code SANDBOX_POOL_CLOUDRUN}: how many idle session workers the warm pool keeps (0, the default:
 *                       none; an idle worker is a running execution, billed by the second)
 * @param poolIdleTimeout {@code SANDBOX_POOL_IDLE_TIMEOUT}: how long a pooled worker waits for a claim before it exits
 */
public record CloudRunSettings(CloudTarget target, String executorImage, String stateBucket, Duration jobTimeout, String jobMemory,
                               String jobCpu, Mode mode, Duration idleTimeout, List<String> persistedRoots, int poolSize,
                               Duration poolIdleTimeout) {

    /** One execution per sandbox session that takes many commands, or one execution per command. */
    public enum Mode {
        SESSION, ONCE;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Mode parse(String variable, String value) {
            return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "session" -> SESSION;
                case "once" -> ONCE;
                default -> throw new SandboxInvalidInputException(variable + " must be \"session\" or \"once\", not \"" + value + "\"");
            };
        }
    }

    public static final List<String> DEFAULT_ROOTS = List.of("/workspace", "/tmp", "/home/sandbox");
    private static final Pattern MEMORY = Pattern.compile("[1-9][0-9]*(Mi|Gi)");
    private static final Pattern CPU = Pattern.compile("[1-9][0-9]*(m)?|[0-9]+\\.[0-9]+");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]");
    /** The most idle workers one pool keeps: each is a billed execution, and a typo of 1000 should not start 1000. */
    public static final int MAX_POOL_SIZE = 50;
    public static final Duration DEFAULT_POOL_IDLE_TIMEOUT = Duration.ofMinutes(10);

    public CloudRunSettings {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(poolIdleTimeout, "poolIdleTimeout");
        persistedRoots = List.copyOf(persistedRoots);
        requirePoolSize("the Cloud Run pool size", poolSize);
    }

    /**
     * These settings with a warm pool of {@code size} idle workers (what an environment's pool setting gives).
     *
     * @throws SandboxInvalidInputException when {@code size} is outside 0–{@link #MAX_POOL_SIZE}
     */
    public CloudRunSettings withPoolSize(int size) {
        return new CloudRunSettings(target, executorImage, stateBucket, jobTimeout, jobMemory, jobCpu, mode, idleTimeout, persistedRoots,
                size, poolIdleTimeout);
    }

    /** These settings with pooled workers waiting {@code timeout} for a claim before they exit. */
    public CloudRunSettings withPoolIdleTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new SandboxInvalidInputException("the pool idle timeout must be positive, not " + timeout);
        }
        return new CloudRunSettings(target, executorImage, stateBucket, jobTimeout, jobMemory, jobCpu, mode, idleTimeout, persistedRoots,
                poolSize, timeout);
    }

    private static int requirePoolSize(String what, int size) {
        if (size < 0 || size > MAX_POOL_SIZE) {
            throw new SandboxInvalidInputException(what + " must be from 0 (no pool) to " + MAX_POOL_SIZE + ", not " + size);
        }
        return size;
    }

    /** {@code SANDBOX_POOL_CLOUDRUN}: a whole number of idle workers, 0 when unset. */
    static int poolSize(String variable, String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return requirePoolSize(variable, Integer.parseInt(value.strip()));
        } catch (NumberFormatException e) {
            throw new SandboxInvalidInputException(variable + " must be a whole number of idle workers from 0 (no pool) to "
                    + MAX_POOL_SIZE + ", not \"" + value + "\"");
        }
    }

    /**
     * Reads and checks the settings. {@code SANDBOXOPS_EMULATOR_GRPC} and {@code STORAGE_EMULATOR_HOST}, when set,
     * point the clients at a local emulator instead of Google, with its per-run token {@code SANDBOXOPS_EMULATOR_TOKEN}.
     *
     * @throws SandboxInvalidInputException naming the first variable that is missing or malformed
     */
    public static CloudRunSettings fromEnvironment(Map<String, String> env) {
        required(env, "GCP_PROJECT_ID");
        required(env, "GCP_REGION");
        CloudTarget target = CloudTarget.fromEnvironment(env);
        String image = required(env, "SANDBOX_EXECUTOR_IMAGE");
        String bucket = required(env, "SANDBOX_STATE_BUCKET");
        if (!BUCKET.matcher(bucket).matches()) {
            throw new SandboxInvalidInputException("SANDBOX_STATE_BUCKET \"" + bucket + "\" is not a bucket name (lower-case letters, digits, - _ .; no gs://)");
        }
        Duration timeout = duration("SANDBOX_JOB_TIMEOUT", env.getOrDefault("SANDBOX_JOB_TIMEOUT", "3600"));
        if (timeout.toSeconds() < 10 || timeout.toHours() > 168) {
            throw new SandboxInvalidInputException("SANDBOX_JOB_TIMEOUT must be between 10 s and 168 h, not " + env.get("SANDBOX_JOB_TIMEOUT"));
        }
        String memory = env.getOrDefault("SANDBOX_JOB_MEMORY", "2Gi").strip();
        if (!MEMORY.matcher(memory).matches()) {
            throw new SandboxInvalidInputException("SANDBOX_JOB_MEMORY must look like 512Mi or 2Gi, not \"" + memory + "\"");
        }
        String cpu = env.getOrDefault("SANDBOX_JOB_CPU", "1").strip();
        if (!CPU.matcher(cpu).matches()) {
            throw new SandboxInvalidInputException("SANDBOX_JOB_CPU must look like 1, 2 or 500m, not \"" + cpu + "\"");
        }
        Mode mode = Mode.parse("SANDBOX_MODE", env.getOrDefault("SANDBOX_MODE", "session"));
        Duration idle = duration("SANDBOX_IDLE_TIMEOUT", env.getOrDefault("SANDBOX_IDLE_TIMEOUT", "600"));
        List<String> roots = roots("SANDBOX_PERSISTED_ROOTS", env.get("SANDBOX_PERSISTED_ROOTS"));
        int pool = poolSize("SANDBOX_POOL_CLOUDRUN", env.get("SANDBOX_POOL_CLOUDRUN"));
        Duration poolIdle = env.containsKey("SANDBOX_POOL_IDLE_TIMEOUT")
                ? duration("SANDBOX_POOL_IDLE_TIMEOUT", env.get("SANDBOX_POOL_IDLE_TIMEOUT")) : DEFAULT_POOL_IDLE_TIMEOUT;
        return new CloudRunSettings(target, image, bucket, timeout, memory, cpu, mode, idle, roots, pool, poolIdle);
    }

    static String required(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new SandboxInvalidInputException(name + " is not set; the Cloud Run backend needs it");
        }
        return v.strip();
    }

    /** {@code 90}, {@code 90s}, {@code 15m}, {@code 2h}. */
    public static Duration duration(String name, String value) {
        String v = value.strip();
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            char unit = v.charAt(v.length() - 1);
            long n = Character.isDigit(unit) ? Long.parseLong(v) : Long.parseLong(v.substring(0, v.length() - 1));
            Duration d = switch (Character.isDigit(unit) ? 's' : unit) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException();
            };
            if (d.isNegative() || d.isZero()) {
                throw new NumberFormatException();
            }
            return d;
        } catch (RuntimeException e) {
            throw new SandboxInvalidInputException(name + " must be a positive duration such as 600, 90s, 15m or 2h, not \"" + value + "\"");
        }
    }

    public static List<String> roots(String name, String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_ROOTS;
        }
        List<String> roots = Arrays.stream(value.split(":")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        for (String r : roots) {
            if (!r.startsWith("/") || r.equals("/") || r.contains("/..") || r.endsWith("/")) {
                throw new SandboxInvalidInputException(name + " must list absolute directories other than / separated by ':', not \"" + value + "\"");
            }
        }
        return roots;
    }
}
