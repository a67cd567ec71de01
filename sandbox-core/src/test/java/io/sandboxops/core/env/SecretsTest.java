package io.sandboxops.core.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {
    @Test
    void masksValuesWhoseNamesSaySecret() {
        assertThat(Secrets.mask(Map.of("OPENAI_API_KEY", "sk-123", "DB_PASSWORD", "hunter2", "GITHUB_TOKEN", "x", "HOME", "/home/sandbox")))
                .containsEntry("OPENAI_API_KEY", Secrets.MASK)
                .containsEntry("DB_PASSWORD", Secrets.MASK)
                .containsEntry("GITHUB_TOKEN", Secrets.MASK)
                .containsEntry("HOME", "/home/sandbox");
    }

    @Test
    void masksCredentialShapedValuesWhateverTheirName() {
        assertThat(Secrets.mask("NOTE", "AIzaSyA1234567890abcdefghijklmnopqrstu")).isEqualTo(Secrets.MASK);
        assertThat(Secrets.mask("X", "Bearer abcdefghijklmnopqrstuvwxyz")).isEqualTo(Secrets.MASK);
        assertThat(Secrets.mask("PATH", "/usr/local/bin:/usr/bin:/bin")).isEqualTo("/usr/local/bin:/usr/bin:/bin");
    }

    @Test
    void masksSecretAssignmentsAndCredentialsInCommandLines() {
        assertThat(Secrets.maskCommand("export API_TOKEN=abc PLAIN=visible; DB_PASSWORD='a b' run --x"))
                .isEqualTo("export API_TOKEN=" + Secrets.MASK + " PLAIN=visible; DB_PASSWORD=" + Secrets.MASK + " run --x");
        assertThat(Secrets.maskCommand("curl -H 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz' x"))
                .doesNotContain("abcdefghijklmnopqrstuvwxyz");
        assertThat(Secrets.maskCommand("ls -la /tmp")).isEqualTo("ls -la /tmp");
    }
}
