package io.sandboxops.app.cli;

import io.sandboxops.core.observe.MetricsService;
import io.sandboxops.core.observe.MetricsSnapshot;
import io.sandboxops.core.observe.MetricsWindow;
import io.sandboxops.core.rollout.ControlPlane;
import io.sandboxops.core.rollout.Gate;
import io.sandboxops.core.rollout.RolloutController;
import io.sandboxops.core.rollout.RolloutPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Access(Access.Kind.READ)
@Command(name = "metrics", description = "Job success rate, latency p50/p99, error rate, running executions, cost per 1000, against the plan's targets; "
        + "Docker (baseline) and Cloud Run (canary) side by side with the plan's comparisons, each with n and p-value.",
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
            Gate gate = RolloutPlan.originalPlan().gate();
            List<Gate.Check> comparisons = gate.baseline().map(b -> Gate.compare(b, s.canary(), s.baseline())).orElse(List.of());
            List<String> text = new ArrayList<>(s.describe());
            text.add("canary vs baseline, by the plan's gate (" + gate.describe() + "):");
            comparisons.forEach(c -> text.add("  " + c.describe()));
            output.print(Output.object("window", window.label(), "from", s.from().toString(), "to", s.to().toString(),
                    "succeeded", s.succeeded(), "failed", s.failed(), "cancelled", s.cancelled(), "running", s.running(),
                    "success_rate", s.successRate().orElse(null), "error_rate", s.errorRate().orElse(null),
                    "operations", s.operations(), "operation_errors", s.operationErrors(),
                    "latency_p50_ms", s.latencyP50().map(java.time.Duration::toMillis).orElse(null),
                    "latency_p99_ms", s.latencyP99().map(java.time.Duration::toMillis).orElse(null), "latency_samples", s.latencySamples(),
                    "cost_per_1000", s.costPer1000().orElse(null), "source", s.source(),
                    "baseline", backend(s.baseline()), "canary", backend(s.canary()),
                    "comparisons", comparisons.stream().map(MetricsCommand::check).toList(), "summary", text), String.join("\n", text));
        }
        return 0;
    }

    /** One backend's figures from the client's events, for --json. */
    static Map<String, Object> backend(MetricsService.OperationStats o) {
        return Output.object("backend", o.backend(), "operations", o.operations(), "ok", o.ok(), "caller_mistakes", o.callerMistakes(),
                "backend_errors", o.backendErrors(), "success_rate", o.successRate().orElse(null), "error_rate", o.errorRate().orElse(null),
                "latency_p50_ms", o.latencyP50().map(d -> d.toNanos() / 1e6).orElse(null),
                "latency_p99_ms", o.latencyP99().map(d -> d.toNanos() / 1e6).orElse(null), "latency_samples", o.execLatencies().size(),
                "truncated", o.truncated());
    }

    /** One gate check, for --json: the canary's and the baseline's values with their n, the test and its p-value. */
    static Map<String, Object> check(Gate.Check c) {
        return Output.object("name", c.name(), "verdict", c.verdict().name(), "threshold", c.threshold(), "canary", c.value().orElse(null),
                "canary_n", c.sampleSize(), "baseline", c.baselineValue().orElse(null), "baseline_n", c.baselineSampleSize(),
                "test", c.test(), "p_value", c.pValue().isPresent() ? c.pValue().getAsDouble() : null, "detail", c.detail());
    }

    /** --window through the core's parser: a malformed window is a usage error. */
    static final class Window implements Usage.Converter<MetricsWindow> {
        @Override
        public MetricsWindow parse(String text) {
            return MetricsWindow.parse(text);
        }
    }
}
