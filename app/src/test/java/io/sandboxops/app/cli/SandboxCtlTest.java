package io.sandboxops.app.cli;

import static io.sandboxops.app.cli.CliRun.ctl;
import static io.sandboxops.app.cli.CliRun.ctlWithStdin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxops.core.testing.RequiresDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sandboxctl as a user runs it: each call a fresh client, as a new process would be. */
@RequiresDocker
class SandboxCtlTest {

    @TempDir
    Path dir;
    private String session;

    @BeforeEach
    void create() throws Exception {
        CliRun r = ctl("session", "create", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.json().get("backend").asText()).isEqualTo("docker");
        session = r.json().get("session_id").asText();
    }

    @AfterEach
    void close() {
        ctl("session", "close", "--session", session);
    }

    @Test
    void execPrintsTheDocumentedJsonAndStateCarriesOverToTheNextProcess() throws Exception {
        assertThat(ctl("exec", "--session", session, "--", "cd /tmp && export GREETING=hi").status()).isZero();
        CliRun r = ctl("exec", "--json", "--session", session, "--", "echo $GREETING; pwd; echo oops >&2; exit 3");
        JsonNode j = r.json();
        assertThat(j.get("session_id").asText()).isEqualTo(session);
        assertThat(j.get("exit_code").asInt()).isEqualTo(3);
        assertThat(j.get("stdout").asText()).isEqualTo("hi\n/tmp\n");
        assertThat(j.get("stderr").asText()).isEqualTo("oops\n");
        assertThat(j.get("cwd").asText()).isEqualTo("/tmp");
        assertThat(j.get("timed_out").asBoolean()).isFalse();
        assertThat(j.has("background_pid")).isFalse();
        assertThat(j.get("duration_ms").isNumber()).isTrue();
    }

    @Test
    void timeoutIsReportedAndTheSessionKeepsWorking() throws Exception {
        JsonNode j = ctl("exec", "--json", "--session", session, "--timeout", "1", "--", "sleep 60").json();
        assertThat(j.get("timed_out").asBoolean()).isTrue();
        assertThat(ctl("exec", "--session", session, "--", "echo ok").out()).isEqualTo("ok\n");
    }

    @Test
    void backgroundProcessesAreListedAndKilled() throws Exception {
        JsonNode started = ctl("exec", "--json", "--session", session, "--", "sleep 300 &").json();
        long pid = started.get("background_pid").asLong();
        JsonNode list = ctl("bg", "list", "--json", "--session", session).json();
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("pid").asLong()).isEqualTo(pid);
        assertThat(list.get(0).get("running").asBoolean()).isTrue();
        assertThat(list.get(0).get("command").asText()).isEqualTo("sleep 300");
        assertThat(list.get(0).has("started_at")).isTrue();
        assertThat(list.get(0).get("log_file").asText()).isEqualTo("/tmp/bg_" + pid + ".out");
        JsonNode killed = ctl("bg", "kill", "--json", "--session", session, "--pattern", "sleep 3.0").json();
        assertThat(killed.get("killed_count").asInt()).isEqualTo(1);
        assertThat(killed.get("killed_pids").get(0).asLong()).isEqualTo(pid);
        assertThat(ctl("bg", "logs", "--session", session, "--pid", Long.toString(pid)).status()).isZero();
    }

    @Test
    void fileVerbsWorkEndToEnd() throws Exception {
        assertThat(ctlWithStdin("one\ntwo\nthree\n", "file", "write", "--session", session, "/workspace/a.txt").status()).isZero();
        assertThat(ctl("file", "read", "--session", session, "/workspace/a.txt", "--start", "2", "--end", "2").out()).isEqualTo("two\n");
        assertThat(ctl("file", "exists", "--json", "--session", session, "/workspace/a.txt").json().get("exists").asBoolean()).isTrue();
        assertThat(ctl("file", "search", "--json", "--session", session, "/workspace/a.txt", "^t").json()).hasSize(2);
        assertThat(ctl("file", "replace", "--json", "--session", session, "/workspace/a.txt", "two", "2").json().get("replacements").asInt())
                .isEqualTo(1);
        assertThat(ctl("file", "find", "--json", "--session", session, "/workspace", "*.txt").json().get(0).asText()).isEqualTo("/workspace/a.txt");
        assertThat(ctl("file", "list", "--json", "--session", session, "/workspace").json().get(0).get("name").asText()).isEqualTo("a.txt");

        byte[] data = new byte[2_000_000];
        new Random(7).nextBytes(data);
        Path src = Files.write(dir.resolve("src.bin"), data);
        assertThat(ctl("file", "upload", "--session", session, src.toString(), "/workspace/up.bin").status()).isZero();
        Path back = dir.resolve("back.bin");
        assertThat(ctl("file", "download", "--session", session, "/workspace/up.bin", back.toString()).status()).isZero();
        assertThat(Files.readAllBytes(back)).isEqualTo(data);

        assertThat(ctl("file", "delete", "--session", session, "/workspace/up.bin").status()).isZero();
        assertThat(ctl("file", "exists", "--session", session, "/workspace/up.bin").out().strip()).isEqualTo("false");
    }

    @Test
    void sessionsAreListedAndInspectedWithSecretsMasked() throws Exception {
        ctl("exec", "--session", session, "--", "export API_TOKEN=supersecretvalue PLAIN=visible");
        assertThat(ctl("session", "list", "--json").json().findValuesAsText("session_id")).contains(session);
        CliRun info = ctl("session", "info", "--json", "--session", session);
        assertThat(info.out()).doesNotContain("supersecretvalue");
        assertThat(info.json().get("env").get("PLAIN").asText()).isEqualTo("visible");
        assertThat(ctl("session", "info", "--json", "--reveal", "--session", session).out()).contains("supersecretvalue");
    }

    @Test
    void failuresExitOneWithOneLineAndUsageErrorsExitTwo() {
        CliRun missing = ctl("exec", "--session", "no-such-session", "--", "true");
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err().strip().lines()).hasSize(1).first().asString().startsWith("sandboxctl: no sandbox no-such-session");

        CliRun badPath = ctl("file", "read", "--session", session, "/nope");
        assertThat(badPath.status()).isEqualTo(1);
        assertThat(badPath.err()).contains("no such file or directory: /nope");

        CliRun bigUpload = ctl("file", "upload", "--session", session, dir.resolve("absent").toString(), "/x");
        assertThat(bigUpload.status()).isEqualTo(1);

        assertThat(ctl("exec", "--session", session).status()).isEqualTo(2);
        assertThat(ctl("bg", "kill", "--session", session).status()).isEqualTo(2);
        assertThat(ctl("no-such-verb").status()).isEqualTo(2);
        assertThat(ctl("exec", "--session", session, "--", "echo", "still", "fine").out()).isEqualTo("still fine\n");
    }

    // ---- hostile file operations (issue 13) ----

    /** Each ends in seconds with its answer, or with one line saying what happened and what to do: never a stack trace. */
    @Test
    void hostileFileOperationsEndWithAnAnswerOrOneLine() throws Exception {
        String longName = "a".repeat(200);
        assertThat(ctl("exec", "--session", session, "--", "mkdir -p /workspace/h /tmp/deep/" + "d/".repeat(70) + " && touch /workspace/" + longName
                + " && cd /workspace/h && printf shared > a && ln a b && head -c 200000 /dev/zero | tr '\\0' a > /workspace/long.txt").status())
                .isZero();

        CliRun find = ctl("file", "find", "--json", "--session", session, "/workspace", "*a".repeat(15) + "*b");
        assertThat(find.status()).as(find.err()).isZero();
        assertThat(find.json()).isEmpty();
        assertOneLine(ctl("file", "find", "--session", session, "/tmp/deep", "*.txt"), "levels deep");

        CliRun search = ctl("file", "search", "--json", "--session", session, "/workspace/long.txt", "(a|b)*c");
        assertThat(search.status()).as(search.err()).isZero();
        assertThat(search.json()).isEmpty();
        assertOneLine(ctl("file", "search", "--session", session, "/workspace/long.txt", "(a)\\1"), "unsupported regex feature");

        assertOneLine(ctlWithStdin("x", "file", "write", "--session", session, "/proc/x"), "is not on the sandbox's filesystem");

        Path into = dir.resolve("links");
        assertThat(ctl("file", "download", "--session", session, "/workspace/h", into.toString()).status()).isZero();
        assertThat(Files.readString(into.resolve("b"))).isEqualTo("shared");
    }

    private static void assertOneLine(CliRun r, String saying) {
        assertThat(r.status()).as(r.err()).isEqualTo(1);
        assertThat(r.err().strip().lines()).as(r.err()).hasSize(1).first().asString().startsWith("sandboxctl: ").contains(saying);
    }
}
