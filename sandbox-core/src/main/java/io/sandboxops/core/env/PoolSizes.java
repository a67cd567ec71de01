package io.sandboxops.core.env;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxops.core.api.SandboxInvalidInputException;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The warm-pool sizes an environment asks for ({@code "pool": {"docker": 2, "cloudrun": 1}} in its entry of
 * {@code environments.json}); a backend it does not name is unset, so the variable or the default decides.
 *
 * <p>Which size a backend is opened with: {@link #resolve}. The precedence is the environment variable
 * ({@code SANDBOX_POOL_DOCKER}, {@code SANDBOX_POOL_CLOUDRUN}), then the environment's {@code pool}, then the default
 * 0 for both: a Cloud Run pool member is billed while it idles, and a Docker one holds memory, so neither is made
 * unless asked for.
 */
public record PoolSizes(OptionalInt docker, OptionalInt cloudrun) {
    public static final String DOCKER = "docker";
    public static final String CLOUDRUN = "cloudrun";
    public static final int MAX = 50;
    public static final int DEFAULT = 0;

    private static final Map<String, String> VARIABLES = Map.of(DOCKER, "SANDBOX_POOL_DOCKER", CLOUDRUN, "SANDBOX_POOL_CLOUDRUN");

    public PoolSizes {
        Objects.requireNonNull(docker, "docker");
        Objects.requireNonNull(cloudrun, "cloudrun");
        docker.ifPresent(n -> check(n, "docker"));
        cloudrun.ifPresent(n -> check(n, "cloudrun"));
    }

    /** Neither size set: the variables or the defaults decide. */
    public static PoolSizes unset() {
        return new PoolSizes(OptionalInt.empty(), OptionalInt.empty());
    }

    /** The environment variable that overrides {@code backend}'s size. */
    public static String variable(String backend) {
        String v = VARIABLES.get(backend);
        if (v == null) {
            throw new SandboxInvalidInputException("no pool for backend \"" + backend + "\"; use " + DOCKER + " or " + CLOUDRUN);
        }
        return v;
    }

    /** The size this environment sets for {@code backend}; empty when it sets none. */
    public OptionalInt of(String backend) {
        variable(backend);
        return DOCKER.equals(backend) ? docker : cloudrun;
    }

    /**
     * Reads a {@code "pool"} object.
     *
     * @param where the file and entry, for the error, e.g. {@code ~/.sandbox-ops/environments.json: environments[1]}
     * @throws SandboxInvalidInputException naming where, the field and the value at fault
     */
    public static PoolSizes parse(JsonNode pool, String where) {
        if (pool == null || pool.isNull()) {
            return unset();
        }
        if (!pool.isObject()) {
            throw new SandboxInvalidInputException(where + ": \"pool\" must be an object such as {\"docker\": 2, \"cloudrun\": 0}, not " + pool);
        }
        for (Iterator<String> it = pool.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!VARIABLES.containsKey(field)) {
                throw new SandboxInvalidInputException(where + ": \"pool\" has an unknown backend \"" + field + "\"; known: " + Set.of(DOCKER, CLOUDRUN));
            }
        }
        return new PoolSizes(size(pool.get(DOCKER), where + ": pool.docker"), size(pool.get(CLOUDRUN), where + ": pool.cloudrun"));
    }

    private static OptionalInt size(JsonNode v, String where) {
        if (v == null || v.isNull()) {
            return OptionalInt.empty();
        }
        if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > MAX) {
            throw new SandboxInvalidInputException(where + " must be a whole number from 0 to " + MAX + ", not " + v);
        }
        return OptionalInt.of(v.asInt());
    }

    private static void check(int n, String backend) {
        if (n < 0 || n > MAX) {
            throw new SandboxInvalidInputException("the " + backend + " pool size must be from 0 to " + MAX + ", not " + n);
        }
    }

    /**
     * The size {@code backend} is opened with in {@code env}, and where it comes from.
     *
     * @param processEnv the process environment ({@code System.getenv()})
     * @throws SandboxInvalidInputException when the variable is set to anything but a whole number from 0 to 50
     */
    public static PoolSize resolve(String backend, Environment env, Map<String, String> processEnv) {
        String name = variable(backend);
        String text = processEnv.get(name);
        if (text != null && !text.isBlank()) {
            String t = text.strip();
            int n;
            try {
                n = Integer.parseInt(t);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0 || n > MAX || !t.matches("[0-9]+")) {
                throw new SandboxInvalidInputException(name + " must be a whole number from 0 to " + MAX + ", not \"" + ControlCharacters.escape(t)
                        + "\"; unset it to use the size of environment " + env.name());
            }
            return new PoolSize(backend, n, PoolSize.Origin.VARIABLE, name + "=" + n);
        }
        OptionalInt configured = env.pool().of(backend);
        if (configured.isPresent()) {
            return new PoolSize(backend, configured.getAsInt(), PoolSize.Origin.ENVIRONMENT, "environment " + env.name()
                    + ": \"pool\" of its entry in " + Environments.defaultFile());
        }
        return new PoolSize(backend, DEFAULT, PoolSize.Origin.DEFAULT, "default: " + name + " unset, environment " + env.name() + " sets none");
    }
}
