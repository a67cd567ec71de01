package io.sandboxops.emulator.run;

import io.grpc.BindableService;
import io.sandboxops.emulator.faults.FaultInjector;
import io.sandboxops.emulator.logging.LogStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The emulated Cloud Run Admin API v2: Jobs, Executions, Tasks, Services, Revisions and the long-running
 * Operations, served on the
 * gRPC server the caller owns.
 */
public final class CloudRun implements AutoCloseable {

    private final OperationStore operations = new OperationStore();
    private final ExecutionRunner runner;
    private final JobRegistry jobs;
    private final ServiceRegistry services;

    /**
     * @param runner      runs the tasks of executions; closed with this
     * @param platformEnv variables every task gets besides Cloud Run's own (the emulator endpoints)
     * @param principal   the identity written as creator, last modifier and in audit entries
     * @param revisionReadyDelay how long a new service revision takes to become ready
     */
    public CloudRun(ExecutionRunner runner, LogStore logs, FaultInjector faults, Map<String, String> platformEnv,
                    String principal, Duration revisionReadyDelay) {
        this.runner = runner;
        this.jobs = new JobRegistry(operations, new ExecutionEngine(runner, logs, faults, platformEnv), principal);
        this.services = new ServiceRegistry(operations, logs, principal, revisionReadyDelay);
    }

    public List<BindableService> services() {
        return List.of(new JobsApi(jobs), new ExecutionsApi(jobs), new TasksApi(jobs), new ServicesApi(services), new RevisionsApi(services),
                new OperationsApi(operations));
    }

    /** What the executions did, for Cloud Monitoring. */
    public ExecutionHistory history() {
        return jobs;
    }

    @Override
    public void close() {
        jobs.close();
        services.close();
        runner.close();
    }
}
