package io.sandboxops.core.cloudrun;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandboxops.core.state.SessionStateStore;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The per-sandbox secret its client signs mailbox requests with (HMAC-SHA-256), so a worker runs only what its own
 * client sent: not a request written by another sandbox, by someone else with rights on the bucket, or an old one
 * written again. The key lives in {@code control/sessions/{id}/} (only the control plane reads there) and reaches the
 * worker with its start, in the RunJob overrides.
 *
 * <p>What is signed binds the request to one sandbox, one mailbox and one worker execution, with the time it was made:
 * a request moved to another sandbox or mailbox, or kept for a later worker, fails; a worker refuses a request id it
 * already took, and one older than {@link #MAX_AGE} (so it needs to remember ids for that long only).
 */
public final class MailboxKey {
    /** The environment variable through which an execution gets the key (RunJob overrides). */
    public static final String ENV = "SANDBOXOPS_MAILBOX_KEY";
    /** How long a signed request stays acceptable; a client sends it at once, a worker takes it within moments. */
    public static final Duration MAX_AGE = Duration.ofMinutes(10);
    /** How far ahead of a worker's clock a client's may be. */
    public static final Duration MAX_SKEW = Duration.ofMinutes(2);
    private static final Pattern REQUEST_ID = Pattern.compile("[0-9]{13}-[0-9a-f]{12}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = SessionStateStore.objectMapper();

    private final byte[] key;

    private MailboxKey(byte[] key) {
        if (key.length < 32) {
            throw new IllegalArgumentException("a mailbox key has 32 bytes or more");
        }
        this.key = key.clone();
    }

    public static MailboxKey generate() {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        return new MailboxKey(k);
    }

    /** @throws IllegalArgumentException when {@code base64} is not a key */
    public static MailboxKey fromBase64(String base64) {
        return new MailboxKey(Base64.getDecoder().decode(base64.strip()));
    }

    public String toBase64() {
        return Base64.getEncoder().encodeToString(key);
    }

    /** The key as stored in {@code control/sessions/{id}/mailbox-key.json}. */
    public record Stored(String key) {
        @Override
        public String toString() {
            return "Stored[***]";
        }
    }

    /**
     * What goes into an inbox: the signed text and its MAC. {@code id} repeats the request's id for whoever lists an
     * inbox; only what {@code payload} says counts.
     */
    public record Envelope(String id, String payload, String mac) {
    }

    /**
     * What is signed.
     *
     * @param sandbox   the sandbox the request is for
     * @param mailbox   the mailbox's prefix ({@code sessions/{id}/}, or a once-mode execution's)
     * @param execution the short name of the worker execution the client sends to
     * @param issuedAt  when the client made it
     * @param request   the request
     * @param token     a fresh storage token for the worker; null when the client had none to give
     */
    public record Signed(String sandbox, String mailbox, String execution, Instant issuedAt, WorkerProtocol.Request request,
                         StorageToken token) {
    }

    /** Signs {@code signed} for its mailbox. */
    public Envelope seal(Signed signed) {
        try {
            String payload = JSON.writeValueAsString(signed);
            return new Envelope(signed.request().id(), payload, mac(payload));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Checks an envelope a worker found at {@code object} and returns what it says.
     *
     * @param execution the worker's own execution (short name)
     * @throws Refused saying why, in words that hold no secret
     */
    public Signed open(Envelope envelope, String object, String sandbox, String mailbox, String execution, Instant now) {
        if (envelope == null || envelope.payload() == null || envelope.mac() == null) {
            throw new Refused("it is not signed (no payload or MAC)");
        }
        byte[] expected = mac(envelope.payload()).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, envelope.mac().getBytes(StandardCharsets.US_ASCII))) {
            throw new Refused("its MAC does not match this sandbox's mailbox key");
        }
        Signed s;
        try {
            s = JSON.readValue(envelope.payload(), Signed.class);
        } catch (JsonProcessingException e) {
            throw new Refused("its signed payload is not a request");
        }
        if (s.request() == null || s.request().id() == null || !REQUEST_ID.matcher(s.request().id()).matches()) {
            throw new Refused("it has no valid request id");
        }
        if (!sandbox.equals(s.sandbox()) || !mailbox.equals(s.mailbox()) || !object.equals(mailbox + "inbox/" + s.request().id() + ".json")) {
            throw new Refused("it was signed for another sandbox, mailbox or object");
        }
        if (!execution.equals(s.execution())) {
            throw new Refused("it was signed for another worker execution");
        }
        if (s.issuedAt() == null || s.issuedAt().isBefore(now.minus(MAX_AGE)) || s.issuedAt().isAfter(now.plus(MAX_SKEW))) {
            throw new Refused("it was issued at " + s.issuedAt() + ", outside the accepted window around " + now);
        }
        return s;
    }

    /** Whether {@code id} has the form of a request id, so that it may name an answer in the outbox. */
    public static boolean isRequestId(String id) {
        return id != null && REQUEST_ID.matcher(id).matches();
    }

    /**
     * A MAC of {@code text} (which names what it is, e.g. {@link WorkerProtocol.TerminalChunk#signed}) for the way back,
     * worker to client: the outbox is writable with the sandbox's storage token, the key is not in the sandbox's reach.
     */
    public String tag(String text) {
        return mac(text);
    }

    /** Whether {@code mac} is {@link #tag}{@code (text)}, compared in constant time. */
    public boolean verify(String text, String mac) {
        return mac != null && MessageDigest.isEqual(mac(text).getBytes(StandardCharsets.US_ASCII), mac.getBytes(StandardCharsets.US_ASCII));
    }

    private String mac(String payload) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(m.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return "MailboxKey[***]";
    }

    /** A mailbox request the worker does not run. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Refused(String reason) {
            super(reason);
        }
    }
}
