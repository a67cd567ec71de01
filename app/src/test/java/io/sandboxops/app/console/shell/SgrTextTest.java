package io.sandboxops.app.console.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Colours are read from a program's output; every other escape sequence stays visible and inert (issue 12's rule). */
class SgrTextTest {

    @Test
    void lsColoursBecomeColouredRunsAndLeaveNoEscapeBehind() {
        SgrText.Parsed p = SgrText.parse("\u001b[0m\u001b[01;34mbin\u001b[0m  \u001b[01;32mrun.sh\u001b[0m  notes.txt");
        assertThat(p.text()).isEqualTo("bin  run.sh  notes.txt");
        assertThat(p.colours()).containsExactly(new ConsoleLine.Colour(0, 3, 4, true), new ConsoleLine.Colour(5, 11, 2, true));
    }

    @Test
    void brightAnd256ColourFormsMapToTheSixteenAndTrueColourIsSkippedWhole() {
        assertThat(SgrText.parse("\u001b[91mE\u001b[38;5;3mW\u001b[38;2;1;2;3mT\u001b[39mx").colours())
                .containsExactly(new ConsoleLine.Colour(0, 1, 9, false), new ConsoleLine.Colour(1, 2, 3, false));
    }

    @Test
    void sequencesThatAreNotColoursStayVisible() {
        // Clear screen, cursor home, a window title and a hyperlink: shown as text, never obeyed.
        SgrText.Parsed p = SgrText.parse("\u001b[2J\u001b[Hx\u001b]0;owned\u0007\u001b]8;;http://evil\u001b\\y\u001b[31");
        assertThat(p.text()).isEqualTo("\\e[2J\\e[Hx\\e]0;owned\\a\\e]8;;http://evil\\e\\y\\e[31");
        assertThat(p.colours()).isEmpty();
    }

    @Test
    void concealAndReverseHideNothing() {
        // SGR 8 (conceal) and 7 (reverse) are the ways to hide text with colours; neither is painted.
        SgrText.Parsed p = SgrText.parse("\u001b[8msecret\u001b[7mflip");
        assertThat(p.text()).isEqualTo("secretflip");
        assertThat(p.colours()).isEmpty();
    }

    @Test
    void aCommandLineIsShownAsTypedSequencesIncluded() {
        assertThat(new ConsoleLine(ConsoleLine.Kind.COMMAND, "$ printf '\u001b[31m'").text()).isEqualTo("$ printf '\\e[31m'");
        assertThat(new ConsoleLine(ConsoleLine.Kind.STDOUT, "\u001b[31mred").colours()).isEqualTo(List.of(new ConsoleLine.Colour(0, 3, 1, false)));
    }
}
