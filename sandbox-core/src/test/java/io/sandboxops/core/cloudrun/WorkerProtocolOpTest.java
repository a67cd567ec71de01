package io.sandboxops.core.cloudrun;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandboxops.core.state.SessionStateStore;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A request's operation on the wire: the same names as when they were string constants, so old and new ends agree. */
class WorkerProtocolOpTest {
    private static final ObjectMapper JSON = SessionStateStore.objectMapper();

    @Test
    void everyOperationTravelsByItsWireName() throws Exception {
        assertThat(Arrays.stream(WorkerProtocol.Op.values()).map(WorkerProtocol.Op::wire))
                .containsExactly("exec", "start", "view", "wait", "input", "kill", "bg-list", "bg-kill", "bg-logs", "close-session", "sync",
                        "terminal-open", "terminal-input", "terminal-resize", "terminal-read", "terminal-close");
        for (WorkerProtocol.Op op : WorkerProtocol.Op.values()) {
            WorkerProtocol.Request r = WorkerProtocol.Request.of(op, "main");
            String text = JSON.writeValueAsString(r);
            assertThat(text).contains("\"op\":\"" + op.wire() + "\"");
            assertThat(JSON.readValue(text, WorkerProtocol.Request.class)).isEqualTo(r);
        }
    }

    @Test
    void aTerminalRequestAndItsSignedAnswerTravelWhole() throws Exception {
        WorkerProtocol.Request r = WorkerProtocol.Request.terminal(WorkerProtocol.Op.TERMINAL_INPUT, "main",
                new WorkerProtocol.TerminalRequest(WorkerProtocol.TerminalRequest.newTerminalId(), 42, 0, 0, "aGk="));
        assertThat(JSON.readValue(JSON.writeValueAsString(r), WorkerProtocol.Request.class)).isEqualTo(r);
        MailboxKey key = MailboxKey.generate();
        WorkerProtocol.Response answer = WorkerProtocol.Response.ok(r.id())
                .withTerminal(new WorkerProtocol.TerminalChunk(r.terminal().terminal(), 42, "aGk=", true, 7, null));
        WorkerProtocol.Response signed = answer.withTerminal(answer.terminal().withMac(key.tag(WorkerProtocol.TerminalChunk.signed("sbx", answer))));
        WorkerProtocol.Response read = JSON.readValue(JSON.writeValueAsString(signed), WorkerProtocol.Response.class);
        assertThat(key.verify(WorkerProtocol.TerminalChunk.signed("sbx", read), read.terminal().mac())).isTrue();
        // Any field changed, or the same answer for another sandbox or request, no longer verifies.
        WorkerProtocol.Response otherStatus = read.withTerminal(new WorkerProtocol.TerminalChunk(read.terminal().terminal(), 42, "aGk=", true, 0,
                read.terminal().mac()));
        assertThat(key.verify(WorkerProtocol.TerminalChunk.signed("sbx", otherStatus), otherStatus.terminal().mac())).isFalse();
        assertThat(key.verify(WorkerProtocol.TerminalChunk.signed("other", read), read.terminal().mac())).isFalse();
        assertThat(MailboxKey.generate().verify(WorkerProtocol.TerminalChunk.signed("sbx", read), read.terminal().mac())).isFalse();
    }

    @Test
    void aRequestWrittenWithTheOldStringFormReadsAsItsOperation() throws Exception {
        String old = "{\"id\":\"1700000000000-0123456789ab\",\"op\":\"bg-kill\",\"session\":null,\"command\":null,\"timeoutMillis\":0,"
                + "\"dir\":null,\"input\":null,\"pids\":[12,13],\"pid\":0,\"maxBytes\":0}";
        WorkerProtocol.Request r = JSON.readValue(old, WorkerProtocol.Request.class);
        assertThat(r.op()).isEqualTo(WorkerProtocol.Op.BG_KILL);
        assertThat(r.pids()).containsExactly(12L, 13L);
    }

    @Test
    void anOperationThisBuildDoesNotKnowStillReadsSoTheWorkerCanAnswerIt() throws Exception {
        WorkerProtocol.Request r = JSON.readValue("{\"id\":\"1700000000000-0123456789ab\",\"op\":\"defragment\"}", WorkerProtocol.Request.class);
        assertThat(r.op()).isNull();
        assertThat(r.id()).isEqualTo("1700000000000-0123456789ab");
    }
}
