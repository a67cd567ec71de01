package io.sandboxops.core.cloudrun;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.core.env.Secrets;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, attack 5: on Cloud Run a command still running is named in the conflict a second command meets, and that
 * name went out unmasked while the Docker path masked it.
 */
class CloudRunCommandMaskingTest {
    @Test
    void theCommandNamedInAConflictHasItsSecretsMasked() {
        assertThat(CloudRunJobsSandbox.abbreviate("export API_TOKEN=tok-c0ffee && run")).doesNotContain("tok-c0ffee").contains(Secrets.MASK);
        assertThat(CloudRunJobsSandbox.abbreviate("psql postgres://admin:pw-b4d1dea@db/app")).doesNotContain("pw-b4d1dea");
        assertThat(CloudRunJobsSandbox.abbreviate("mysql -uroot -pHunter2pw app")).doesNotContain("Hunter2pw");
    }

    @Test
    void theCommandNamedInAConflictIsOneShortInertLine() {
        String shown = CloudRunJobsSandbox.abbreviate("printf '\\e[2J'; echo \u001b]0;owned\u0007\nsecond line " + "x".repeat(100));
        assertThat(shown).doesNotContain("\u001b").doesNotContain("\n").doesNotContain("\u0007");
        assertThat(shown.length()).isLessThanOrEqualTo(60);
    }
}
