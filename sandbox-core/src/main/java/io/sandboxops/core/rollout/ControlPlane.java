package io.sandboxops.core.rollout;

import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.observe.LogsService;
import io.sandboxops.core.observe.MetricTargets;
import io.sandboxops.core.observe.MetricsService;
import io.sandboxops.core.observe.PriceTable;
import io.sandboxops.core.preflight.PreflightGate;
import io.sandboxops.core.preflight.PreflightRecords;
import io.sandboxops.core.preflight.PreflightReport;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Everything an on-call engineer drives for one environment, over one set of Google clients: the rollout
 * controller, the plan, metrics and logs. What {@code sandboxctl rollout|metrics|logs} and the console open.
 */
public final class ControlPlane implements AutoCloseable {
    private final Environment environment;
    private final GoogleClients clients;
    private final RolloutController controller;
    private final MetricsService metrics;
    private final LogsService logs;

    /**
     * @param target where the APIs are: {@link Environment#googleTarget()}, or for {@code local}
     *               {@link Environment#localTarget} with the emulator's endpoints
     * @param audit  the local audit log, usually {@link RolloutAuditLog#inUserHome()}
     */
    public ControlPlane(Environment environment, CloudTarget target, RolloutAuditLog audit, RolloutController.Options options) {
        this.environment = environment;
        this.clients = new GoogleClients(target);
        this.controller = new RolloutController(clients, environment.name(), environment.service(), audit, options);
        this.metrics = new MetricsService(clients, environment.jobNamePrefix(), PriceTable.cloudRunJobsTier1(), MetricTargets.originalPlan());
        this.logs = new LogsService(clients);
    }

    public Environment environment() {
        return environment;
    }

    public RolloutController rollout() {
        return controller;
    }

    public MetricsService metrics() {
        return metrics;
    }

    public LogsService logs() {
        return logs;
    }

    /** The plan runner over this environment's controller and metrics. */
    public RolloutPlanner planner(RolloutPlan plan) {
        return new RolloutPlanner(controller, metrics, plan, Clock.systemUTC());
    }

    /** The environment's last recorded preflight ({@code env check}), if any. */
    public Optional<PreflightReport> lastPreflight() {
        return new PreflightRecords(environment, clients).last();
    }

    /** What stands in the way of a change that sends traffic to Cloud Run: {@link PreflightGate#problem}; empty when nothing does. */
    public Optional<String> preflightProblem(PreflightGate gate) {
        return gate.problem(environment.name(), lastPreflight(), Instant.now());
    }

    /**
     * The preflight gate before a change that sends traffic to Cloud Run ({@code set}, {@code enable}, a plan's advance,
     * the console's Apply); never before a rollback. Without a skip, the last preflight must have passed and be fresh;
     * a skip needs a reason and is recorded as a {@code preflight-skipped} entry in the audit log before the change.
     *
     * @param skipReason present when the person chose to skip the preflight, with why
     * @param how        how the skip was asked for, for the audit entry (e.g. {@code --skip-preflight})
     * @throws io.sandboxops.core.api.SandboxInvalidInputException when refused, saying why and what to run
     */
    public void requirePreflight(PreflightGate gate, String actor, Optional<String> skipReason, String how) {
        if (skipReason.isPresent()) {
            PreflightGate.requireSkipReason(skipReason.get());
            controller.recordPreflightSkipped(actor, skipReason.get().strip(), "the preflight gate was skipped (" + how + ")");
            return;
        }
        gate.require(environment.name(), lastPreflight(), Instant.now());
    }

    @Override
    public void close() {
        clients.close();
    }
}
