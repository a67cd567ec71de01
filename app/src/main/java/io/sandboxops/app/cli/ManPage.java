package io.sandboxops.app.cli;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The man page {@code sandboxctl(1)}, written in roff (the man macros) straight from the command tree that parses and
 * answers {@code --help}: every command with its synopsis, description, options and examples. Roff rather than
 * picocli-codegen's AsciiDoc because turning AsciiDoc into a man page needs Asciidoctor (Ruby, or AsciidoctorJ's JRuby),
 * which this offline build does not have; {@code man}, {@code groff} and {@code mandoc} read roff as it is.
 */
final class ManPage {
    private ManPage() {
    }

    /**
     * @param date the page's date; {@code SOURCE_DATE_EPOCH} when the build sets it, so two builds write the same page
     */
    static String roff(CommandLine root, String version, LocalDate date) {
        CommandSpec spec = root.getCommandSpec();
        StringBuilder m = new StringBuilder();
        m.append(".TH ").append(spec.name().toUpperCase()).append(" 1 \"").append(date).append("\" \"")
                .append(escape(spec.name() + " " + version)).append("\" \"Sandbox Ops\"\n");
        m.append(".SH NAME\n").append(spec.name()).append(" \\- ").append(escape(lowerFirst(format(spec.usageMessage().description()[0]))))
                .append('\n');
        m.append(".SH SYNOPSIS\n.B ").append(spec.name()).append("\n.I COMMAND\n.RI [ OPTIONS ]\n.br\n.B ").append(spec.name())
                .append("\n.I COMMAND\n.B \\-\\-help\n");
        m.append(".SH DESCRIPTION\n");
        paragraphs(m, spec.usageMessage().description());
        m.append(".PP\nEvery command answers \\fB\\-\\-help\\fR with its options and examples, as this page shows them.\n");
        m.append(".SH OPTIONS\n");
        options(m, spec);
        m.append(".SH COMMANDS\n");
        for (CommandLine command : commands(root)) {
            command(m, command.getCommandSpec());
        }
        m.append(".SH EXIT STATUS\n")
                .append(".TP\n.B 0\nSuccess.\n")
                .append(".TP\n.B 1\nThe operation failed; one line on standard error says what happened and what to do.\n")
                .append(".TP\n.B 2\nUsage error: an unknown command or option, a missing or malformed argument; ")
                .append("also \\fBrollout rollback\\fR when the new revision does not serve.\n");
        m.append(".SH FILES\n")
                .append(".TP\n.I ~/.sandbox\\-ops/environments.json\nThe GCP environments and which one is the default.\n")
                .append(".TP\n.I ~/.sandbox\\-ops/local\\-emulator.properties\n")
                .append("Where \\fBemulator start\\fR records its endpoints and access token, readable by the user alone.\n")
                .append(".TP\n.I ~/.sandbox\\-ops/audit/\nThe local audit log of rollout changes.\n");
        m.append(".SH ENVIRONMENT\n")
                .append(".TP\n.B SANDBOXOPS_ACTOR\nWho is acting, for the audit log (default: the OS user).\n")
                .append(".TP\n.B SANDBOX_IMAGE\nThe image of a new Docker sandbox (default: sandboxops/sandbox:latest).\n")
                .append(".TP\n.B DOCKER_HOST\nThe Docker engine to use.\n")
                .append(".TP\n.B SANDBOX_MODE\nCloud Run Jobs sessions: \\fBsession\\fR (default) or \\fBonce\\fR.\n");
        m.append(".SH SEE ALSO\n.BR docker (1)\n");
        return m.toString();
    }

    static String roff(CommandLine root) {
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        LocalDate date = epoch != null && epoch.matches("\\d+")
                ? LocalDate.ofEpochDay(Long.parseLong(epoch) / 86_400) : LocalDate.now(ZoneOffset.UTC);
        return roff(root, Version.current(), date);
    }

    /** Every command below the root, depth first, as {@code sandboxctl help} lists them (the help verb itself aside). */
    static List<CommandLine> commands(CommandLine root) {
        List<CommandLine> all = new ArrayList<>();
        walk(root, all);
        all.remove(0);
        return all;
    }

    private static void walk(CommandLine cli, List<CommandLine> into) {
        if (cli.getCommand() instanceof CommandLine.HelpCommand) {
            return;
        }
        into.add(cli);
        cli.getSubcommands().values().forEach(sub -> walk(sub, into));
    }

    private static void command(StringBuilder m, CommandSpec spec) {
        m.append(".SS \"").append(escape(spec.qualifiedName())).append("\"\n");
        String synopsis = spec.commandLine().getHelp().synopsis(0).strip().replaceFirst("^Usage:\\s*", "");
        m.append(".nf\n").append(preformatted(synopsis)).append(".fi\n");
        paragraphs(m, spec.usageMessage().description());
        if (!spec.subcommands().isEmpty()) {
            m.append(".PP\nCommands: ").append(escape(String.join(", ", spec.subcommands().keySet()))).append(".\n");
        }
        options(m, spec);
        String[] footer = spec.usageMessage().footer();
        if (footer.length > 0) {
            m.append(".PP\nExamples:\n.RS\n.nf\n");
            Arrays.stream(footer).map(ManPage::format).forEach(line -> m.append(preformatted(line.strip())));
            m.append(".fi\n.RE\n");
        }
    }

    private static void options(StringBuilder m, CommandSpec spec) {
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden()) {
                item(m, "\\fI" + escape(p.paramLabel()) + "\\fR" + (p.arity().max() > 1 ? "..." : ""), p);
            }
        }
        // In the order --help lists them: by name, dashes aside.
        List<OptionSpec> sorted = spec.options().stream()
                .sorted(Comparator.comparing((OptionSpec o) -> o.shortestName().replaceFirst("^-+", "").toLowerCase(Locale.ROOT)))
                .toList();
        for (OptionSpec o : sorted) {
            if (!o.hidden()) {
                String names = String.join(", ", Arrays.stream(o.names()).map(n -> "\\fB" + escape(n) + "\\fR").toList());
                item(m, names + (o.typeInfo().isBoolean() ? "" : " \\fI" + escape(o.paramLabel()) + "\\fR"), o);
            }
        }
    }

    private static void item(StringBuilder m, String term, ArgSpec arg) {
        m.append(".TP\n").append(term).append('\n');
        String text = String.join(" ", Arrays.stream(arg.description()).map(ManPage::format).toList())
                .replace("${DEFAULT-VALUE}", Optional.ofNullable(arg.defaultValue()).orElse(""));
        m.append(escape(text.isBlank() ? "" : text)).append('\n');
    }

    private static void paragraphs(StringBuilder m, String[] lines) {
        for (String line : lines) {
            m.append(".PP\n").append(escape(format(line))).append('\n');
        }
    }

    /** As picocli renders a description or footer line: {@code %n} and {@code %%} resolved. */
    private static String format(String line) {
        return String.format(line);
    }

    private static String lowerFirst(String s) {
        String t = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        return t.isEmpty() ? t : Character.toLowerCase(t.charAt(0)) + t.substring(1);
    }

    /** Lines kept as they are (synopses, examples): escaped, each line safe from being read as a request. */
    private static String preformatted(String text) {
        StringBuilder b = new StringBuilder();
        text.lines().forEach(l -> b.append(escape(l)).append('\n'));
        return b.toString();
    }

    /**
     * Roff text: a backslash printed as one, a minus as a minus (not a hyphen), no line read as a request, and every
     * character beyond ASCII (→, ≤, ×) as groff's {@code \[uXXXX]}, which troff reads whatever the page's encoding.
     */
    static String escape(String text) {
        String e = text.replace("\\", "\\e").replace("-", "\\-").replace("\n", " ");
        StringBuilder b = new StringBuilder(e.length());
        e.codePoints().forEach(c -> {
            if (c < 0x80) {
                b.appendCodePoint(c);
            } else {
                b.append(String.format(Locale.ROOT, "\\[u%04X]", c));
            }
        });
        String ascii = b.toString();
        return ascii.startsWith(".") || ascii.startsWith("'") ? "\\&" + ascii : ascii;
    }
}
