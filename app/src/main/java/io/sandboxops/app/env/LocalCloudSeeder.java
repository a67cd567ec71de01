package io.sandboxops.app.env;

import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.run.v2.Container;
import com.google.cloud.run.v2.EnvVar;
import com.google.cloud.run.v2.RevisionTemplate;
import com.google.cloud.run.v2.Service;
import com.google.cloud.run.v2.ServiceName;
import io.sandboxops.core.preflight.EnvironmentSetup;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import java.util.concurrent.ExecutionException;

/**
 * Gives a fresh local cloud what a GCP project of the product has: what {@code deploy/} describes ({@link EnvironmentSetup}:
 * the session state bucket with its lifecycle rules and IAM binding, the log-based metrics, the alert policies, the dashboard) and the agent
 * backend's Cloud Run service with the rollout variables off, so a rollout and a rollback can be rehearsed and the
 * seeded environment passes {@code sandboxctl env check}.
 * Idempotent: what exists is left as it is.
 */
public final class LocalCloudSeeder {
    private LocalCloudSeeder() {
    }

    public static void seed(GoogleClients clients, Environment environment) {
        new EnvironmentSetup(environment, clients).apply(done -> done.failure().ifPresent(f -> {
            throw new SandboxUnavailableException("could not seed the local cloud: " + done.describe());
        }));
        ServiceName name = ServiceName.of(environment.projectId(), environment.region(), environment.service());
        try {
            clients.services().getService(name);
            return;
        } catch (NotFoundException e) {
            // first start: create it below
        }
        Service service = Service.newBuilder()
                .setTemplate(RevisionTemplate.newBuilder().addContainers(Container.newBuilder()
                        .setImage("sandboxops/agent-backend:local")
                        .addEnv(EnvVar.newBuilder().setName("USE_CLOUDRUN_JOBS_SANDBOX").setValue("false"))
                        .addEnv(EnvVar.newBuilder().setName("CLOUDRUN_JOBS_ROLLOUT_PERCENTAGE").setValue("0"))
                        .addEnv(EnvVar.newBuilder().setName("SANDBOX_STATE_BUCKET").setValue(environment.bucket()))))
                .build();
        try {
            clients.services().createServiceAsync(clients.target().locationName(), service, environment.service()).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxUnavailableException("interrupted while creating the local service " + environment.service(), e);
        } catch (ExecutionException e) {
            throw new SandboxUnavailableException("could not create the local service " + environment.service() + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }
}
