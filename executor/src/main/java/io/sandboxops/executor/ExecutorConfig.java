package io.sandboxops.executor;

import io.sandboxops.core.api.SessionIds;
import io.sandboxops.core.cloudrun.CloudRunSettings;
import io.sandboxops.core.cloudrun.MailboxKey;
import io.sandboxops.core.cloudrun.StorageToken;
import io.sandboxops.core.state.SessionStateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The executor's settings, from its environment and arguments. Every problem is a {@link ConfigException}
 * naming the setting; {@link Main} prints it on one line and exits with {@link Main#EXIT_CONFIG_MISSING} when a
 * setting is absent, {@link Main#EXIT_CONFIG_INVALID} when one has a value it cannot use.
 *
 * <p>Environment: {@code EXECUTION_ID} (or Cloud Run's {@code CLOUD_RUN_EXECUTION}), {@code SESSION_ID} (the
 * sandbox), {@code SANDBOX_STATE_BUCKET}, {@code SANDBOX_MODE}, {@code SANDBOX_IDLE_TIMEOUT}, for the emulator
 * {@code STORAGE_EMULATOR_HOST}, and from the control plane, in the RunJob overrides, the only credentials it uses:
 * {@code SANDBOXOPS_STORAGE_TOKEN} (a token downscoped to the sandbox's {@code sessions/{id}/}) with
 * {@code SANDBOXOPS_STORAGE_TOKEN_EXPIRES} (ISO-8601), and {@code SANDBOXOPS_MAILBOX_KEY} (what its client signs requests
 * with). No Application Default Credentials, no metadata server: the job's service account opens nothing. Arguments (once mode): {@code --kind foreground|background|interactive},
 * {@code --shell ID}, {@code --timeout DURATION}, {@code --dir PATH}, and the command as {@code --command-object NAME}
 * (an object in the bucket holding it: what the backend sends, so that a command, and any secret typed into it, never
 * appears in the execution's arguments, which Cloud Run shows to every viewer and Cloud Audit Logs may record) or, for
 * a person running the executor by hand, {@code --command TEXT}.
 *
 * @param fsRoot     where sandbox path {@code /} is ({@code SANDBOX_FS_ROOT}, default {@code /})
 * @param scratchDir the executor's own files, never synced ({@code SANDBOX_SCRATCH_DIR})
 */
record ExecutorConfig(String executionId, String sandboxId, String bucket, CloudRunSettings.Mode mode, Duration idleTimeout,
                      String project, String storageHost, StorageToken token, MailboxKey mailboxKey, Kind kind, String shell, String command, String commandObject, Duration timeout, String dir,
                      Path fsRoot, Path scratchDir) {

    enum Kind { FOREGROUND, BACKGROUND, INTERACTIVE }

    /** A setting that is missing or malformed; the message names it. */
    static final class ConfigException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean missing;

        private ConfigException(String message, boolean missing) {
            super(message);
            this.missing = missing;
        }

        static ConfigException missing(String message) {
            return new ConfigException(message, true);
        }

        static ConfigException invalid(String message) {
            return new ConfigException(message, false);
        }

        /** Whether the setting was absent, rather than present with a value that cannot be used. */
        boolean isMissing() {
            return missing;
        }
    }

    static ExecutorConfig parse(Map<String, String> env, List<String> args) {
        String execution = first(env, "EXECUTION_ID", "CLOUD_RUN_EXECUTION");
        if (execution == null) {
            throw ConfigException.missing("EXECUTION_ID (or Cloud Run's CLOUD_RUN_EXECUTION) is not set");
        }
        String sandbox = required(env, "SESSION_ID");
        try {
            SessionIds.requireValid(sandbox);
        } catch (RuntimeException e) {
            throw ConfigException.invalid("SESSION_ID: " + e.getMessage());
        }
        String bucket = required(env, "SANDBOX_STATE_BUCKET");
        CloudRunSettings.Mode mode;
        Duration idle;
        try {
            mode = CloudRunSettings.Mode.parse("SANDBOX_MODE", env.getOrDefault("SANDBOX_MODE", "session"));
            idle = CloudRunSettings.duration("SANDBOX_IDLE_TIMEOUT", env.getOrDefault("SANDBOX_IDLE_TIMEOUT", "600"));
        } catch (RuntimeException e) {
            throw ConfigException.invalid(e.getMessage());
        }
        String project = first(env, "GCP_PROJECT_ID", "GOOGLE_CLOUD_PROJECT");
        if (project == null) {
            throw ConfigException.missing("GCP_PROJECT_ID (or GOOGLE_CLOUD_PROJECT) is not set");
        }
        String storageHost = first(env, "STORAGE_EMULATOR_HOST");
        StorageToken token = new StorageToken(required(env, StorageToken.ENV_TOKEN), instant(env, StorageToken.ENV_EXPIRES));
        MailboxKey mailboxKey;
        try {
            mailboxKey = MailboxKey.fromBase64(required(env, MailboxKey.ENV));
        } catch (IllegalArgumentException e) {
            throw ConfigException.invalid(MailboxKey.ENV + " is not a mailbox key (32 bytes or more, base64)");
        }

        Kind kind = Kind.FOREGROUND;
        String shell = "main";
        String command = null;
        String commandObject = null;
        String dir = null;
        Duration timeout = Duration.ofMinutes(10);
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String value = i + 1 < args.size() ? args.get(i + 1) : null;
            switch (a) {
                case "--kind" -> kind = switch (need(a, value)) {
                    case "foreground" -> Kind.FOREGROUND;
                    case "background" -> Kind.BACKGROUND;
                    case "interactive" -> Kind.INTERACTIVE;
                    default -> throw ConfigException.invalid("--kind must be foreground, background or interactive, not \"" + value + "\"");
                };
                case "--shell" -> shell = need(a, value);
                case "--command" -> command = need(a, value);
                case "--command-object" -> commandObject = need(a, value);
                case "--dir" -> dir = need(a, value);
                case "--timeout" -> {
                    String text = need(a, value);
                    try {
                        timeout = CloudRunSettings.duration("--timeout", text);
                    } catch (RuntimeException e) {
                        throw ConfigException.invalid(e.getMessage());
                    }
                }
                default -> throw ConfigException.invalid("unknown argument \"" + a + "\"; expected --kind, --shell, --command-object, --command, --dir or --timeout");
            }
            i++;
        }
        try {
            SessionIds.requireValid(shell);
        } catch (RuntimeException e) {
            throw ConfigException.invalid("--shell: " + e.getMessage());
        }
        if (mode == CloudRunSettings.Mode.ONCE && command == null && commandObject == null) {
            throw ConfigException.missing("--command-object (or --command) is required in once mode (SANDBOX_MODE=once)");
        }
        if (command != null && commandObject != null) {
            throw ConfigException.invalid("give --command-object or --command, not both");
        }
        if (commandObject != null && !commandObject.startsWith(SessionStateStore.sandboxPrefix(sandbox))) {
            throw ConfigException.invalid("--command-object must name an object of sandbox " + sandbox + " (under "
                    + SessionStateStore.sandboxPrefix(sandbox) + "), not \"" + commandObject + "\"");
        }
        Path fsRoot = Path.of(env.getOrDefault("SANDBOX_FS_ROOT", "/"));
        Path scratch = Path.of(env.getOrDefault("SANDBOX_SCRATCH_DIR", "/var/tmp/sandboxops")).resolve(execution);
        return new ExecutorConfig(execution, sandbox, bucket, mode, idle, project, storageHost, token, mailboxKey, kind, shell, command,
                commandObject, timeout, dir, fsRoot, scratch);
    }

    /** This configuration with the command read from its {@code --command-object}. */
    ExecutorConfig withCommand(String text) {
        return new ExecutorConfig(executionId, sandboxId, bucket, mode, idleTimeout, project, storageHost, token, mailboxKey, kind, shell,
                text, null, timeout, dir, fsRoot, scratchDir);
    }

    private static String need(String flag, String value) {
        if (value == null) {
            throw ConfigException.missing(flag + " needs a value");
        }
        return value;
    }

    private static String required(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw ConfigException.missing(name + " is not set");
        }
        return v.strip();
    }

    private static Instant instant(Map<String, String> env, String name) {
        String v = first(env, name);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (RuntimeException e) {
            throw ConfigException.invalid(name + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, not \"" + v + "\"");
        }
    }

    /** The secrets stay out of logs and messages. */
    @Override
    public String toString() {
        return "ExecutorConfig[" + executionId + ", sandbox " + sandboxId + ", " + mode.wire() + ", " + kind + ", token ***, key ***]";
    }

    /** The first of {@code names} set to something not blank in {@code env}, stripped; null when none is. */
    static String first(Map<String, String> env, String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }
}
