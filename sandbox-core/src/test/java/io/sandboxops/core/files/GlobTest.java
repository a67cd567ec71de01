package io.sandboxops.core.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sandboxops.core.api.SandboxInvalidInputException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link Glob}: the shapes find documents, and globs a backtracking matcher would spin on for minutes. */
class GlobTest {

    @Test
    void starsStayInOneElementAndDoubleStarsCrossThem() {
        assertThat(Glob.compile("*.py").matches("src/a/y.py")).isTrue();
        assertThat(Glob.compile("src/*.py").matches("src/x.py")).isTrue();
        assertThat(Glob.compile("src/*.py").matches("src/a/y.py")).isFalse();
        assertThat(Glob.compile("src/**/*.py").matches("src/a/b/y.py")).isTrue();
        assertThat(Glob.compile("src/**/*.py").matches("src/y.py")).isTrue();
        assertThat(Glob.compile("**/*.{md,py}").matches("docs/r.md")).isTrue();
        assertThat(Glob.compile("?.txt").matches("a.txt")).isTrue();
        assertThat(Glob.compile("?.txt").matches("ab.txt")).isFalse();
        assertThat(Glob.compile("[!a]*.txt").matches("b.txt")).isTrue();
        assertThat(Glob.compile("[!a]*.txt").matches("a.txt")).isFalse();
        assertThat(Glob.compile("{a,{b,c}}.txt").matches("c.txt")).isTrue();
    }

    @Test
    void regexCharactersInAGlobAreLiteral() {
        assertThat(Glob.compile("a.b(c)+$").matches("a.b(c)+$")).isTrue();
        assertThat(Glob.compile("a.b").matches("axb")).isFalse();
    }

    @Test
    void aNameWithANewlineIsMatchedLikeAnyOther() {
        assertThat(Glob.compile("it*").matches("it's\nline")).isTrue();
        assertThat(Glob.compile("**/x").matches("a\nb/x")).isTrue();
    }

    @Test
    void manyStarsOnALongNameAreMatchedInLinearTime() {
        Glob hostile = Glob.compile("*a".repeat(15) + "*b");
        String name = "a".repeat(200);
        String deep = ("a".repeat(200) + "/").repeat(30) + "a".repeat(200);
        Glob acrossElements = Glob.compile("**a".repeat(15) + "**b");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int i = 0; i < 1_000; i++) {
                assertThat(hostile.matches(name)).isFalse();
            }
            assertThat(acrossElements.matches(deep)).isFalse();
        });
    }

    @Test
    void oversizedOrDeeplyNestedGlobsAreRefusedByName() {
        assertThatThrownBy(() -> Glob.compile("a".repeat(Glob.MAX_LENGTH + 1))).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("characters long");
        assertThatThrownBy(() -> Glob.compile("{".repeat(11) + "a" + "}".repeat(11))).isInstanceOf(SandboxInvalidInputException.class)
                .hasMessageContaining("deep");
        assertThatThrownBy(() -> Glob.compile("[a")).isInstanceOf(SandboxInvalidInputException.class).hasMessageContaining("unbalanced");
        assertThatThrownBy(() -> Glob.compile("")).isInstanceOf(SandboxInvalidInputException.class);
    }
}
