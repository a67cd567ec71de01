package io.sandboxops.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.SandboxUnsupportedException;
import io.sandboxops.core.api.Terminal;
import io.sandboxops.core.api.TerminalSize;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import io.sandboxops.core.cloudrun.SessionCredentials;
import io.sandboxops.core.state.RetryPolicy;
import io.sandboxops.core.state.SessionStateStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Terminals in Cloud Run session mode (issue 14), with the real executor as local processes in private namespaces
 * (the process runner), the real Google clients against the emulator: the worker's pseudo-terminal through the
 * sandbox's signed mailbox, and what code holding the sandbox's own storage token can and cannot do to it.
 */
@RequiresPrivateNamespaces
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloudRunTerminalTest {
    @RegisterExtension
    static final ProcessRunnerCloud localCloud = new ProcessRunnerCloud();
    private static final Duration T = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = SessionStateStore.objectMapper();

    private CloudRunJobsSandboxBackend backend;
    private Sandbox sandbox;

    @BeforeAll
    void sandbox() {
        backend = localCloud.harness().backend(Map.of("SANDBOX_MODE", "session", "SANDBOX_IDLE_TIMEOUT", "60s"));
        sandbox = backend.create(SandboxSpec.newBuilder().build());
    }

    @AfterAll
    void destroy() {
        if (sandbox != null) {
            sandbox.destroy();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void aTerminalStartsInTheSessionsStateAtItsSizeAndLeavesTheSessionAsItWas() throws Exception {
        assertThat(sandbox.execStateful("mkdir -p /tmp/there && cd /tmp/there && export GREETING=hello-term", "main", T).exitCode()).isZero();
        try (Terminal t = sandbox.openTerminal("main", new TerminalSize(100, 30))) {
            Reader out = new Reader(t.output());
            t.write("stty size; pwd; echo \"$GREETING:$TERM\"\n".getBytes(StandardCharsets.UTF_8));
            out.await("30 100");
            out.await("/tmp/there");
            out.await("hello-term:xterm-256color");
            t.resize(new TerminalSize(120, 40));
            assertThat(t.size()).isEqualTo(new TerminalSize(120, 40));
            t.write("stty size\n".getBytes(StandardCharsets.UTF_8));
            out.await("40 120");
            t.write("cd / && export GREETING=changed && echo changed-$((6*7))\n".getBytes(StandardCharsets.UTF_8));
            out.await("changed-42");
            assertThat(sandbox.execStateful("pwd; echo $GREETING", "main", T).stdout()).as("the session's own state")
                    .isEqualTo("/tmp/there\nhello-term\n");

            t.write("sleep 100\n".getBytes(StandardCharsets.UTF_8));
            Thread.sleep(700);
            t.write(new byte[] {3});
            t.write("echo after-$((6*7))\n".getBytes(StandardCharsets.UTF_8));
            out.await("after-42");

            t.write("exit 7\n".getBytes(StandardCharsets.UTF_8));
            assertThat(t.waitFor(T)).isEqualTo(OptionalInt.of(7));
            out.awaitEnd();
            assertThatThrownBy(() -> t.write("x".getBytes(StandardCharsets.UTF_8))).hasMessageContaining("has ended");
        }
    }

    @Test
    void closingEndsTheShellAndWhatItStartedAndOtherTerminalsGoOn() throws Exception {
        Terminal other = sandbox.openTerminal("main", TerminalSize.DEFAULT);
        Terminal t = sandbox.openTerminal("main", TerminalSize.DEFAULT);
        Reader out = new Reader(t.output());
        t.write("sleep 1000 & echo bg=$!\n".getBytes(StandardCharsets.UTF_8));
        String pid = out.await("bg=([0-9]+)");
        t.close();
        t.close();
        assertThat(t.waitFor(Duration.ofSeconds(10))).as("the shell's status after SIGHUP").isEqualTo(OptionalInt.of(129));
        out.awaitEnd();
        // Its orphan is the executor's (PID 1 of the namespace) to reap: a zombie has ended too.
        assertThat(sandbox.execStateful("s=$(cut -d' ' -f3 /proc/" + pid + "/stat 2>/dev/null); [ -z \"$s\" ] || [ \"$s\" = Z ] && echo gone || echo \"$s\"",
                "main", T).stdout()).as("the state of the background job it started").isEqualTo("gone\n");

        Reader o = new Reader(other.output());
        other.write("echo still-$((6*7))\n".getBytes(StandardCharsets.UTF_8));
        o.await("still-42");
        other.close();
    }

    @Test
    void aBigOutputArrivesWholeAndInOrderThroughBoundedBuffers() throws Exception {
        int size = 4_000_000;
        assertThat(sandbox.execStateful("head -c " + (size / 4 * 3) + " /dev/urandom | base64 -w 0 > /tmp/big.txt; wc -c < /tmp/big.txt", "main", T)
                .stdout().strip()).isEqualTo(Integer.toString(size));
        String digest = sandbox.execStateful("sha256sum < /tmp/big.txt | cut -c1-64", "main", T).stdout().strip();
        try (Terminal t = sandbox.openTerminal("main", TerminalSize.DEFAULT)) {
            t.write("stty -echo; printf 'BEG%s\\n' IN; cat /tmp/big.txt; printf '\\nEN%s\\n' D; exit\n".getBytes(StandardCharsets.UTF_8));
            // Nobody reads for a while: the worker's buffer and the pseudo-terminal fill, cat waits, nothing is dropped.
            Thread.sleep(3000);
            String all = new String(t.output().readAllBytes(), StandardCharsets.US_ASCII);
            int from = all.indexOf("BEGIN\r\n") + "BEGIN\r\n".length();
            int to = all.indexOf("\r\nEND");
            assertThat(from).isGreaterThan(6);
            String body = all.substring(from, to);
            assertThat(body.length()).isEqualTo(size);
            assertThat(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(body.getBytes(StandardCharsets.US_ASCII)))).isEqualTo(digest);
            assertThat(t.waitFor(T)).isEqualTo(OptionalInt.of(0));
        }
    }

    /** Keys written one byte at a time travel in few objects: what is typed while one is on its way goes as the next. */
    @Test
    void keysTypedOneByOneTravelInBatches() throws Exception {
        String line = "echo " + "k".repeat(395) + "-$((6*7))\n";
        try (Terminal t = sandbox.openTerminal("main", TerminalSize.DEFAULT)) {
            Reader out = new Reader(t.output());
            for (byte b : line.getBytes(StandardCharsets.US_ASCII)) {
                t.write(new byte[] {b});
            }
            out.await("k{395}-42");
            t.close();
        }
        // The close's log line of this terminal (the only one that typed exactly this many bytes) counts its input requests.
        // The worker's stdout reaches the emulator's log on its own thread, racing the close's answer: looked for a while.
        String logs = "";
        Integer requests = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (requests == null && System.nanoTime() < deadline) {
            logs = localCloud.harness().executionLogs();
            Matcher m = Pattern.compile("terminal-closed[^\n]*").matcher(logs);
            while (m.find()) {
                Matcher bytes = Pattern.compile("input_bytes\\D+(\\d+)").matcher(m.group());
                Matcher count = Pattern.compile("input_requests\\D+(\\d+)").matcher(m.group());
                if (bytes.find() && Integer.parseInt(bytes.group(1)) == line.length() && count.find()) {
                    requests = Integer.parseInt(count.group(1));
                }
            }
            if (requests == null) {
                Thread.sleep(100);
            }
        }
        assertThat(requests).as("the close's log line of this terminal:\n" + logs).isNotNull();
        System.out.printf("%d keys written one by one travelled in %d input objects%n", line.length(), requests);
        assertThat(requests).as("input objects for %d keys", line.length()).isBetween(1, line.length() / 10);
    }

    @Test
    void onceModeStillRefusesTerminals() {
        try (CloudRunJobsSandboxBackend once = localCloud.harness().backend(Map.of("SANDBOX_MODE", "once"))) {
            Sandbox s = once.create(SandboxSpec.newBuilder().build());
            try {
                assertThatThrownBy(() -> s.openTerminal("main", TerminalSize.DEFAULT)).isInstanceOf(SandboxUnsupportedException.class);
            } finally {
                s.destroy();
            }
        }
    }

    /**
     * Code holding the sandbox's own storage token (as a command would on a platform that exposed it) watches the
     * inbox: it answers every terminal read it sees with a forged end (exit 0) and forged output, posts unsigned
     * keystrokes for the terminal, answers keystroke requests with a forged "no such terminal", and posts a real
     * keystroke request again. None of it reaches the terminal or its
     * client: the output is the shell's, waitFor still waits, and the status is the one the shell exits with.
     */
    @Test
    void forgedAnswersAndKeystrokesFromTheSandboxsOwnTokenChangeNothing() throws Exception {
        Storage attacker = withOwnToken();
        String prefix = SessionStateStore.sandboxPrefix(sandbox.id());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger forgedAnswers = new AtomicInteger();
        AtomicInteger forgedInputs = new AtomicInteger();
        AtomicInteger replays = new AtomicInteger();
        try (Terminal t = sandbox.openTerminal("main", TerminalSize.DEFAULT)) {
            Reader out = new Reader(t.output());
            Thread spy = new Thread(() -> {
                Set<String> seen = new HashSet<>();
                while (!stop.get()) {
                    try {
                        for (Blob b : attacker.list(LocalCloudHarness.BUCKET, Storage.BlobListOption.prefix(prefix + "inbox/")).iterateAll()) {
                            if (!seen.add(b.getName())) {
                                continue;
                            }
                            byte[] raw = attacker.readAllBytes(b.getBlobId());
                            JsonNode envelope = JSON.readTree(raw);
                            JsonNode request = JSON.readTree(envelope.get("payload").asText()).get("request");
                            String op = request.get("op").asText();
                            String id = request.get("id").asText();
                            String terminal = request.path("terminal").path("terminal").asText();
                            if (op.equals("terminal-read")) {
                                ObjectNode forged = JSON.createObjectNode().put("id", id);
                                forged.putObject("terminal").put("terminal", terminal).put("offset", request.get("terminal").get("offset").asLong())
                                        .put("data", Base64.getEncoder().encodeToString("FORGED-OUTPUT\r\n".getBytes(StandardCharsets.UTF_8)))
                                        .put("ended", true).put("exitCode", 0).put("mac", "00");
                                attacker.create(BlobInfo.newBuilder(BlobId.of(LocalCloudHarness.BUCKET, prefix + "outbox/" + id + ".json")).build(),
                                        JSON.writeValueAsBytes(forged));
                                forgedAnswers.incrementAndGet();
                                String newId = io.sandboxops.core.cloudrun.WorkerProtocol.newId();
                                ObjectNode payload = (ObjectNode) JSON.readTree(envelope.get("payload").asText());
                                ((ObjectNode) payload.get("request")).put("id", newId).put("op", "terminal-input");
                                ((ObjectNode) payload.get("request").get("terminal")).put("data",
                                        Base64.getEncoder().encodeToString("echo INJECTED > /tmp/injected\n".getBytes(StandardCharsets.UTF_8)));
                                ObjectNode unsigned = JSON.createObjectNode().put("id", newId).put("payload", JSON.writeValueAsString(payload))
                                        .put("mac", envelope.get("mac").asText());
                                attacker.create(BlobInfo.newBuilder(BlobId.of(LocalCloudHarness.BUCKET, prefix + "inbox/" + newId + ".json")).build(),
                                        JSON.writeValueAsBytes(unsigned));
                                forgedInputs.incrementAndGet();
                            } else if (op.equals("terminal-input")) {
                                // A forged "no such terminal" for it, which would stop the client's typing were it believed,
                                ObjectNode gone = JSON.createObjectNode().put("id", id).put("errorType", "not-found")
                                        .put("error", "session main has no terminal " + terminal);
                                gone.putObject("terminal").put("terminal", terminal).put("offset", -1).put("data", "").put("ended", false)
                                        .put("mac", "00");
                                try {
                                    attacker.create(BlobInfo.newBuilder(BlobId.of(LocalCloudHarness.BUCKET, prefix + "outbox/" + id + ".json")).build(),
                                            JSON.writeValueAsBytes(gone));
                                    forgedAnswers.incrementAndGet();
                                } catch (RuntimeException e) {
                                    // the worker answered first
                                }
                                // and the real request, posted again once the worker took it.
                                new Thread(() -> {
                                    try {
                                        Thread.sleep(300);
                                        attacker.create(BlobInfo.newBuilder(b.getBlobId()).build(), raw);
                                        replays.incrementAndGet();
                                    } catch (RuntimeException | InterruptedException e) {
                                        // the next one
                                    }
                                }).start();
                            }
                        }
                    } catch (RuntimeException | IOException e) {
                        // An object taken while it was read: look again.
                    }
                }
            }, "attacker");
            spy.start();
            try {
                for (int i = 0; i < 12; i++) {
                    t.write(("echo tick-" + i + "-$((6*7))\n").getBytes(StandardCharsets.UTF_8));
                    out.await("tick-" + i + "-42");
                    Thread.sleep(250);
                }
            } finally {
                stop.set(true);
                spy.join();
            }
            assertThat(forgedAnswers.get()).as("reads the attacker answered").isPositive();
            assertThat(forgedInputs.get()).isPositive();
            assertThat(t.waitFor(Duration.ofSeconds(1))).as("a forged end does not end the terminal").isEmpty();
            t.write("echo done-$((6*7)); exit 7\n".getBytes(StandardCharsets.UTF_8));
            assertThat(t.waitFor(T)).as("the shell's own status").isEqualTo(OptionalInt.of(7));
            String all = out.awaitEnd();
            assertThat(all).doesNotContain("FORGED-OUTPUT");
            // Each tick typed once, though its request was posted twice.
            for (int i = 0; i < 12; i++) {
                assertThat(countOf(all, "tick-" + i + "-42")).as("tick %d ran once (echo shows the command, then its output)", i).isEqualTo(1);
            }
        }
        assertThat(sandbox.execStateful("cat /tmp/injected 2>/dev/null || echo none", "main", T).stdout()).isEqualTo("none\n");
    }

    /** A huge object and one that is not JSON in the inbox are removed unread; the worker and its terminals go on. */
    @Test
    void hugeOrMalformedInboxObjectsAreRefusedAndTheTerminalGoesOn() throws Exception {
        Storage attacker = withOwnToken();
        String inbox = SessionStateStore.sandboxPrefix(sandbox.id()) + "inbox/";
        try (Terminal t = sandbox.openTerminal("main", TerminalSize.DEFAULT)) {
            Reader out = new Reader(t.output());
            String huge = inbox + io.sandboxops.core.cloudrun.WorkerProtocol.newId() + ".json";
            String garbage = inbox + io.sandboxops.core.cloudrun.WorkerProtocol.newId() + ".json";
            byte[] big = new byte[(int) SignedInbox.MAX_REQUEST_BYTES + 4096];
            java.util.Arrays.fill(big, (byte) '[');
            attacker.create(BlobInfo.newBuilder(BlobId.of(LocalCloudHarness.BUCKET, huge)).build(), big);
            attacker.create(BlobInfo.newBuilder(BlobId.of(LocalCloudHarness.BUCKET, garbage)).build(), "{\"id\": [".getBytes(StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + T.toNanos();
            while (attacker.get(BlobId.of(LocalCloudHarness.BUCKET, huge)) != null || attacker.get(BlobId.of(LocalCloudHarness.BUCKET, garbage)) != null) {
                assertThat(System.nanoTime()).as("the worker never removed them").isLessThan(deadline);
                Thread.sleep(50);
            }
            t.write("echo alive-$((6*7))\n".getBytes(StandardCharsets.UTF_8));
            out.await("alive-42");
        }
        assertThat(localCloud.harness().executionLogs()).contains("more than the " + SignedInbox.MAX_REQUEST_BYTES);
    }

    /**
     * A client that opened a terminal and vanished (it never reads): the worker closes the terminal after its idle limit
     * (the worker's idle timeout, 5 s here, or 60 s when that is longer), killing its shell, and then leaves.
     */
    @Test
    void aTerminalWhoseClientVanishedIsClosedAfterTheIdleLimit() throws Exception {
        try (CloudRunJobsSandboxBackend shortIdle = localCloud.harness().backend(Map.of("SANDBOX_MODE", "session", "SANDBOX_IDLE_TIMEOUT", "5s"))) {
            Sandbox s = shortIdle.create(SandboxSpec.newBuilder().build());
            try {
                s.execStateful("true", "main", T);
                SessionStateStore store = new SessionStateStore(localCloud.harness().clients.storage(), LocalCloudHarness.BUCKET, RetryPolicy.defaults());
                String worker = store.read(SessionStateStore.workerObject(s.id()), Main.WorkerRecord.class).orElseThrow().value().execution();
                String terminal = io.sandboxops.core.cloudrun.WorkerProtocol.TerminalRequest.newTerminalId();
                var open = io.sandboxops.core.cloudrun.WorkerProtocol.Request.terminal(io.sandboxops.core.cloudrun.WorkerProtocol.Op.TERMINAL_OPEN, "main",
                        new io.sandboxops.core.cloudrun.WorkerProtocol.TerminalRequest(terminal, 0, 80, 24, null));
                var envelope = new SessionCredentials(localCloud.harness().clients, store).seal(s.id(), SessionStateStore.sandboxPrefix(s.id()), worker, open);
                store.write(SessionStateStore.sandboxPrefix(s.id()) + "inbox/" + open.id() + ".json", envelope, 0);
                long deadline = System.nanoTime() + T.toNanos();
                while (!localCloud.harness().executionLogs().contains("terminal-idle-closed")) {
                    assertThat(System.nanoTime()).as("the vanished client's terminal was never closed:\n" + localCloud.harness().executionLogs())
                            .isLessThan(deadline);
                    Thread.sleep(500);
                }
                assertThat(localCloud.harness().executionLogs()).contains("terminal-opened").containsPattern("terminal-idle-closed[^\n]*" + terminal);
            } finally {
                s.destroy();
            }
        }
    }

    /**
     * Requests signed by the sandbox's own client but naming another session of the same sandbox reach no terminal of
     * this one: keystrokes sent for session {@code other} to a terminal of {@code main} are refused, those for {@code main}
     * are typed.
     */
    @Test
    void aTerminalTakesKeystrokesOnlyForItsOwnSession() throws Exception {
        sandbox.execStateful("rm -f /tmp/cross /tmp/same", "main", T);
        SessionStateStore store = new SessionStateStore(localCloud.harness().clients.storage(), LocalCloudHarness.BUCKET, RetryPolicy.defaults());
        String worker = store.read(SessionStateStore.workerObject(sandbox.id()), Main.WorkerRecord.class).orElseThrow().value().execution();
        SessionCredentials credentials = new SessionCredentials(localCloud.harness().clients, store);
        io.sandboxops.core.cloudrun.Mailbox mailbox = new io.sandboxops.core.cloudrun.Mailbox(store, SessionStateStore.sandboxPrefix(sandbox.id()));
        String terminal = io.sandboxops.core.cloudrun.WorkerProtocol.TerminalRequest.newTerminalId();
        java.util.function.BiFunction<String, io.sandboxops.core.cloudrun.WorkerProtocol.Request, io.sandboxops.core.cloudrun.WorkerProtocol.Response> call =
                (session, r) -> mailbox.call(r, T, () -> true, q -> credentials.seal(sandbox.id(), mailbox.prefix(), worker, q));
        var open = io.sandboxops.core.cloudrun.WorkerProtocol.Request.terminal(io.sandboxops.core.cloudrun.WorkerProtocol.Op.TERMINAL_OPEN, "main",
                new io.sandboxops.core.cloudrun.WorkerProtocol.TerminalRequest(terminal, 0, 80, 24, null));
        assertThat(call.apply("main", open).errorType()).isNull();
        try {
            var cross = io.sandboxops.core.cloudrun.WorkerProtocol.Request.terminal(io.sandboxops.core.cloudrun.WorkerProtocol.Op.TERMINAL_INPUT, "other",
                    new io.sandboxops.core.cloudrun.WorkerProtocol.TerminalRequest(terminal, 0, 0, 0,
                            Base64.getEncoder().encodeToString("echo x > /tmp/cross\n".getBytes(StandardCharsets.UTF_8))));
            var answer = call.apply("other", cross);
            assertThat(answer.errorType()).as("keystrokes for another session's terminal").isEqualTo("not-found");
            var same = io.sandboxops.core.cloudrun.WorkerProtocol.Request.terminal(io.sandboxops.core.cloudrun.WorkerProtocol.Op.TERMINAL_INPUT, "main",
                    new io.sandboxops.core.cloudrun.WorkerProtocol.TerminalRequest(terminal, 0, 0, 0,
                            Base64.getEncoder().encodeToString("echo y > /tmp/same\n".getBytes(StandardCharsets.UTF_8))));
            assertThat(call.apply("main", same).errorType()).isNull();
            long deadline = System.nanoTime() + T.toNanos();
            while (!sandbox.execStateful("cat /tmp/same 2>/dev/null || true", "main", T).stdout().equals("y\n")) {
                assertThat(System.nanoTime()).as("the terminal's own session's keystrokes were never typed").isLessThan(deadline);
                Thread.sleep(200);
            }
            assertThat(sandbox.execStateful("cat /tmp/cross 2>/dev/null || echo none", "main", T).stdout()).isEqualTo("none\n");
        } finally {
            call.apply("main", io.sandboxops.core.cloudrun.WorkerProtocol.Request.terminal(io.sandboxops.core.cloudrun.WorkerProtocol.Op.TERMINAL_CLOSE, "main",
                    new io.sandboxops.core.cloudrun.WorkerProtocol.TerminalRequest(terminal, 0, 0, 0, null)));
        }
    }

    private Storage withOwnToken() {
        SessionStateStore store = new SessionStateStore(localCloud.harness().clients.storage(), LocalCloudHarness.BUCKET, RetryPolicy.defaults());
        String token = new SessionCredentials(localCloud.harness().clients, store).token(sandbox.id()).value();
        return StorageOptions.newBuilder().setProjectId(localCloud.harness().cloud.endpoints().projectId())
                .setHost(localCloud.harness().cloud.endpoints().storageHost())
                .setCredentials(GoogleCredentials.create(new AccessToken(token, null))).build().getService();
    }

    private static int countOf(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** Collects a terminal's output on its own thread; waits for patterns in it. */
    static final class Reader {
        private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
        private final Thread thread;
        private volatile boolean ended;
        private int searchedUpTo;

        Reader(InputStream in) {
            thread = new Thread(() -> {
                byte[] b = new byte[8192];
                try {
                    int n;
                    while ((n = in.read(b)) >= 0) {
                        synchronized (seen) {
                            seen.write(b, 0, n);
                            seen.notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // ends below
                }
                synchronized (seen) {
                    ended = true;
                    seen.notifyAll();
                }
            }, "terminal-output");
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits until {@code regex} matches output after what earlier awaits matched; @return its first group, if any. */
        String await(String regex) throws InterruptedException {
            // Output lines, not the echo of the typed command: the match must end a line.
            Pattern p = Pattern.compile("(?:" + regex + ")(?=[\r\n])");
            long deadline = System.nanoTime() + T.toNanos();
            synchronized (seen) {
                while (true) {
                    String s = seen.toString(StandardCharsets.UTF_8);
                    Matcher m = p.matcher(s);
                    if (m.find(searchedUpTo)) {
                        searchedUpTo = m.end();
                        return m.groupCount() > 0 ? m.group(1) : m.group();
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || ended) {
                        throw new AssertionError("no /" + regex + "/ in the terminal's output" + (ended ? " (it ended)" : "") + ":\n" + s);
                    }
                    seen.wait(Math.max(1, left / 1_000_000));
                }
            }
        }

        /** Waits for the end of the output; @return all of it. */
        String awaitEnd() throws InterruptedException {
            thread.join(T.toMillis());
            assertThat(ended).as("the output ended").isTrue();
            synchronized (seen) {
                return seen.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
