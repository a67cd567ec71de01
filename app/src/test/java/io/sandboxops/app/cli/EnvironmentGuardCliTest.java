package io.sandboxops.app.cli;

import static io.sandboxops.app.cli.CliRun.ctl;
import static io.sandboxops.app.cli.CliRun.ctlWithStdin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxops.core.testing.RequiresDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, attack 5: with {@code --env} naming a production or read-only environment, {@code session}, {@code exec},
 * {@code file}, {@code bg} and {@code cleanup} wrote without asking. Every write verb must now want the service name
 * ({@code --confirm NAME}, as {@code rollout} does) on production and be refused on read-only; reads never ask. The
 * sessions are real (Docker engine); the environments come from the user's environments file, as an operator's would.
 */
@RequiresDocker
class EnvironmentGuardCliTest {
    private static final String SERVICE = "agent-backend";

    @TempDir
    static Path home;
    @TempDir
    Path dir;
    private static String savedHome;
    private String session;

    @BeforeAll
    static void environments() throws Exception {
        savedHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        Files.createDirectories(home.resolve(".sandbox-ops"));
        Files.writeString(home.resolve(".sandbox-ops/environments.json"), "{\"environments\":["
                + "{\"name\":\"prod\",\"project\":\"acme-prod\",\"region\":\"europe-west1\",\"service\":\"" + SERVICE + "\",\"production\":true},"
                + "{\"name\":\"audit\",\"project\":\"acme-prod\",\"region\":\"europe-west1\",\"service\":\"" + SERVICE + "\",\"readOnly\":true}]}");
    }

    @AfterAll
    static void restoreHome() {
        System.setProperty("user.home", savedHome);
    }

    @BeforeEach
    void create() throws Exception {
        CliRun r = ctl("session", "create", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        session = r.json().get("session_id").asText();
        assertThat(ctl("exec", "--session", session, "--", "echo old > /workspace/keep; sleep 300 &").status()).isZero();
    }

    @AfterEach
    void close() {
        ctl("session", "close", "--session", session);
    }

    /** Every verb that changes a sandbox or a session, as a command line; {@code --env} and {@code --confirm} are added. */
    private List<String[]> writes(Path upload) {
        return List.of(
                new String[] {"exec", "--session", session, "--", "touch /workspace/exec-ran"},
                new String[] {"file", "write", "--session", session, "/workspace/written"},
                new String[] {"file", "replace", "--session", session, "/workspace/keep", "old", "new"},
                new String[] {"file", "upload", "--session", session, upload.toString(), "/workspace/uploaded"},
                new String[] {"bg", "kill", "--session", session, "--all"},
                new String[] {"file", "delete", "--session", session, "/workspace/keep"},
                new String[] {"session", "cleanup", "--older-than", "P3650D"},
                new String[] {"session", "close", "--session", session});
    }

    private static String[] with(String[] args, String... more) {
        List<String> all = new ArrayList<>(List.of(args));
        int at = all.indexOf("--") < 0 ? all.size() : all.indexOf("--");
        all.addAll(at, List.of(more));
        return all.toArray(String[]::new);
    }

    private static CliRun run(String[] args) {
        return args[0].equals("file") && args[1].equals("write") ? ctlWithStdin("fresh\n", args) : ctl(args);
    }

    private JsonNode exists(String path, String env) throws Exception {
        CliRun r = ctl("file", "exists", "--json", "--session", session, "--env", env, path);
        assertThat(r.status()).as("a read on %s never asks: %s", env, r.err()).isZero();
        return r.json().get("exists");
    }

    /** What the write verbs would have changed, read back on the same environment (reads never ask). */
    private void assertNothingChanged(String env) throws Exception {
        assertThat(exists("/workspace/exec-ran", env).asBoolean()).as("exec ran").isFalse();
        assertThat(exists("/workspace/written", env).asBoolean()).as("file write wrote").isFalse();
        assertThat(exists("/workspace/uploaded", env).asBoolean()).as("file upload wrote").isFalse();
        assertThat(exists("/workspace/keep", env).asBoolean()).as("file delete deleted").isTrue();
        assertThat(ctl("file", "read", "--session", session, "--env", env, "/workspace/keep").out()).as("file replace replaced").isEqualTo("old\n");
        JsonNode bg = ctl("bg", "list", "--json", "--session", session, "--env", env).json();
        assertThat(bg.get(0).get("running").asBoolean()).as("bg kill killed").isTrue();
        CliRun info = ctl("session", "info", "--session", session, "--env", env);
        assertThat(info.status()).as("session close closed: %s", info.err()).isZero();
    }

    @Test
    void onProductionEveryWriteVerbWithoutTheServiceNameIsRefusedAndChangesNothing() throws Exception {
        Path upload = Files.writeString(dir.resolve("local.txt"), "local\n");
        for (String[] verb : writes(upload)) {
            CliRun r = run(with(verb, "--env", "prod"));
            assertThat(r.status()).as("%s on production without --confirm: %s", String.join(" ", verb), r.out()).isEqualTo(1);
            assertThat(r.err().strip().lines()).as(String.join(" ", verb)).hasSize(1);
            assertThat(r.err()).contains("production").contains("--confirm " + SERVICE);
        }
        CliRun wrong = run(with(writes(upload).get(0), "--env", "prod", "--confirm", "agent-backnd"));
        assertThat(wrong.status()).isEqualTo(1);
        assertThat(wrong.err()).contains("got \"agent-backnd\"");
        CliRun create = ctl("session", "create", "--env", "prod", "--id", "guard-refused-" + session);
        assertThat(create.status()).isEqualTo(1);
        assertThat(ctl("session", "info", "--session", "guard-refused-" + session).status()).as("session create created").isNotZero();
        for (String[] before : new String[][] {{"session", "create", "--backend", "cloudrun"}, {"bench", "concurrent", "--short"},
                {"rollout", "plan", "--advance"}, {"attach", "--session", session}, {"bench", "terminal", "--short"}}) {
            CliRun r = ctl(with(before, "--env", "prod"));
            assertThat(r.err()).as("refused before anything is opened: %s", String.join(" ", before)).contains("--confirm " + SERVICE);
            assertThat(r.status()).isEqualTo(1);
        }
        assertNothingChanged("prod");
    }

    @Test
    void onProductionEveryWriteVerbWorksWithTheServiceName() throws Exception {
        Path upload = Files.writeString(dir.resolve("local.txt"), "local\n");
        for (String[] verb : writes(upload)) {
            if (verb[1].equals("close")) {
                continue;
            }
            CliRun r = run(with(verb, "--env", "prod", "--confirm", SERVICE));
            assertThat(r.status()).as("%s on production with --confirm: %s", String.join(" ", verb), r.err()).isZero();
        }
        assertThat(exists("/workspace/exec-ran", "prod").asBoolean()).isTrue();
        assertThat(exists("/workspace/written", "prod").asBoolean()).isTrue();
        assertThat(exists("/workspace/uploaded", "prod").asBoolean()).isTrue();
        assertThat(exists("/workspace/keep", "prod").asBoolean()).isFalse();
        assertThat(ctl("bg", "list", "--json", "--session", session).json().get(0).get("running").asBoolean()).isFalse();
        String id = "guard-confirmed-" + session;
        CliRun create = ctl("session", "create", "--env", "prod", "--confirm", SERVICE, "--id", id);
        assertThat(create.status()).as(create.err()).isZero();
        CliRun close = ctl("session", "close", "--session", id, "--env", "prod", "--confirm", SERVICE);
        assertThat(close.status()).as(close.err()).isZero();
    }

    @Test
    void aReadOnlyEnvironmentRefusesEveryWriteVerbEvenWithTheServiceName() throws Exception {
        Path upload = Files.writeString(dir.resolve("local.txt"), "local\n");
        for (String[] verb : writes(upload)) {
            CliRun r = run(with(verb, "--env", "audit", "--confirm", SERVICE));
            assertThat(r.status()).as("%s on read-only: %s", String.join(" ", verb), r.out()).isEqualTo(1);
            assertThat(r.err().strip().lines()).hasSize(1);
            assertThat(r.err()).contains("read-only");
        }
        assertThat(ctl("session", "create", "--env", "audit").status()).isEqualTo(1);
        assertThat(ctl("bench", "files", "--short", "--env", "audit").err()).contains("read-only");
        // A terminal types whatever is typed into it: attach is a write, refused before it asks for a terminal.
        CliRun attach = ctl("attach", "--session", session, "--env", "audit", "--confirm", SERVICE);
        assertThat(attach.status()).as(attach.err()).isEqualTo(1);
        assertThat(attach.err()).contains("read-only");
        assertNothingChanged("audit");
        CliRun list = ctl("session", "list", "--env", "audit");
        assertThat(list.status()).as(list.err()).isZero();
    }

    @Test
    void sessionInfoShowsEscapeSequencesFromTheSandboxInert() throws Exception {
        assertThat(ctl("exec", "--session", session, "--", "cd /tmp/ && mkdir -p $'\\e[8m'hidden && cd $'\\e[8m'hidden && export EVIL=$'\\e[31mred\\e]0;owned\\a\\e[2J'")
                .status()).isZero();
        assertThat(ctl("exec", "--session", session, "--", "touch /workspace/$'name\\e[5mblink'; sleep 201 && echo '\u001b[41m' &").status()).isZero();
        CliRun info = ctl("session", "info", "--session", session);
        assertThat(info.status()).as(info.err()).isZero();
        assertThat(info.out()).doesNotContain("\u001b").doesNotContain("\u0007").contains("EVIL=\\e[31mred\\e]0;owned\\a\\e[2J")
                .contains("cwd:          /tmp/\\e[8mhidden");
        CliRun json = ctl("session", "info", "--json", "--session", session);
        assertThat(json.json().get("env").get("EVIL").asText()).as("JSON keeps the value, escaped by JSON").isEqualTo("\u001b[31mred\u001b]0;owned\u0007\u001b[2J");
        assertThat(ctl("bg", "list", "--session", session).out()).doesNotContain("\u001b");
        assertThat(ctl("file", "list", "--session", session, "/workspace").out()).doesNotContain("\u001b").contains("name\\e[5mblink");
        assertThat(ctl("file", "find", "--session", session, "/workspace", "name*").out()).doesNotContain("\u001b");
    }

    @Test
    void sessionInfoAndBgListMaskDsnAndPasswordOptions() throws Exception {
        assertThat(ctl("exec", "--session", session, "--", "export DATABASE_URL=postgres://admin:Pw-s3cr3t-1@db/app").status()).isZero();
        assertThat(ctl("exec", "--session", session, "--", "sleep 202 && echo mysql -uroot -pHunter2pw app --password=Other3pw &").status()).isZero();
        CliRun info = ctl("session", "info", "--session", session);
        assertThat(info.out()).doesNotContain("Pw-s3cr3t-1").contains("postgres://admin:");
        CliRun json = ctl("session", "info", "--json", "--session", session);
        assertThat(json.out()).doesNotContain("Pw-s3cr3t-1").doesNotContain("Hunter2pw");
        CliRun bg = ctl("bg", "list", "--session", session);
        assertThat(bg.out()).doesNotContain("Hunter2pw").doesNotContain("Other3pw").contains("sleep 202");
    }
}
