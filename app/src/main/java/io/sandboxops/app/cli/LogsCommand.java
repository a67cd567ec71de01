package io.sandboxops.app.cli;

import io.sandboxops.core.env.ControlCharacters;
import io.sandboxops.core.observe.LogLine;
import io.sandboxops.core.observe.LogsService;
import io.sandboxops.core.observe.PreparedQuery;
import io.sandboxops.core.rollout.ControlPlane;
import io.sandboxops.core.rollout.RolloutController;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Access(Access.Kind.READ)
@Command(name = "logs", description = "Execution logs, with a filter or one of the prepared queries; --follow tails them.",
        footerHeading = "%nExamples:%n",
        footer = {"  sandboxctl logs --list-queries", "  sandboxctl logs --query failed-executions --follow",
                "  sandboxctl logs --filter 'severity>=ERROR' --since PT6H --json"})
final class LogsCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;
    @Mixin
    EnvironmentOption env;
    @Mixin
    Output output;
    @Option(names = "--query", paramLabel = "NAME", converter = QueryNames.class, completionCandidates = QueryNames.class,
            description = "A prepared query: ${COMPLETION-CANDIDATES}; --list-queries shows their filters.")
    PreparedQuery query;
    @Option(names = "--filter", paramLabel = "FILTER", description = "A Cloud Logging filter (default: the sandbox jobs' logs).")
    String filter;
    @Option(names = "--since", defaultValue = "PT1H", paramLabel = "DURATION", description = "How far back, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration since;
    @Option(names = "--limit", defaultValue = "200", paramLabel = "N", description = "Most entries (default: ${DEFAULT-VALUE}).")
    int limit;
    @Option(names = "--follow", description = "Keep printing new entries until Ctrl-C.")
    boolean follow;
    @Option(names = "--list-queries", description = "Print the prepared queries and exit.")
    boolean listQueries;

    @Override
    public Integer call() throws InterruptedException {
        if (listQueries) {
            List<PreparedQuery> qs = LogsService.preparedQueries();
            output.print(qs.stream().map(q -> Output.object("name", q.name(), "filter", q.filter())).toList(),
                    String.join("\n", qs.stream().map(q -> q.name() + "\n    " + q.filter().replace("\n", "\n    ")).toList()));
            return 0;
        }
        if (limit < 1) {
            throw Usage.error(output.spec, "--limit must be 1 or more, not " + limit);
        }
        String f = query != null ? query.filter()
                : filter != null ? filter : "resource.type=\"cloud_run_job\"";
        try (ControlPlane cp = env.open(RolloutController.Options.defaults())) {
            List<LogLine> lines = cp.logs().list(f, Instant.now().minus(since), limit);
            if (output.json && !follow) {
                output.print(lines.stream().map(l -> Output.object("time", l.time().toString(), "severity", l.severity(),
                        "execution", l.execution(), "message", l.message())).toList(), null);
                return 0;
            }
            lines.forEach(l -> output.out().println(ControlCharacters.escape(l.describe())));
            output.out().flush();
            if (follow) {
                CountDownLatch stopped = new CountDownLatch(1);
                try (AutoCloseable tail = cp.logs().tail(f, l -> {
                    output.out().println(ControlCharacters.escape(l.describe()));
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

    /** The prepared queries' names: what --query accepts (else a usage error) and completes. */
    static final class QueryNames implements Iterable<String>, Usage.Converter<PreparedQuery> {
        @Override
        public java.util.Iterator<String> iterator() {
            return LogsService.preparedQueries().stream().map(PreparedQuery::name).iterator();
        }

        @Override
        public PreparedQuery parse(String name) {
            return LogsService.preparedQuery(name);
        }
    }
}
