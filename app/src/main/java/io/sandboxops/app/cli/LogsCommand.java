package io.sandboxops.app.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandboxops.core.env.ControlCharacters;
import io.sandboxops.core.observe.LogLine;
import io.sandboxops.core.observe.LogsService;
import io.sandboxops.core.observe.PreparedQuery;
import io.sandboxops.core.rollout.ControlPlane;
import io.sandboxops.core.rollout.RolloutController;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Access(Access.Kind.READ)
@Command(name = "logs", description = {"Execution logs and the client's sandbox events, with a filter or one of the console's queries; "
        + "--follow tails them.",
        "Each entry prints as time, severity, event, backend, session, operation, duration, exit code and message; --json prints "
                + "one JSON object per entry (JSON Lines) with those fields and the whole entry, for scripts. Secrets in entries are masked."},
        footerHeading = "%nExamples:%n",
        footer = {"  sandboxctl logs --list-queries", "  sandboxctl logs --query client-events --since PT6H",
                "  sandboxctl logs --query failed-executions --follow",
                "  sandboxctl logs --filter 'severity>=ERROR' --json | jq -r .message"})
final class LogsCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    HelpOption help;
    @Mixin
    EnvironmentOption env;
    @Mixin
    Output output;
    @Option(names = "--query", paramLabel = "NAME", converter = QueryNames.class, completionCandidates = QueryNames.class,
            description = "A query, as the console offers them: ${COMPLETION-CANDIDATES}; --list-queries shows their filters "
                    + "(default: executions).")
    PreparedQuery query;
    @Option(names = "--filter", paramLabel = "FILTER", description = "A Cloud Logging filter, instead of --query.")
    String filter;
    @Option(names = "--since", defaultValue = "PT1H", paramLabel = "DURATION", description = "How far back, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration since;
    @Option(names = "--limit", defaultValue = "200", paramLabel = "N", description = "Most entries (default: ${DEFAULT-VALUE}).")
    int limit;
    @Option(names = "--follow", description = "Keep printing new entries until Ctrl-C (with --json, one object a line as they come).")
    boolean follow;
    @Option(names = "--list-queries", description = "Print the queries --query takes, with their filters, and exit.")
    boolean listQueries;

    @Override
    public Integer call() throws InterruptedException {
        if (listQueries) {
            List<PreparedQuery> qs = LogsService.queries();
            output.print(qs.stream().map(q -> Output.object("name", q.name(), "description", q.description(), "filter", q.filter())).toList(),
                    String.join("\n", qs.stream().map(q -> q.name() + "  " + q.description() + "\n    " + q.filter().replace("\n", "\n    ")).toList()));
            return 0;
        }
        if (limit < 1) {
            throw Usage.error(output.spec, "--limit must be 1 or more, not " + limit);
        }
        if (query != null && filter != null) {
            throw Usage.error(output.spec, "--query and --filter each choose what to read: give one of them");
        }
        if (since.isNegative() || since.isZero()) {
            throw Usage.error(output.spec, "--since must be a positive duration, e.g. PT1H, not " + since);
        }
        String f = filter != null ? filter : (query != null ? query : LogsService.EXECUTIONS).filter();
        try (ControlPlane cp = env.open(RolloutController.Options.defaults())) {
            List<LogLine> lines = cp.logs().list(f, Instant.now().minus(since), limit);
            if (!output.json) {
                output.out().println(header());
            }
            lines.forEach(this::print);
            output.out().flush();
            if (follow) {
                CountDownLatch stopped = new CountDownLatch(1);
                try (AutoCloseable tail = cp.logs().tail(f, l -> {
                    print(l);
                    output.out().flush();
                }, e -> {
                    output.err().println("sandboxctl: the log tail stopped: " + SandboxCtl.message(e));
                    stopped.countDown();
                })) {
                    Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
                    stopped.await();
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    throw new CliException("could not stop the log tail cleanly: " + e.getMessage(), e);
                }
            }
        }
        return 0;
    }

    private static final String COLUMNS = "%-24s %-8s %-18s %-8s %-16s %-18s %9s %4s  %s";

    private static String header() {
        return String.format(Locale.ROOT, COLUMNS, "TIME", "SEVERITY", "EVENT", "BACKEND", "SESSION", "OPERATION", "DURATION", "EXIT",
                "MESSAGE");
    }

    /** One entry: a row of the columns, inert; with --json one JSON object on one line. */
    private void print(LogLine l) {
        if (output.json) {
            output.out().println(json(l));
            return;
        }
        String operation = l.outcome().isEmpty() ? l.operation() : l.operation().isEmpty() ? l.outcome() : l.operation() + " " + l.outcome();
        String where = l.event().isEmpty() && !l.resource().isEmpty() && !"global".equals(l.resource())
                ? "[" + l.resource() + (l.execution().isEmpty() ? "" : "/" + l.execution()) + "] " : "";
        output.out().println(ControlCharacters.escape(String.format(Locale.ROOT, COLUMNS, l.time(), l.severity(), dash(l.event()),
                dash(l.backend()), dash(l.session()), dash(operation), dash(l.durationText()), dash(l.exitText()), where + l.message())));
    }

    private static String dash(String s) {
        return s.isEmpty() ? "-" : s;
    }

    /**
     * The entry for scripts: the columns' fields (absent ones null), and {@code entry}, the whole entry. JSON escapes
     * control characters, so the line stays inert in a terminal.
     */
    static String json(LogLine l) {
        Map<String, Object> o = Output.object("time", l.time().toString(), "severity", l.severity(), "log", l.log(), "resource", l.resource(),
                "execution", blank(l.execution()), "event", blank(l.event()), "backend", blank(l.backend()), "session", blank(l.session()),
                "operation", blank(l.operation()), "outcome", blank(l.outcome()),
                "duration_ms", l.durationMs().isPresent() ? l.durationMs().getAsDouble() : null,
                "exit_code", l.exitCode().isPresent() ? l.exitCode().getAsLong() : null, "message", l.message(), "insert_id", l.insertId());
        try {
            o.put("entry", l.entry().isEmpty() ? null : JSON.readTree(l.entry()));
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new CliException("cannot print the log entry " + l.insertId() + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String blank(String s) {
        return s.isEmpty() ? null : s;
    }

    /** The prepared queries' names: what --query accepts (else a usage error) and completes. */
    static final class QueryNames implements Iterable<String>, Usage.Converter<PreparedQuery> {
        @Override
        public java.util.Iterator<String> iterator() {
            return LogsService.queries().stream().map(PreparedQuery::name).iterator();
        }

        @Override
        public PreparedQuery parse(String name) {
            // The console's queries by name: the sandbox jobs' logs, the client's events, the prepared ones.
            return LogsService.preparedQuery(name);
        }
    }
}
