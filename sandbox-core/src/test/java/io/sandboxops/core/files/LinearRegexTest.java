package io.sandboxops.core.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.re2j.Pattern;
import io.sandboxops.core.api.SandboxInvalidInputException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link LinearRegex}: the regexes that make a backtracking engine spin or overflow its stack are answered; what would
 * make re2j itself recurse too deep or build a program too large for the heap is refused before it compiles.
 */
class LinearRegexTest {

    @Test
    void anAlternationRepeatedOverAVeryLongLineNeitherRecursesNorSpins() {
        Pattern p = LinearRegex.compile("(a|b)*c");
        String line = "ab".repeat(100_000);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThat(p.matcher(line).find()).isFalse();
            assertThat(p.matcher(line + "c").find()).isTrue();
            assertThat(LinearRegex.compile("((a+)+)+b").matcher("a".repeat(100_000)).find()).isFalse();
        });
    }

    @Test
    void ordinaryRegexesWork() {
        assertThat(LinearRegex.compile("^def \\w+\\(").matcher("def main(args):").find()).isTrue();
        assertThat(LinearRegex.compile("(?i)todo|fixme").matcher("a FIXME here").find()).isTrue();
        assertThat(LinearRegex.compile("[[:digit:]]{3}-[^\\]x]{2,4}").matcher("123-ab").find()).isTrue();
        assertThat(LinearRegex.compile("(?P<year>\\d{4})").matcher("in 2026").find()).isTrue();
        assertThat(LinearRegex.compile("\\Q(a|b)*\\E").matcher("x(a|b)*y").find()).isTrue();
        assertThat(LinearRegex.compile("a{2}{").matcher("aa{").find()).as("{ that is no repetition is literal").isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "(a)\\1|backreference",
            "(?<n>a)\\k<n>|named group",
            "a(?=b)|lookaround",
            "a(?!b)|lookaround",
            "(?<=a)b|lookaround",
            "(?<!a)b|lookaround",
            "(?>a+)b|atomic group",
            "a*+b|possessive",
            "a{2}+b|possessive",
            "a\\Z|\\Z"})
    void whatRe2DoesNotDoIsRefusedByNameWithTheAlternative(String regex, String named) {
        assertThatThrownBy(() -> LinearRegex.compile(regex)).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("unsupported regex feature").hasMessageContaining(named);
        if (!named.equals("named group")) {
            assertThatThrownBy(() -> LinearRegex.compile(regex)).hasMessageContaining("grep -P");
        }
    }

    @Test
    void deepNestingAndHugeRepetitionProductsAreRefusedBeforeCompiling() {
        assertThatThrownBy(() -> LinearRegex.compile("(".repeat(100_000) + "a" + ")".repeat(100_000)))
                .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("characters long");
        assertThatThrownBy(() -> LinearRegex.compile("(".repeat(1_000) + "a" + ")".repeat(1_000)))
                .isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("nests groups more than 100 deep");
        assertThat(LinearRegex.compile("(".repeat(100) + "a" + ")".repeat(100)).matcher("a").matches()).isTrue();
        assertThatThrownBy(() -> LinearRegex.compile("((a{1000}){1000}){1000}")).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("1000 copies");
        assertThatThrownBy(() -> LinearRegex.compile("(a{10}b{101}){10}")).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("1000 copies");
        assertThat(LinearRegex.compile("(a{10}){100}").matcher("a".repeat(1000)).matches()).isTrue();
        assertThat(LinearRegex.compile("(a{10})*").matcher("a".repeat(1000)).matches()).isTrue();
    }

    @Test
    void aMalformedRegexSaysWhatIsWrong() {
        assertThatThrownBy(() -> LinearRegex.compile("([a-")).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("invalid regex").hasMessageContaining("missing closing ]");
        assertThatThrownBy(() -> LinearRegex.compile("")).isInstanceOf(SandboxInvalidInputException.class);
    }
}
