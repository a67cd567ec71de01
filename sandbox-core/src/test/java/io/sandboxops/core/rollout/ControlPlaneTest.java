package io.sandboxops.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.observe.MetricsWindow;
import io.sandboxops.emulator.LocalCloud;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlPlaneTest {

    @TempDir
    Path home;

    @Test
    void theLocalEnvironmentDrivesTheEmulatorsService() throws Exception {
        Environment local = Environment.local();
        try (LocalCloud cloud = LocalCloud.start();
             GoogleClients setup = new GoogleClients(local.localTarget(cloud.endpoints().grpcTarget(), cloud.endpoints().storageHost(), cloud.endpoints().accessToken()))) {
            RolloutControllerTest.createWith(setup, cloud, local.service(), RolloutControllerTest.agentBackend("true", "10"));
            try (ControlPlane plane = new ControlPlane(local, local.localTarget(cloud.endpoints().grpcTarget(), cloud.endpoints().storageHost(), cloud.endpoints().accessToken()),
                    new RolloutAuditLog(home.resolve("audit.jsonl")), RolloutController.Options.defaults())) {
                assertThat(plane.rollout().status().template()).isEqualTo(new EnvValues("true", "10"));
                assertThat(plane.rollout().serviceName()).endsWith("/services/manus-backend");
                assertThat(plane.rollout().rollback("drill", "alice", RolloutProgress.NONE).verified()).isTrue();
                assertThat(plane.planner(RolloutPlan.originalPlan()).review("alice", RolloutProgress.NONE).action())
                        .isEqualTo(PlanReview.Action.START);
                assertThat(plane.metrics().snapshot(MetricsWindow.HOUR).completed()).isZero();
            }
        }
    }
}
