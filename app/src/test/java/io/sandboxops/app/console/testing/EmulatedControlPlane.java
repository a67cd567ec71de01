package io.sandboxops.app.console.testing;

import com.google.cloud.run.v2.Container;
import com.google.cloud.run.v2.EnvVar;
import com.google.cloud.run.v2.Execution;
import com.google.cloud.run.v2.ExecutionTemplate;
import com.google.cloud.run.v2.Job;
import com.google.cloud.run.v2.RunJobRequest;
import com.google.cloud.run.v2.TaskTemplate;
import io.sandboxops.app.console.environment.ConsoleEnvironment;
import io.sandboxops.app.console.environment.ServiceStatus;
import io.sandboxops.app.console.environment.Workspace;
import io.sandboxops.app.env.LocalCloudSeeder;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.observe.CloudLoggingEventSink;
import io.sandboxops.core.observe.SandboxEvent;
import io.sandboxops.core.preflight.PreflightCheck;
import io.sandboxops.core.preflight.PreflightRecords;
import io.sandboxops.core.preflight.PreflightReport;
import io.sandboxops.core.rollout.ControlPlane;
import io.sandboxops.core.rollout.RolloutAuditLog;
import io.sandboxops.core.rollout.RolloutController;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real control plane over an embedded emulator, seeded as the console seeds {@code local}: the agent backend's
 * service with the rollout off. Its audit log is a file of the test's, never the user's.
 */
public final class EmulatedControlPlane implements AutoCloseable {
    public final LocalCloud cloud;
    public final Environment environment;
    public final CloudTarget target;
    public final RolloutAuditLog audit;
    public final ControlPlane plane;

    public EmulatedControlPlane(Path auditFile) {
        this(auditFile, Environment.local());
    }

    /** @param environment e.g. a production variant of local, to check what production asks for */
    public EmulatedControlPlane(Path auditFile, Environment environment) {
        this(auditFile, environment, Duration.ofMillis(200));
    }

    /** @param revisionReadyDelay how long a new revision takes to become ready: long, to catch a change half-way */
    public EmulatedControlPlane(Path auditFile, Environment environment, Duration revisionReadyDelay) {
        cloud = LocalCloud.start(LocalCloudConfig.newBuilder().revisionReadyDelay(revisionReadyDelay).build());
        this.environment = environment;
        target = environment.localTarget(cloud.endpoints().grpcTarget(), cloud.endpoints().storageHost(), cloud.endpoints().accessToken());
        try (GoogleClients clients = new GoogleClients(target)) {
            LocalCloudSeeder.seed(clients, environment);
        }
        audit = new RolloutAuditLog(auditFile);
        plane = new ControlPlane(environment, target, audit, RolloutController.Options.defaults());
    }

    /**
     * Records a preflight of the environment, as {@code env check} would; the rollout changes that send traffic to
     * Cloud Run need a passed, fresh one. EnvironmentCheckViewModelTest runs the real check.
     */
    public void recordPreflight(Instant time, PreflightCheck.Outcome outcome) {
        try (GoogleClients clients = new GoogleClients(target)) {
            new PreflightRecords(environment, clients).save(new PreflightReport(environment.name(), time, "EmulatedControlPlane",
                    List.of(new PreflightCheck("the bucket's IAM binding", outcome, "", "", Duration.ZERO))));
        }
    }

    /** A passed preflight, just now: what a change in a test of the change itself starts from. */
    public void recordPassedPreflight() {
        recordPreflight(Instant.now(), PreflightCheck.Outcome.PASS);
    }

    /** Creates a job whose container runs {@code sh -c "$SCRIPT"}; the emulator runs it as a local process. */
    public Job shellJob(String name) {
        try (GoogleClients clients = new GoogleClients(target)) {
            return clients.jobs().createJobAsync(target.locationName(), Job.newBuilder().setTemplate(ExecutionTemplate.newBuilder()
                    .setTemplate(TaskTemplate.newBuilder().setMaxRetries(0).addContainers(Container.newBuilder()
                            .setImage("sandboxops/sandbox:latest").addCommand("sh").addArgs("-c").addArgs("eval \"$SCRIPT\"")))).build(),
                    name).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not create the job " + name, e);
        }
    }

    /** Runs one execution of {@code job} with {@code script} and waits until it has finished. */
    public Execution run(Job job, String script) {
        try (GoogleClients clients = new GoogleClients(target)) {
            return clients.jobs().runJobAsync(RunJobRequest.newBuilder().setName(job.getName())
                    .setOverrides(RunJobRequest.Overrides.newBuilder().addContainerOverrides(RunJobRequest.Overrides.ContainerOverride
                            .newBuilder().addEnv(EnvVar.newBuilder().setName("SCRIPT").setValue(script)))).build()).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not run " + script, e);
        }
    }

    /**
     * What the client library writes for Cloud Run {@code exec}s that took these many milliseconds (the last one
     * {@code unavailable} when {@code lastFailed}), through the real sink: the source of latency and error rate.
     */
    public void clientExecs(boolean lastFailed, double... millis) {
        clientExecs("cloudrun", lastFailed, millis);
    }

    /** The same for the backend named {@code backend}: {@code docker} (the baseline) or {@code cloudrun} (the canary). */
    public void clientExecs(String backend, boolean lastFailed, double... millis) {
        try (CloudLoggingEventSink sink = new CloudLoggingEventSink(target)) {
            for (int i = 0; i < millis.length; i++) {
                SandboxEvent.Outcome outcome = lastFailed && i == millis.length - 1 ? SandboxEvent.Outcome.UNAVAILABLE : SandboxEvent.Outcome.OK;
                sink.record(new SandboxEvent(java.time.Instant.now(), backend, backend.equals("docker") ? "container" : "session", "exec", outcome, millis[i],
                        SandboxEvent.sessionKey("sbx-console-test"), java.util.OptionalInt.of(0), java.util.OptionalLong.empty()));
            }
        }
    }

    /** A workspace of {@code console} whose control plane is this one, and no sandbox backends. */
    public Workspace workspace(ConsoleEnvironment console) {
        return new Workspace() {
            @Override
            public ConsoleEnvironment environment() {
                return console;
            }

            @Override
            public Map<String, SandboxBackend> backends() {
                return Map.of();
            }

            @Override
            public List<ServiceStatus> statuses() {
                return List.of(new ServiceStatus("Cloud Run", ServiceStatus.Health.UP, "emulated"));
            }

            @Override
            public Optional<ControlPlane> controlPlane() {
                return Optional.of(plane);
            }

            @Override
            public void close() {
                // the test closes the emulator itself, after the view models are done with it
            }
        };
    }

    public Workspace workspace() {
        return workspace(ConsoleEnvironment.of(environment));
    }

    @Override
    public void close() {
        plane.close();
        cloud.close();
    }
}
