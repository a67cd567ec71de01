package io.sandboxops.core.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.api.SessionInfo;
import io.sandboxops.core.testing.DockerSandboxes;
import io.sandboxops.core.testing.RequiresDocker;
import java.time.Duration;




import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8's hostile env names and values (with {@code =}, newlines, unicode, command substitutions) through
 * {@code export}, session info and a new client's restore: kept as data, never run.
 */
@RequiresDocker
class DockerHostileEnvTest {
    private static final Duration T = Duration.ofSeconds(30);
    @RegisterExtension
    static final DockerSandboxes docker = new DockerSandboxes();
    private Sandbox sandbox;

    @BeforeEach
    void create() {
        sandbox = docker.create();
    }

    private ExecResult run(String command) {
        return sandbox.execStateful(command, "main", T);
    }

    @Test
    void valuesWithEqualsNewlinesUnicodeAndSubstitutionsSurviveExportSessionInfoAndANewClient() {
        run("export EQ='a=b==c' NL=$'line one\\nline two\\n' UNI='żółw 🐢 ∑' SUB='$(touch /tmp/pwned) `touch /tmp/pwned2` ${HOME}'");
        SessionInfo info = sandbox.sessionInfo("main");
        assertThat(info.env()).containsEntry("EQ", "a=b==c").containsEntry("NL", "line one\nline two\n")
                .containsEntry("UNI", "żółw 🐢 ∑").containsEntry("SUB", "$(touch /tmp/pwned) `touch /tmp/pwned2` ${HOME}");

        sandbox.close();
        try (Sandbox again = docker.backend().get(sandbox.id())) {
            ExecResult r = again.execStateful("printf '%s|' \"$EQ\" \"$NL\" \"$UNI\" \"$SUB\"; ls /tmp/pwned /tmp/pwned2 2>&1 >/dev/null | wc -l",
                    "main", T);
            assertThat(r.stdout()).isEqualTo("a=b==c|line one\nline two\n|żółw 🐢 ∑|$(touch /tmp/pwned) `touch /tmp/pwned2` ${HOME}|2\n");
            assertThat(again.sessionInfo("main").env()).containsEntry("NL", "line one\nline two\n");
        }
    }

    @Test
    void namesWithNewlinesUnicodeOrSubstitutionsAreRefusedByTheShellAndLeaveNoVariable() {
        // A quoted 'A=B'=x is bash's A="B=x", not a name with "=": the first "=" always ends the name.
        assertThat(run("export 'A=B'=x; printf '%s' \"$A\"").stdout()).isEqualTo("B=x");
        for (String name : new String[] {"$'A\\nB'", "ŻÓŁW", "'$(touch /tmp/pwned)'", "'`touch /tmp/pwned`'"}) {
            ExecResult r = run("export " + name + "=x");
            assertThat(r.exitCode()).as(name).isNotZero();
            assertThat(r.stderr()).as(name).contains("not a valid identifier");
        }
        assertThat(sandbox.sessionInfo("main").env().keySet()).allSatisfy(k -> assertThat(k).matches("[A-Za-z_][A-Za-z0-9_]*"));
        assertThat(run("test -e /tmp/pwned; echo $?").stdout()).isEqualTo("1\n");
    }

    @Test
    void aSpecEnvNameThatIsNotAnIdentifierIsRefusedBeforeAnythingIsCreated() {
        int before = docker.backend().list().size();
        assertThatThrownBy(() -> SandboxSpec.newBuilder().env("A=B", "x").build())
                .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("A=B");
        assertThatThrownBy(() -> SandboxSpec.newBuilder().env("LINE\nBREAK", "x").build())
                .isInstanceOf(SandboxInvalidInputException.class);
        assertThat(docker.backend().list()).hasSize(before);
    }

    @Test
    void specEnvValuesWithEqualsNewlinesAndUnicodeReachTheShellIntact() {
        try (Sandbox s = docker.create(SandboxSpec.newBuilder().env("EQ", "a=b").env("NL", "x\ny")
                .env("UNI", "żółw 🐢"))) {
            try {
                ExecResult r = s.execStateful("printf '%s|' \"$EQ\" \"$NL\" \"$UNI\"", "main", T);
                assertThat(r.stdout()).isEqualTo("a=b|x\ny|żółw 🐢|");
            } finally {
                s.destroy();
            }
        }
    }
}
