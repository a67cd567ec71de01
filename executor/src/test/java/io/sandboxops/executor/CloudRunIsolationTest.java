package io.sandboxops.executor;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.run.v2.Execution;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.cloudrun.CloudRunJobManager;
import io.sandboxops.core.cloudrun.SessionCredentials;
import io.sandboxops.core.cloudrun.StorageToken;
import io.sandboxops.core.state.RetryPolicy;
import io.sandboxops.core.state.SessionStateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link CloudRunIsolationContract} with the executor as local processes, each in its own namespaces as uid 1000. */
@RequiresPrivateNamespaces
class CloudRunIsolationTest extends CloudRunIsolationContract {
    @RegisterExtension
    static final ProcessRunnerCloud localCloud = new ProcessRunnerCloud();

    @Override
    LocalCloudHarness harness() {
        return localCloud.harness();
    }

    /**
     * A session worker whose token nears its end with no request bringing a fresh one leaves by itself, long before its
     * idle timeout, and the next command starts a new worker with a new token.
     */
    @Test
    void aWorkerWhoseTokenNearsItsEndLeavesCleanlyAndTheNextCommandGetsANewOne() throws Exception {
        String job = jobOfRunningWorker(a.id());
        Sandbox c = backend.create(SandboxSpec.newBuilder().build());
        try {
            SessionStateStore store = new SessionStateStore(localCloud.harness().clients.storage(), LocalCloudHarness.BUCKET, RetryPolicy.defaults());
            SessionCredentials credentials = new SessionCredentials(localCloud.harness().clients, store);
            Map<String, String> env = new HashMap<>(credentials.executionEnv(c.id()));
            env.put(StorageToken.ENV_EXPIRES, Instant.now().plus(Main.TOKEN_MARGIN).plusSeconds(5).toString());
            env.put("SESSION_ID", c.id());
            env.put("SANDBOX_MODE", "session");
            env.put("SANDBOX_IDLE_TIMEOUT", "10m");
            CloudRunJobManager jobs = backend.jobs();
            String execution = jobs.run(job, List.of(), env);

            Execution ended = jobs.awaitDone(execution, Duration.ofSeconds(90));
            assertThat(CloudRunJobManager.succeeded(ended)).as(localCloud.harness().executionLogs()).isTrue();
            assertThat(localCloud.harness().executionLogs()).contains(CloudRunJobManager.shortName(execution) + " ").contains("token-expiring");
            assertThat(store.read(SessionStateStore.workerObject(c.id()), Main.WorkerRecord.class)).as("it took its record away").isEmpty();

            assertThat(c.execStateful("echo again", "main", T).stdout()).isEqualTo("again\n");
        } finally {
            c.destroy();
        }
    }

    private String jobOfRunningWorker(String sandboxId) {
        for (com.google.cloud.run.v2.Job j : localCloud.harness().clients.jobs().listJobs(localCloud.harness().cloud.endpoints().locationName()).iterateAll()) {
            for (Execution e : localCloud.harness().clients.executions().listExecutions(j.getName()).iterateAll()) {
                if (e.getTemplate().getContainersList().stream().flatMap(k -> k.getEnvList().stream())
                        .anyMatch(v -> v.getName().equals("SESSION_ID") && v.getValue().equals(sandboxId))) {
                    return j.getName();
                }
            }
        }
        throw new AssertionError("no execution of sandbox " + sandboxId);
    }
}
