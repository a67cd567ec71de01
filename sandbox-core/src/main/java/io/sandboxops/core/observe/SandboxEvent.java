package io.sandboxops.core.observe;

import com.google.logging.type.LogSeverity;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.sandboxops.core.api.SandboxConflictException;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxTimeoutException;
import io.sandboxops.core.api.SandboxTooLargeException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.api.SandboxUnsupportedException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One sandbox operation as the client library saw it: timed by the client around the call, so nothing a sandbox
 * prints can make one up or change its numbers. Written as the {@code jsonPayload} of an entry in the client's own
 * log ({@link #LOG_ID}), which no sandbox can write to: a sandbox's output lands in Cloud Run's stdout and stderr logs.
 *
 * <p>The payload, schema version {@value #SCHEMA_VERSION}: {@code event} ({@value #EVENT}), {@code schema_version},
 * {@code backend} ({@code docker}, {@code cloudrun}), {@code mode} ({@code container}, {@code session}, {@code once}),
 * {@code operation} (e.g. {@code exec}, {@code file_read}, {@code upload}, {@code create}), {@code outcome}
 * ({@link Outcome#wire()}), {@code duration_ms}, {@code session_key} ({@link #sessionKey(String)}, never the raw id),
 * and where they apply {@code exit_code} (commands) and {@code bytes} (transfers).
 *
 * @param time       when the operation ended
 * @param sessionKey the hashed sandbox id; empty when the operation concerns no one sandbox (a list, a failed create)
 */
public record SandboxEvent(Instant time, String backend, String mode, String operation, Outcome outcome, double durationMs,
                           String sessionKey, OptionalInt exitCode, OptionalLong bytes) {

    /** The client's log, {@code projects/{project}/logs/sandbox-ops-client}. */
    public static final String LOG_ID = "sandbox-ops-client";
    public static final String EVENT = "sandbox_operation";
    public static final int SCHEMA_VERSION = 1;

    public SandboxEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(sessionKey, "sessionKey");
        Objects.requireNonNull(exitCode, "exitCode");
        Objects.requireNonNull(bytes, "bytes");
    }

    /** How an operation ended. Each failure kind is the {@code SandboxException} subtype the caller got. */
    public enum Outcome {
        OK("ok", false),
        /** a command ran into the timeout its caller gave it: the sandbox did what it was asked */
        TIMED_OUT("timed_out", false),
        NOT_FOUND("not_found", false),
        INVALID_INPUT("invalid_input", false),
        CONFLICT("conflict", false),
        TOO_LARGE("too_large", false),
        UNSUPPORTED("unsupported", false),
        /** the backend did not answer in time (a sandbox not ready, a worker that never replied) */
        TIMEOUT("timeout", true),
        UNAVAILABLE("unavailable", true),
        /** any other {@code SandboxException} */
        FAILED("failed", true),
        /** not a {@code SandboxException}: a bug or a library's unexpected failure */
        INTERNAL("internal", true);

        private final String wire;
        private final boolean backendError;

        Outcome(String wire, boolean backendError) {
            this.wire = wire;
            this.backendError = backendError;
        }

        public String wire() {
            return wire;
        }

        /**
         * Whether it counts against the backend in the error rate. A caller's mistake (a missing file, a bad
         * argument, a busy session, a refused size) is answered correctly and does not.
         */
        public boolean backendError() {
            return backendError;
        }

        public static Outcome of(Throwable failure) {
            if (failure instanceof SandboxNotFoundException) {
                return NOT_FOUND;
            } else if (failure instanceof SandboxInvalidInputException) {
                return INVALID_INPUT;
            } else if (failure instanceof SandboxConflictException) {
                return CONFLICT;
            } else if (failure instanceof SandboxTooLargeException) {
                return TOO_LARGE;
            } else if (failure instanceof SandboxUnsupportedException) {
                return UNSUPPORTED;
            } else if (failure instanceof SandboxTimeoutException) {
                return TIMEOUT;
            } else if (failure instanceof SandboxUnavailableException) {
                return UNAVAILABLE;
            } else if (failure instanceof SandboxException) {
                return FAILED;
            }
            return INTERNAL;
        }

        /** The outcome named by {@code wire}, or empty for a name this version does not know. */
        public static java.util.Optional<Outcome> parse(String wire) {
            for (Outcome o : values()) {
                if (o.wire.equals(wire)) {
                    return java.util.Optional.of(o);
                }
            }
            return java.util.Optional.empty();
        }
    }

    /**
     * The key events of one sandbox share: the first 16 hex digits of SHA-256 over {@code sandbox-ops/session/} and
     * the id. Whoever holds an id can find its events; the events do not hand out ids (a session id opens the
     * session to anyone who can reach the backend).
     */
    public static String sessionKey(String sandboxId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(("sandbox-ops/session/" + sandboxId).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The entry's severity: errors of the backend are ERROR, a caller's mistakes and timeouts WARNING. */
    public LogSeverity severity() {
        if (outcome.backendError()) {
            return LogSeverity.ERROR;
        }
        return outcome == Outcome.OK ? LogSeverity.INFO : LogSeverity.WARNING;
    }

    /** The {@code jsonPayload} of the log entry. */
    public Struct payload() {
        Struct.Builder s = Struct.newBuilder()
                .putFields("event", text(EVENT))
                .putFields("schema_version", number(SCHEMA_VERSION))
                .putFields("backend", text(backend))
                .putFields("mode", text(mode))
                .putFields("operation", text(operation))
                .putFields("outcome", text(outcome.wire()))
                .putFields("duration_ms", number(durationMs));
        if (!sessionKey.isEmpty()) {
            s.putFields("session_key", text(sessionKey));
        }
        exitCode.ifPresent(c -> s.putFields("exit_code", number(c)));
        bytes.ifPresent(b -> s.putFields("bytes", number(b)));
        return s.build();
    }

    private static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private static Value number(double d) {
        return Value.newBuilder().setNumberValue(d).build();
    }
}
