package io.sandboxops.core.rollout;

import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.observe.LogsService;
import io.sandboxops.core.observe.MetricTargets;
import io.sandboxops.core.observe.MetricsService;
import io.sandboxops.core.observe.PriceTable;
import java.time.Clock;

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

    @Override
    public void close() {
        clients.close();
    }
}
