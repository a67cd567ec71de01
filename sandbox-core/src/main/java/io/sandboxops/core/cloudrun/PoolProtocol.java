package io.sandboxops.core.cloudrun;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandboxops.core.state.SessionStateStore;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What the Cloud Run warm pool's clients and its idle workers say to each other through the bucket (DESIGN §5,
 * starting fast). An idle worker is an execution of the sandboxes' job started for no sandbox: its overrides hold a
 * storage token downscoped to its own {@code pool/{worker}/} (outside every {@code sessions/} prefix, so no sandbox
 * reaches it and it reaches no sandbox) and a key of its own. It writes {@link Idle} at {@link #recordObject} and looks at
 * {@link #claimObject} every {@link #CLAIM_POLL}. A client claims it by writing that object with
 * {@code ifGenerationMatch=0}, so exactly one client wins a worker; the claim is the session's credentials (the
 * sandbox's downscoped token, its mailbox key) sealed with AES-256-GCM under the worker's key: only that worker can read
 * it, and anything not sealed with its key is ignored. A worker that idles out first writes the claim object itself (a
 * {@link Sealed#retired() retired} one), so that no client can claim a worker on its way out.
 *
 * <p>The control plane keeps each worker's key in {@link #controlObject} (outside {@code pool/} and {@code sessions/});
 * the client that wins a claim replaces it with the sandbox the worker now serves, so the key cannot be used for a
 * second claim, whatever later happens to the worker's pool objects.
 */
public final class PoolProtocol {
    /** The worker's id, {@code pool-…} (an execution started for the pool has no {@code SESSION_ID}). */
    public static final String ENV_WORKER = "SANDBOXOPS_POOL_WORKER";
    /** The worker's own key, base64 (32 bytes). */
    public static final String ENV_KEY = "SANDBOXOPS_POOL_KEY";
    /** How long it waits for a claim before it leaves, {@code 600000ms}. */
    public static final String ENV_IDLE = "SANDBOXOPS_POOL_IDLE_TIMEOUT";
    /** The client that started it: the sweep cancels idle workers whose client stopped beating. */
    public static final String ENV_OWNER = "SANDBOXOPS_POOL_OWNER";
    /** How often an idle worker rewrites its record; a record older than three of these is a dead worker's. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(10);
    /**
     * How often an idle worker looks for its claim: a claim waits at most this long before the worker sees it. One GET
     * each time, some 144,000 an hour per idle worker (class B operations, about $0.06 an hour at list price).
     */
    public static final Duration CLAIM_POLL = Duration.ofMillis(25);
    /** How old a claim may be when the worker reads it. */
    public static final Duration MAX_CLAIM_AGE = Duration.ofMinutes(2);

    private PoolProtocol() {
    }

    public static String prefix(String worker) {
        return "pool/" + worker + "/";
    }

    public static String recordObject(String worker) {
        return prefix(worker) + "worker.json";
    }

    public static String claimObject(String worker) {
        return prefix(worker) + "claim.json";
    }

    /** The control plane's record of a pool worker: its key while it is idle, the sandbox it serves once claimed. */
    public static String controlObject(String worker) {
        return "control/pool/workers/" + worker + ".json";
    }

    /** A pool client's heartbeat: while it is fresh, the client's idle workers are not orphans. */
    public static String ownerObject(String owner) {
        return "control/pool/owners/" + owner + ".json";
    }

    /** What an idle worker writes at {@link #recordObject} and rewrites every {@link #HEARTBEAT}. */
    public record Idle(String worker, String execution, Instant startedAt, Instant heartbeatAt) {
    }

    /**
     * What a claim carries, sealed: the worker it is for (id and execution), the sandbox it will serve, when it was made,
     * that sandbox's credentials, and (may be null) the session's first request, signed with the sandbox's mailbox key as
     * if it were in the inbox: the claimed worker runs it at once instead of finding it there a few Storage calls later;
     * and (may be null) what the claiming client knows of the sandbox it just created ({@link Known}).
     * A secret: {@link #toString()} shows none of them.
     */
    public record Claim(String worker, String execution, String sandbox, Instant issuedAt, StorageToken token, String mailboxKey,
                        long idleTimeoutMillis, MailboxKey.Envelope first, Known known) {
        @Override
        public String toString() {
            return "Claim[" + worker + " → " + sandbox + ", token ***, key ***]";
        }
    }

    /**
     * What the claiming client knows of a sandbox it has just created and sent nothing to (may be absent from a claim):
     * its record and its manifest as written. The worker starts from them instead of reading them, then checks the
     * manifest's generation beside its first request's shell start: a file written meanwhile, or the sandbox destroyed,
     * is found there as by any pull.
     */
    public record Known(io.sandboxops.core.state.SandboxRecord sandbox, io.sandboxops.core.state.FileManifest manifest, long manifestGeneration) {
    }

    /** What lies at {@link #claimObject}: a sealed {@link Claim}, or (no nonce) the worker's own mark that it is leaving. */
    public record Sealed(String worker, String nonce, String ciphertext) {
        public static Sealed retiring(String worker) {
            return new Sealed(worker, null, null);
        }

        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean retired() {
            return nonce == null && ciphertext == null;
        }
    }

    /**
     * The control plane's record of a worker ({@link #controlObject}).
     *
     * @param key       the worker's key, base64; null once claimed
     * @param sandbox   the sandbox it serves once claimed; null while idle
     */
    public record Control(String worker, String execution, String owner, String key, String sandbox, Instant createdAt) {
        @Override
        public String toString() {
            return "Control[" + worker + ", " + execution + ", owner " + owner + (key == null ? "" : ", key ***") + ", sandbox " + sandbox + "]";
        }
    }

    /** A client's heartbeat at {@link #ownerObject}: stale after {@code staleAfterMillis} without a new one. */
    public record Owner(String owner, Instant heartbeatAt, long staleAfterMillis) {
        public boolean stale(Instant now) {
            return heartbeatAt == null || heartbeatAt.plusMillis(staleAfterMillis).isBefore(now);
        }
    }

    /** A claim the worker does not take. Its message says why and holds no secret. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Refused(String reason) {
            super(reason);
        }
    }

    /** One pool worker's key: AES-256-GCM over the claim, the worker's id as associated data. */
    public static final class Key {
        private static final SecureRandom RANDOM = new SecureRandom();
        private static final ObjectMapper JSON = SessionStateStore.objectMapper();
        private final byte[] key;

        private Key(byte[] key) {
            if (key.length != 32) {
                throw new IllegalArgumentException("a pool key has 32 bytes");
            }
            this.key = key.clone();
        }

        public static Key generate() {
            byte[] k = new byte[32];
            RANDOM.nextBytes(k);
            return new Key(k);
        }

        /** @throws IllegalArgumentException when {@code base64} is not a key */
        public static Key fromBase64(String base64) {
            return new Key(Base64.getDecoder().decode(base64.strip()));
        }

        public String toBase64() {
            return Base64.getEncoder().encodeToString(key);
        }

        /** Overwrites the key in memory: a claimed worker keeps no way to read a second claim. */
        public void destroy() {
            java.util.Arrays.fill(key, (byte) 0);
        }

        public Sealed seal(Claim claim) {
            try {
                byte[] nonce = new byte[12];
                RANDOM.nextBytes(nonce);
                Cipher c = cipher(Cipher.ENCRYPT_MODE, nonce, claim.worker());
                byte[] out = c.doFinal(JSON.writeValueAsBytes(claim));
                return new Sealed(claim.worker(), Base64.getEncoder().encodeToString(nonce), Base64.getEncoder().encodeToString(out));
            } catch (JsonProcessingException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot seal a pool claim: " + e.getMessage(), e);
            }
        }

        /**
         * Opens a claim found at {@code worker}'s claim object, for {@code execution}, made recently.
         *
         * @throws Refused saying why, in words that hold no secret
         */
        public Claim open(Sealed sealed, String worker, String execution, Instant now) {
            if (sealed == null || sealed.nonce() == null || sealed.ciphertext() == null) {
                throw new Refused("it is not sealed (no nonce or ciphertext)");
            }
            Claim claim;
            try {
                byte[] nonce = Base64.getDecoder().decode(sealed.nonce());
                if (nonce.length != 12) {
                    throw new Refused("its nonce is not 12 bytes");
                }
                byte[] plain = cipher(Cipher.DECRYPT_MODE, nonce, worker).doFinal(Base64.getDecoder().decode(sealed.ciphertext()));
                claim = JSON.readValue(plain, Claim.class);
            } catch (javax.crypto.AEADBadTagException e) {
                throw new Refused("it is not sealed with this worker's key");
            } catch (GeneralSecurityException | IllegalArgumentException | java.io.IOException e) {
                throw new Refused("it cannot be opened: " + e.getClass().getSimpleName());
            }
            if (!worker.equals(claim.worker()) || !execution.equals(claim.execution())) {
                throw new Refused("it was made for another worker or execution");
            }
            if (claim.issuedAt() == null || claim.issuedAt().isBefore(now.minus(MAX_CLAIM_AGE))
                    || claim.issuedAt().isAfter(now.plus(MailboxKey.MAX_SKEW))) {
                throw new Refused("it was issued at " + claim.issuedAt() + ", outside the accepted window around " + now);
            }
            if (claim.sandbox() == null || claim.token() == null || claim.mailboxKey() == null) {
                throw new Refused("it names no sandbox or carries no credentials");
            }
            return claim;
        }

        private Cipher cipher(int mode, byte[] nonce, String worker) throws GeneralSecurityException {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(("sandboxops-pool-claim:" + worker).getBytes(StandardCharsets.UTF_8));
            return c;
        }

        @Override
        public String toString() {
            return "PoolProtocol.Key[***]";
        }
    }
}
