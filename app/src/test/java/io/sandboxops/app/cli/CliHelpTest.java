package io.sandboxops.app.cli;

import static io.sandboxops.app.cli.CliRun.ctl;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command of sandboxctl, walked from the tree that parses: {@code --help} and {@code help X} answer with usage
 * and examples, exit 0 and warn of nothing (picocli's warnings go to the process's stderr, so that is watched too);
 * every example is a command line that parses; and malformed arguments are usage errors, exit 2 with the hint.
 */
class CliHelpTest {

    /** Every command's words after "sandboxctl", depth first; the root is the empty list. */
    private static Map<List<String>, CommandLine> commands() {
        Map<List<String>, CommandLine> all = new LinkedHashMap<>();
        walk(SandboxCtl.commandLine(), List.of(), all);
        return all;
    }

    private static void walk(CommandLine cli, List<String> path, Map<List<String>, CommandLine> into) {
        into.put(path, cli);
        cli.getSubcommands().forEach((name, sub) -> {
            List<String> next = new ArrayList<>(path);
            next.add(name);
            walk(sub, next, into);
        });
    }

    /** The run, with whatever reached System.err (where picocli's own warnings go) added to its stderr. */
    private static CliRun ctlWatchingSystemErr(List<String> args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream stray = new ByteArrayOutputStream();
        System.setErr(new PrintStream(stray, true, StandardCharsets.UTF_8));
        try {
            CliRun r = ctl(args.toArray(String[]::new));
            return new CliRun(r.status(), r.out(), r.err() + stray.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void everyCommandAnswersHelpWithItsUsageAndExamplesAndNoWarning() {
        Map<List<String>, CommandLine> all = commands();
        assertThat(all).hasSizeGreaterThan(40);
        all.forEach((path, cli) -> {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            CliRun r = ctlWatchingSystemErr(args);
            String name = String.join(" ", args);
            assertThat(r.status()).as(name).isZero();
            assertThat(r.err()).as(name + ": stderr").isEmpty();
            assertThat(r.out()).as(name).contains("Usage: " + cli.getCommandSpec().qualifiedName() + " [-h");
            if (!(cli.getCommand() instanceof CommandLine.HelpCommand)) {
                assertThat(r.out()).as(name).startsWith("Usage: ").contains("\nExamples:\n  ");
            }
        });
    }

    @Test
    void helpNamesEveryCommandWithoutAWarning() {
        for (String top : SandboxCtl.commandLine().getSubcommands().keySet()) {
            CliRun r = ctlWatchingSystemErr(List.of("help", top));
            assertThat(r.status()).as("help " + top).isZero();
            assertThat(r.err()).as("help " + top + ": stderr").isEmpty();
            assertThat(r.out()).as("help " + top).contains("Usage: sandboxctl " + top + " [-h");
        }
        assertThat(ctl("emulator", "start", "--help").out()).contains("--process-command=CMD");
        assertThat(ctl("file", "read", "--help").out()).contains("--start=LINE").contains("--end=LINE");
    }

    /** An example a user copies must run as shown: each parses on the tree it documents, and none is wrapped. */
    @Test
    void everyExampleIsACommandLineThatParses() {
        List<String> checked = new ArrayList<>();
        commands().forEach((path, cli) -> {
            for (String line : cli.getCommandSpec().usageMessage().footer()) {
                String example = String.format(line);
                assertThat(example.length()).as("example fits the 80-column help: %s", example).isLessThan(80);
                List<String> words = sandboxctlWords(example);
                assertThat(words).as("an invocation of sandboxctl: %s", example).isNotNull();
                try {
                    SandboxCtl.commandLine().parseArgs(words.toArray(String[]::new));
                } catch (CommandLine.ParameterException e) {
                    throw new AssertionError("example does not parse: " + example + ": " + e.getMessage(), e);
                }
                checked.add(example);
            }
        });
        assertThat(checked).hasSizeGreaterThan(80);
    }

    /** The words after "sandboxctl" in a shell line: quotes removed; a pipe, redirection, $( ) or comment ends it. */
    private static List<String> sandboxctlWords(String line) {
        int at = line.indexOf("sandboxctl ");
        if (at < 0) {
            return null;
        }
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (char c : line.substring(at + "sandboxctl ".length()).toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (c == ' ') {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else if (")|>#".indexOf(c) >= 0) {
                break;
            } else {
                word = (word == null ? new StringBuilder() : word).append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    @Test
    void malformedArgumentsAreUsageErrorsWithTheHint() {
        String[][] usageErrors = {
                {"rollout", "set", "ten"}, {"rollout", "set", "101"}, {"rollout", "set", "-1"},
                {"session", "list", "--no-such-option"},
                {"file", "read", "/workspace/a.txt"},
                {"no-such-verb"},
                {"session", "list", "--backend", "kubernetes"},
                {"metrics", "--window", "ten minutes"},
                {"logs", "--query", "no-such-query"},
                {"completion", "fish"},
                {"session", "create", "--memory", "5"},
                {"session", "create", "--id", "../x"},
                {"session", "cleanup", "--older-than", "-PT1H"},
                {"file", "read", "--session", "s", "/workspace/a.txt", "--start", "0"},
                {"exec", "--session", "s", "--timeout", "0", "--", "true"},
                {"bench", "exec", "--iterations", "3"},
                {"bench", "files", "--size", "-1"},
                {"emulator", "start", "--port", "70000"},
                {"emulator", "start", "--fault", "storage.objects.get:error=502"},
                {"emulator", "start", "--latency-profile", "gcp-moon"},
                {"rollout", "history", "--limit", "0"},
                {"logs", "--limit", "-5"},
                {"bg", "logs", "--session", "s", "--pid", "1", "--bytes", "0"},
                {"attach", "--session", "s"},
                {"pool", "status", "--backend", "kubernetes"},
                {"bench", "start", "--rounds", "2"},
                {"bench", "start", "--backend", "k8s"},
        };
        for (String[] args : usageErrors) {
            CliRun r = ctl(args);
            String name = String.join(" ", args);
            assertThat(r.status()).as(name + ": " + r.err()).isEqualTo(SandboxCtl.EXIT_USAGE);
            assertThat(r.err()).as(name).startsWith("sandboxctl: ").containsPattern("Try 'sandboxctl[a-z ]*--help' for usage\\.\\n$");
            assertThat(r.out()).as(name).isEmpty();
        }
        assertThat(ctl("rollout", "set", "ten").err()).startsWith("sandboxctl: Invalid value for positional parameter at index 0 (PERCENT): "
                + "the percentage must be a whole number from 0 to 100, not \"ten\"");
        assertThat(ctl("file", "read", "/workspace/a.txt").err()).contains("Missing required option: '--session=ID'");
        assertThat(ctl("sesion", "list").err()).contains("Did you mean: sandboxctl session");
        assertThat(ctl("emulator", "start", "--fault", "storage.objects.get:error=502").err())
                .contains("Bad --fault \"storage.objects.get:error=502\": error=502 is not an HTTP status the emulator maps")
                .contains("Example: storage.objects.get:error=503:probability=0.1");
        // A test's standard input is not a terminal: attach says so, and what to add to type piped input.
        assertThat(ctl("attach", "--session", "s").err()).startsWith("sandboxctl: attach needs a terminal: standard input is not one")
                .contains("add --pipe");
    }
}
