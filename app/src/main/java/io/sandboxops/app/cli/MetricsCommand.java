package io.sandboxops.app.cli;

import io.sandboxops.core.observe.MetricsSnapshot;
import io.sandboxops.core.observe.MetricsWindow;
import io.sandboxops.core.rollout.ControlPlane;
import io.sandboxops.core.rollout.RolloutController;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Access(Access.Kind.READ)
@Command(name = "metrics", description = "Job success rate, latency p50/p99, error rate, running executions, cost per 1000, against the plan's targets.",
        footerHeading = "%nExamples:%n",
        footer = {"  sandboxctl metrics", "  sandboxctl metrics --window 24h", "  sandboxctl metrics --env prod --window 7d --json"})
final class MetricsCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;
    @Mixin
    EnvironmentOption env;
    @Mixin
    Output output;
    @Option(names = "--window", defaultValue = "1h", paramLabel = "W", converter = Window.class,
            description = "1h, 6h, 24h, 7d or Nm/Nh/Nd (default: ${DEFAULT-VALUE}).")
    MetricsWindow window;

    @Override
    public Integer call() {
        try (ControlPlane cp = env.open(RolloutController.Options.defaults())) {
            MetricsSnapshot s = cp.metrics().snapshot(window);
            output.print(Output.object("window", window.label(), "from", s.from().toString(), "to", s.to().toString(),
                    "succeeded", s.succeeded(), "failed", s.failed(), "cancelled", s.cancelled(), "running", s.running(),
                    "success_rate", s.successRate().orElse(null), "error_rate", s.errorRate().orElse(null),
                    "operations", s.operations(), "operation_errors", s.operationErrors(),
                    "latency_p50_ms", s.latencyP50().map(java.time.Duration::toMillis).orElse(null),
                    "latency_p99_ms", s.latencyP99().map(java.time.Duration::toMillis).orElse(null), "latency_samples", s.latencySamples(),
                    "cost_per_1000", s.costPer1000().orElse(null), "source", s.source(), "summary", s.describe()), String.join("\n", s.describe()));
        }
        return 0;
    }

    /** --window through the core's parser: a malformed window is a usage error. */
    static final class Window implements Usage.Converter<MetricsWindow> {
        @Override
        public MetricsWindow parse(String text) {
            return MetricsWindow.parse(text);
        }
    }
}
