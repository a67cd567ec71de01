package io.sandboxops.core.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandboxops.core.api.SandboxInvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The environments of one user, from {@code ~/.sandbox-ops/environments.json}; {@code local} is always there and
 * is the default unless the file names another. The file (see {@code deploy/environments.example.json}):
 *
 * <pre>
 * { "default": "staging",
 *   "environments": [
 *     { "name": "staging", "project": "acme-staging", "region": "us-central1", "service": "manus-backend-staging",
 *       "bucket": "acme-staging-sandbox-sessions", "image": "us-docker.pkg.dev/acme/sandbox/executor:1.4",
 *       "jobNamePrefix": "sbx-", "production": false, "readOnly": false,
 *       "pool": { "docker": 0, "cloudrun": 1 } },
 *     { "name": "local", "pool": { "docker": 2 } } ] }
 * </pre>
 *
 * The built-in {@code local} may have an entry too, with its {@code pool} only ({@link PoolSizes}).
 */
public final class Environments {
    private static final Set<String> FIELDS = Set.of("name", "project", "region", "service", "bucket", "image", "jobNamePrefix",
            "production", "readOnly", "pool");

    private final Map<String, Environment> byName;
    private final String defaultName;

    private Environments(Map<String, Environment> byName, String defaultName) {
        this.byName = byName;
        this.defaultName = defaultName;
    }

    public static Path defaultFile() {
        return Path.of(System.getProperty("user.home"), ".sandbox-ops", "environments.json");
    }

    /** Only {@code local}: no file yet. */
    public static Environments localOnly() {
        Map<String, Environment> m = new LinkedHashMap<>();
        m.put(Environment.LOCAL, Environment.local());
        return new Environments(m, Environment.LOCAL);
    }

    /**
     * Reads {@code file}; a missing file means only {@code local}.
     *
     * @throws SandboxInvalidInputException naming the file, the environment and the field at fault
     */
    public static Environments load(Path file) {
        if (!Files.exists(file)) {
            return localOnly();
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new SandboxInvalidInputException(file + " is not valid JSON: " + e.getMessage(), e);
        }
        Map<String, Environment> m = new LinkedHashMap<>();
        m.put(Environment.LOCAL, Environment.local());
        int index = 0;
        boolean localSeen = false;
        for (JsonNode node : root.path("environments")) {
            String where = file + ": environments[" + index++ + "]";
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!FIELDS.contains(field)) {
                    throw new SandboxInvalidInputException(where + ": unknown field \"" + field + "\"; known: " + FIELDS);
                }
            }
            String name = node.path("name").asText("");
            if (name.equals(Environment.LOCAL)) {
                if (localSeen) {
                    throw new SandboxInvalidInputException(where + ": a second entry for \"local\"");
                }
                localSeen = true;
                for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                    String field = it.next();
                    if (!field.equals("name") && !field.equals("pool")) {
                        throw new SandboxInvalidInputException(where + ": \"local\" is built in (the emulator): only its \"pool\" may be set, not \""
                                + field + "\"; choose another name for a GCP environment");
                    }
                }
                m.put(Environment.LOCAL, Environment.local().withPool(PoolSizes.parse(node.get("pool"), where)));
                continue;
            }
            if (m.containsKey(name)) {
                throw new SandboxInvalidInputException(where + ": a second environment named \"" + name + "\"");
            }
            Environment env;
            try {
                env = new Environment(name, Environment.Kind.GCP, node.path("project").asText(""), node.path("region").asText(""),
                        node.path("service").asText(""), node.path("bucket").asText(""), node.path("image").asText(""),
                        node.path("jobNamePrefix").asText(""), bool(node, "production", where), bool(node, "readOnly", where),
                        PoolSizes.parse(node.get("pool"), where));
            } catch (SandboxInvalidInputException e) {
                throw new SandboxInvalidInputException(file + ": " + e.getMessage(), e);
            }
            m.put(name, env);
        }
        String def = root.path("default").asText(Environment.LOCAL);
        if (!m.containsKey(def)) {
            throw new SandboxInvalidInputException(file + ": \"default\" names \"" + def + "\", which is not defined; defined: " + m.keySet());
        }
        return new Environments(m, def);
    }

    private static boolean bool(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new SandboxInvalidInputException(where + ": \"" + field + "\" must be true or false, not " + v);
        }
        return v.asBoolean();
    }

    public Environment defaultEnvironment() {
        return byName.get(defaultName);
    }

    /** @throws SandboxInvalidInputException listing the known names */
    public Environment get(String name) {
        Environment env = byName.get(name);
        if (env == null) {
            throw new SandboxInvalidInputException("no environment \"" + name + "\"; known: " + String.join(", ", byName.keySet())
                    + " (add it to " + defaultFile() + ")");
        }
        return env;
    }

    public List<Environment> all() {
        return new ArrayList<>(byName.values());
    }
}
