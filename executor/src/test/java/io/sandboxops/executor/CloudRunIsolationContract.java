package io.sandboxops.executor;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.cloudrun.CloudRunJobsSandboxBackend;
import io.sandboxops.core.state.SessionStateStore;
import io.sandboxops.core.state.RetryPolicy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, attack 2, as an attacker inside a Cloud Run sandbox would try it: session B's command gathers every
 * credential it can find (its own environment, every {@code /proc/PID/environ} it can read) and uses each against the
 * state bucket to read session A's state, list every session, and post a request into A's mailbox; someone with full
 * bucket rights but not A's mailbox key posts a request, and a request is written twice. Written once, run with the
 * executor as a local process in private namespaces and as the real image under the Docker runner.
 */
abstract class CloudRunIsolationContract {
    static final Duration T = Duration.ofSeconds(120);
    static final String SECRET = "sk-live-0123456789abcdef";

    CloudRunJobsSandboxBackend backend;
    Sandbox a;
    Sandbox b;

    abstract LocalCloudHarness harness();

    /** Extra settings of the backend under test (the image for the Docker runner). */
    Map<String, String> settings() {
        return Map.of();
    }

    @BeforeEach
    void twoSessions() {
        Map<String, String> s = new java.util.HashMap<>(settings());
        s.put("SANDBOX_MODE", "session");
        s.put("SANDBOX_IDLE_TIMEOUT", "60s");
        backend = harness().backend(s);
        a = backend.create(SandboxSpec.newBuilder().build());
        b = backend.create(SandboxSpec.newBuilder().build());
        ExecResult r = a.execStateful("export API_TOKEN=" + SECRET + "; echo mine > /workspace/a.txt", "main", T);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
    }

    @AfterEach
    void destroy() {
        for (Sandbox s : new Sandbox[] {a, b}) {
            if (s != null) {
                s.destroy();
            }
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void aCommandInOneSessionCannotReadListOrWriteAnotherSessionsObjects() throws Exception {
        attackFrom(b);
    }

    @Test
    void aOnceModeCommandCannotReachAnotherSessionEither() throws Exception {
        Map<String, String> s = new java.util.HashMap<>(settings());
        s.put("SANDBOX_MODE", "once");
        try (CloudRunJobsSandboxBackend once = harness().backend(s)) {
            Sandbox c = once.create(SandboxSpec.newBuilder().build());
            try {
                attackFrom(c);
            } finally {
                c.destroy();
            }
        }
    }

    /** {@code attacker}'s command goes for A's state, files, the listing and A's inbox with every credential it finds. */
    private void attackFrom(Sandbox attacker) throws InterruptedException {
        String inboxRequest = "{\"id\":\"0000000000001-b0b0b0b0b0b0\",\"op\":\"exec\",\"session\":\"main\","
                + "\"command\":\"echo driven-by-b > /workspace/pwned.txt\",\"timeoutMillis\":10000}";
        // Since issue 13 the executor is not dumpable, so the command finds no token of its own in /proc: it is handed the
        // one its session's executor holds, as a command on a platform that exposed it would have it.
        String own = new io.sandboxops.core.cloudrun.SessionCredentials(harness().clients,
                new SessionStateStore(harness().clients.storage(), LocalCloudHarness.BUCKET, RetryPolicy.defaults()))
                .token(attacker.id()).value();
        ExecResult r = attacker.execStateful(probe(a.id(), inboxRequest, own), "main", T);

        assertThat(r.stdout()).as("what the attacker's command got with every credential it found:\n%s\n%s", r.stdout(), r.stderr())
                .contains("tokens-found ")
                // its own token reached the bucket and was refused: the boundary, not a missing credential, stops it
                .containsPattern("state:[^\n]*403").containsPattern("fs:[^\n]*403")
                .containsPattern("list:[^\n]*403").containsPattern("inbox:[^\n]*403")
                .doesNotContainPattern("state:[^\n]*200").doesNotContainPattern("fs:[^\n]*200")
                .doesNotContainPattern("list:[^\n]*200").doesNotContainPattern("inbox:[^\n]*200")
                .doesNotContain(SECRET);
        Thread.sleep(3000);
        assertThat(a.execStateful("ls /workspace", "main", T).stdout()).doesNotContain("pwned.txt");
    }

    @Test
    void theTasksEnvironmentHoldsNoEmulatorTokenAndNoOtherSessionsToken() {
        String rootToken = harness().cloud.endpoints().accessToken();
        assertThat(harness().storageTokensOfRunningExecutions(a.id())).as("A's worker got a token of its own").isNotEmpty();
        ExecResult r = b.execStateful("{ env; for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < \"$f\"; echo; done; } 2>/dev/null", "main", T);
        assertThat(r.stdout()).as("B's readable environment").doesNotContain(rootToken);
        for (String token : harness().storageTokensOfRunningExecutions(a.id())) {
            assertThat(r.stdout()).as("B's readable environment holds A's storage token").doesNotContain(token);
        }
    }

    @Test
    void aSessionsShellDoesNotInheritTheExecutorsCredentials() {
        ExecResult r = b.execStateful("env | grep -c '^SANDBOXOPS_' || true", "main", T);
        assertThat(r.stdout().strip()).as("SANDBOXOPS_ variables in a command's environment").isEqualTo("0");
        assertThat(b.sessionInfo("main").env()).as("the session's saved environment").noneSatisfy((name, value) ->
                assertThat(name).startsWith("SANDBOXOPS_"));
    }

    @Test
    void aRequestFromSomeoneWithoutTheSessionsKeyIsRefused() throws Exception {
        String request = "{\"id\":\"" + io.sandboxops.core.cloudrun.WorkerProtocol.newId() + "\",\"op\":\"exec\",\"session\":\"main\","
                + "\"command\":\"echo forged >> /workspace/forged.txt\",\"timeoutMillis\":10000}";
        String object = SessionStateStore.sandboxPrefix(a.id()) + "inbox/" + idOf(request) + ".json";
        writeAsBucketAdmin(object, request);
        awaitGone(object);
        assertThat(a.execStateful("cat /workspace/forged.txt 2>&1 || true", "main", T).stdout()).doesNotContain("forged\n");
        byte[] answer = harness().clients.storage().readAllBytes(BlobId.of(LocalCloudHarness.BUCKET,
                SessionStateStore.sandboxPrefix(a.id()) + "outbox/" + idOf(request) + ".json"));
        assertThat(new String(answer, StandardCharsets.UTF_8)).as("the sender is told why").contains("refused").contains("not signed");
    }

    @Test
    void aReplayedRequestRunsOnce() throws Exception {
        String signed = harness().signedRequest(a.id(), "echo ran >> /workspace/replayed.txt");
        String object = SessionStateStore.sandboxPrefix(a.id()) + "inbox/" + idOf(signed) + ".json";
        writeAsBucketAdmin(object, signed);
        awaitGone(object);
        writeAsBucketAdmin(object, signed);
        awaitGone(object);
        assertThat(a.execStateful("cat /workspace/replayed.txt", "main", T).stdout()).isEqualTo("ran\n");
    }

    @Test
    void aRequestSignedForOneSessionIsRefusedByAnother() throws Exception {
        b.execStateful("true", "main", T);
        String signedForA = harness().signedRequest(a.id(), "echo moved >> /workspace/moved.txt");
        String object = SessionStateStore.sandboxPrefix(b.id()) + "inbox/" + idOf(signedForA) + ".json";
        writeAsBucketAdmin(object, signedForA);
        awaitGone(object);
        assertThat(b.execStateful("cat /workspace/moved.txt 2>&1 || true", "main", T).stdout()).doesNotContain("moved\n");
    }

    private void writeAsBucketAdmin(String object, String content) {
        harness().clients.storage().create(BlobInfo.newBuilder(BlobId.of(LocalCloudHarness.BUCKET, object)).build(),
                content.getBytes(StandardCharsets.UTF_8));
    }

    private void awaitGone(String object) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (harness().clients.storage().get(BlobId.of(LocalCloudHarness.BUCKET, object)) != null) {
            assertThat(System.nanoTime()).as("the worker never took " + object).isLessThan(deadline);
            Thread.sleep(50);
        }
        Thread.sleep(1500);
    }

    private static String idOf(String json) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\{\"id\":\"([0-9a-f-]+)\"").matcher(json);
        assertThat(m.find()).as("a request starts with its id: " + json).isTrue();
        return m.group(1);
    }

    /**
     * The shell functions a probe run in a sandbox starts with: {@code req}/{@code status} speak HTTP to the emulator's
     * Storage through bash's own /dev/tcp (the image need not have curl), {@code tokens} is every token-shaped value the
     * command can find (its own, its environment, every readable /proc/PID/environ), and {@code statuses WHAT METHOD PATH
     * [BODY]} prints the distinct HTTP statuses of that request made with each of them.
     */
    static String probeFunctions(URI storage, String ownToken) {
        return String.join("\n",
                "h=" + storage.getHost() + "; p=" + storage.getPort(),
                "req() { exec 3<>/dev/tcp/$h/$p || return 0",
                "  printf '%s %s HTTP/1.0\\r\\nHost: 127.0.0.1:%s\\r\\nAuthorization: Bearer %s\\r\\nContent-Type: application/json\\r\\n"
                        + "Content-Length: %s\\r\\n\\r\\n%s' \"$1\" \"$2\" \"$p\" \"$3\" \"${#4}\" \"$4\" >&3",
                "  cat <&3; exec 3<&-; }",
                "status() { req \"$@\" | head -1 | cut -d' ' -f2; }",
                "tokens=$( { echo 'OWN=" + ownToken + "'; env; for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < \"$f\"; echo; done; } 2>/dev/null"
                        + " | sed -n 's/^[A-Za-z_][A-Za-z0-9_]*=//p' | grep -E '^[A-Za-z0-9._~+/=-]{16,}$' | sort -u)",
                "echo \"tokens-found $(echo \"$tokens\" | grep -c .)\"",
                "statuses() { local what=$1; shift; echo \"$what: $(for t in $tokens; do status \"$1\" \"$2\" \"$t\" \"${3:-}\"; done "
                        + "| sort -u | tr '\\n' ' ')\"; }");
    }

    /**
     * A bash script that, with every credential-looking value of its environment and of every environment it can read,
     * tries to read A's state and a file of A's, list the sessions, and post {@code inboxRequest} into A's inbox, and
     * prints the HTTP statuses each attempt got. Bash's own /dev/tcp: the image need not have curl.
     */
    private String probe(String victim, String inboxRequest, String ownToken) {
        URI storage = URI.create(harness().cloud.endpoints().storageHost());
        String bucket = LocalCloudHarness.BUCKET;
        String base = "/storage/v1/b/" + bucket + "/o";
        String prefix = "sessions%2F" + victim + "%2F";
        return String.join("\n",
                probeFunctions(storage, ownToken),
                "statuses state GET '" + base + "/" + prefix + "shells%2Fmain%2Fstate.json?alt=media'",
                "statuses fs GET '" + base + "/" + prefix + "manifest.json?alt=media'",
                "statuses list GET '" + base + "?prefix=sessions/'",
                "statuses inbox POST '/upload" + base + "?uploadType=media&name=sessions/" + victim + "/inbox/0000000000001-b0b0b0b0b0b0.json' '"
                        + inboxRequest + "'",
                "for t in $tokens; do req GET '" + base + "/" + prefix + "shells%2Fmain%2Fstate.json?alt=media' \"$t\" | grep -o '" + SECRET
                        + "' | head -1; done",
                "true");
    }
}
