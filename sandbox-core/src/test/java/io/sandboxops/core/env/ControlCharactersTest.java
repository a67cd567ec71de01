package io.sandboxops.core.env;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ControlCharactersTest {
    @Test
    void escapeSequencesAndOtherControlsReadAsTextAndOrdinaryTextIsUnchanged() {
        assertThat(ControlCharacters.escape("\u001b[31mred\u001b]0;title\u0007\u001b[2J")).isEqualTo("\\e[31mred\\e]0;title\\a\\e[2J");
        assertThat(ControlCharacters.escape("a\nb\rc\u0000d\u007fe\u0008")).isEqualTo("a\\nb\\rc\\0d\\x7fe\\b");
        assertThat(ControlCharacters.escape("csi\u009b2J next\u0085")).isEqualTo("csi\\u009b2J next\\u0085");
        assertThat(ControlCharacters.escape("evil\u202Etxt.exe")).isEqualTo("evil\\u202etxt.exe");
        String plain = "/home/sandbox/ü ñ 日本\tC:\\path \\e literal";
        assertThat(ControlCharacters.escape(plain)).isSameAs(plain);
        assertThat(ControlCharacters.escape(null)).isNull();
    }

    @Test
    void aLogTailKeepsItsLinesButNothingElse() {
        assertThat(ControlCharacters.escapeKeepingLines("one\r\ntwo\u001b[2K\nthree\rfour")).isEqualTo("one\ntwo\\e[2K\nthree\\rfour");
    }

    @Test
    void anAbbreviatedCommandIsOneShortInertMaskedLine() {
        String shown = Secrets.abbreviateCommand("export API_TOKEN=abc\necho \u001b[2J " + "x".repeat(80));
        assertThat(shown).startsWith("export API_TOKEN=" + Secrets.MASK + " echo \\e[2J").endsWith("...").hasSize(60);
    }
}
