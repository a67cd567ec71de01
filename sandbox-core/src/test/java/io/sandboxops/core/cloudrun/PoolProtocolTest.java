package io.sandboxops.core.cloudrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** What an idle pool worker accepts as its claim: only what was sealed with its own key, for it, recently. */
class PoolProtocolTest {
    private static final String WORKER = "pool-abcdefabcdef";
    private static final String EXECUTION = "sandboxops-exec-1-abcde";
    private final PoolProtocol.Key key = PoolProtocol.Key.generate();
    private final Instant now = Instant.parse("2026-01-01T12:00:00Z");
    private final StorageToken token = new StorageToken("lcd-secret-token-value", now.plusSeconds(3600));

    private PoolProtocol.Claim claim(String worker, String execution, Instant issued) {
        return new PoolProtocol.Claim(worker, execution, "sbx-a", issued, token, MailboxKey.generate().toBase64(), 600_000, null, null);
    }

    @Test
    void aClaimSealedForThisWorkerOpensWithTheSessionsCredentials() {
        PoolProtocol.Claim c = claim(WORKER, EXECUTION, now);
        PoolProtocol.Sealed sealed = key.seal(c);
        assertThat(sealed.ciphertext()).as("the credentials travel encrypted").doesNotContain("lcd-secret").doesNotContain(c.mailboxKey());
        assertThat(key.open(sealed, WORKER, EXECUTION, now)).isEqualTo(c);
    }

    @Test
    void anotherKeyAChangedCiphertextOrAnotherWorkersClaimIsRefused() {
        PoolProtocol.Sealed sealed = key.seal(claim(WORKER, EXECUTION, now));
        assertThatThrownBy(() -> PoolProtocol.Key.generate().open(sealed, WORKER, EXECUTION, now))
                .isInstanceOf(PoolProtocol.Refused.class).hasMessageContaining("not sealed with this worker's key");
        byte[] bytes = Base64.getDecoder().decode(sealed.ciphertext());
        bytes[0] ^= 1;
        PoolProtocol.Sealed changed = new PoolProtocol.Sealed(WORKER, sealed.nonce(), Base64.getEncoder().encodeToString(bytes));
        assertThatThrownBy(() -> key.open(changed, WORKER, EXECUTION, now)).isInstanceOf(PoolProtocol.Refused.class);
        // Moved to another worker's claim object: the worker id is authenticated with it.
        assertThatThrownBy(() -> key.open(sealed, "pool-other0000000", EXECUTION, now)).isInstanceOf(PoolProtocol.Refused.class);
        assertThatThrownBy(() -> key.open(key.seal(claim(WORKER, "sandboxops-exec-1-other", now)), WORKER, EXECUTION, now))
                .isInstanceOf(PoolProtocol.Refused.class).hasMessageContaining("another worker or execution");
    }

    @Test
    void anOldClaimOrARetiredMarkIsNotAClaim() {
        assertThatThrownBy(() -> key.open(key.seal(claim(WORKER, EXECUTION, now.minus(PoolProtocol.MAX_CLAIM_AGE).minusSeconds(1))), WORKER, EXECUTION, now))
                .isInstanceOf(PoolProtocol.Refused.class).hasMessageContaining("outside the accepted window");
        assertThat(PoolProtocol.Sealed.retiring(WORKER).retired()).isTrue();
        assertThatThrownBy(() -> key.open(PoolProtocol.Sealed.retiring(WORKER), WORKER, EXECUTION, now)).isInstanceOf(PoolProtocol.Refused.class);
    }

    @Test
    void aDestroyedKeyOpensNothing() {
        PoolProtocol.Sealed sealed = key.seal(claim(WORKER, EXECUTION, now));
        key.destroy();
        assertThatThrownBy(() -> key.open(sealed, WORKER, EXECUTION, now)).isInstanceOf(PoolProtocol.Refused.class);
    }

    @Test
    void secretsStayOutOfToString() {
        PoolProtocol.Claim c = claim(WORKER, EXECUTION, now);
        assertThat(c.toString()).doesNotContain("lcd-secret").doesNotContain(c.mailboxKey());
        assertThat(key.toString()).doesNotContain(key.toBase64());
        assertThat(new PoolProtocol.Control(WORKER, EXECUTION, "o", key.toBase64(), null, now).toString()).doesNotContain(key.toBase64());
    }
}
