package io.sandboxops.core.cloudrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What a worker accepts from its mailbox: only what its own client signed, for it, recently. */
class MailboxKeyTest {
    private static final String SANDBOX = "sbx-a";
    private static final String MAILBOX = "sessions/sbx-a/";
    private static final String EXECUTION = "sandboxops-exec-1-abcde";
    private final MailboxKey key = MailboxKey.generate();
    private final Instant now = Instant.parse("2026-01-01T12:00:00Z");
    private final WorkerProtocol.Request request = WorkerProtocol.Request.of(WorkerProtocol.Op.EXEC, "main").withCommand("id", Duration.ofSeconds(5));
    private final StorageToken token = new StorageToken("lcd-secret-token-value", now.plusSeconds(3600));

    private MailboxKey.Envelope sealed(String sandbox, String mailbox, String execution, Instant issued) {
        return key.seal(new MailboxKey.Signed(sandbox, mailbox, execution, issued, request, token));
    }

    private String object() {
        return MAILBOX + "inbox/" + request.id() + ".json";
    }

    @Test
    void aRequestSignedForThisWorkerOpensWithItsRequestAndToken() {
        MailboxKey.Signed s = key.open(sealed(SANDBOX, MAILBOX, EXECUTION, now), object(), SANDBOX, MAILBOX, EXECUTION, now);
        assertThat(s.request()).isEqualTo(request);
        assertThat(s.token()).isEqualTo(token);
    }

    @Test
    void anotherKeyOrAChangedPayloadIsRefused() {
        MailboxKey.Envelope e = sealed(SANDBOX, MAILBOX, EXECUTION, now);
        assertThatThrownBy(() -> MailboxKey.generate().open(e, object(), SANDBOX, MAILBOX, EXECUTION, now))
                .isInstanceOf(MailboxKey.Refused.class).hasMessageContaining("MAC");
        MailboxKey.Envelope changed = new MailboxKey.Envelope(e.id(), e.payload().replace("\"id\"", "\"id\" "), e.mac());
        assertThatThrownBy(() -> key.open(changed, object(), SANDBOX, MAILBOX, EXECUTION, now)).hasMessageContaining("MAC");
        assertThatThrownBy(() -> key.open(new MailboxKey.Envelope(e.id(), null, null), object(), SANDBOX, MAILBOX, EXECUTION, now))
                .hasMessageContaining("not signed");
    }

    @Test
    void aRequestForAnotherSandboxMailboxObjectOrWorkerIsRefused() {
        assertThatThrownBy(() -> key.open(sealed("sbx-b", "sessions/sbx-b/", EXECUTION, now), "sessions/sbx-b/inbox/" + request.id() + ".json",
                SANDBOX, MAILBOX, EXECUTION, now)).hasMessageContaining("another sandbox");
        assertThatThrownBy(() -> key.open(sealed(SANDBOX, MAILBOX, EXECUTION, now), MAILBOX + "inbox/other.json", SANDBOX, MAILBOX, EXECUTION, now))
                .hasMessageContaining("another sandbox, mailbox or object");
        assertThatThrownBy(() -> key.open(sealed(SANDBOX, MAILBOX, "sandboxops-exec-1-older", now), object(), SANDBOX, MAILBOX, EXECUTION, now))
                .hasMessageContaining("another worker execution");
    }

    @Test
    void anOldOrFutureRequestIsRefused() {
        assertThatThrownBy(() -> key.open(sealed(SANDBOX, MAILBOX, EXECUTION, now.minus(MailboxKey.MAX_AGE).minusSeconds(1)), object(),
                SANDBOX, MAILBOX, EXECUTION, now)).hasMessageContaining("outside the accepted window");
        assertThatThrownBy(() -> key.open(sealed(SANDBOX, MAILBOX, EXECUTION, now.plus(MailboxKey.MAX_SKEW).plusSeconds(1)), object(),
                SANDBOX, MAILBOX, EXECUTION, now)).hasMessageContaining("outside the accepted window");
    }

    @Test
    void secretsNeverShowInTextOrRefusals() {
        MailboxKey.Envelope e = sealed(SANDBOX, MAILBOX, EXECUTION, now);
        assertThat(key.toString()).doesNotContain(key.toBase64());
        assertThat(token.toString()).doesNotContain(token.value());
        assertThat(new MailboxKey.Stored(key.toBase64()).toString()).doesNotContain(key.toBase64());
        assertThatThrownBy(() -> key.open(e, object(), SANDBOX, MAILBOX, "x", now)).message().doesNotContain(token.value());
    }

    @Test
    void theNewerTokenWins() {
        StorageToken later = new StorageToken("lcd-later", now.plusSeconds(7200));
        assertThat(later.outlives(token)).isTrue();
        assertThat(token.outlives(later)).isFalse();
        assertThat(token.outlives(token)).isFalse();
        assertThat(token.expiresWithin(Duration.ofMinutes(3), now.plusSeconds(3600 - 120))).isTrue();
        assertThat(token.expiresWithin(Duration.ofMinutes(3), now)).isFalse();
    }
}
