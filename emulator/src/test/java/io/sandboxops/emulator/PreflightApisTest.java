package io.sandboxops.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.rpc.AbortedException;
import com.google.api.gax.rpc.AlreadyExistsException;
import com.google.api.gax.rpc.InvalidArgumentException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.Identity;
import com.google.cloud.Policy;
import com.google.cloud.Role;
import com.google.cloud.logging.v2.MetricsClient;
import com.google.cloud.logging.v2.MetricsSettings;
import com.google.cloud.monitoring.dashboard.v1.DashboardsServiceClient;
import com.google.cloud.monitoring.dashboard.v1.DashboardsServiceSettings;
import com.google.cloud.monitoring.v3.AlertPolicyServiceClient;
import com.google.cloud.monitoring.v3.AlertPolicyServiceSettings;
import com.google.cloud.run.v2.Container;
import com.google.cloud.run.v2.JobsClient;
import com.google.cloud.run.v2.RevisionTemplate;
import com.google.cloud.run.v2.Service;
import com.google.cloud.run.v2.ServicesClient;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.BucketInfo.LifecycleRule;
import com.google.cloud.storage.Storage;
import com.google.iam.v1.TestIamPermissionsRequest;
import com.google.logging.v2.LogMetric;
import com.google.logging.v2.LogMetricName;
import com.google.monitoring.dashboard.v1.Dashboard;
import com.google.monitoring.dashboard.v1.MosaicLayout;
import com.google.monitoring.v3.AlertPolicy;
import com.google.monitoring.v3.ProjectName;
import io.sandboxops.emulator.run.JobFixtures;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a preflight and {@code env apply} call, through the official Java clients: bucket lifecycle and IAM
 * (get/set policy, testPermissions), Cloud Run TestIamPermissions, log metrics, alert policies and dashboards.
 */
class PreflightApisTest {
    private static LocalCloud cloud;
    private static Storage storage;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start();
        storage = CloudClients.storage(cloud.endpoints());
    }

    @AfterAll
    static void stop() throws Exception {
        storage.close();
        cloud.close();
    }

    @Test
    void aBucketKeepsItsLifecycleAndItsPolicyDecidesTestPermissions() {
        LifecycleRule delete = new LifecycleRule(LifecycleRule.LifecycleAction.newDeleteAction(),
                LifecycleRule.LifecycleCondition.newBuilder().setAge(14).build());
        storage.create(BucketInfo.newBuilder("preflight-b").setLifecycleRules(List.of(delete)).build());
        assertThat(storage.get("preflight-b").getLifecycleRules()).singleElement()
                .satisfies(r -> assertThat(r.getCondition().getAge()).isEqualTo(14));
        List<String> wanted = List.of("storage.objects.get", "storage.objects.create");
        assertThat(storage.testIamPermissions("preflight-b", wanted)).containsExactly(true, true);

        Policy policy = storage.getIamPolicy("preflight-b");
        Policy without = policy.toBuilder().removeRole(Role.of("storage.objectAdmin")).build();
        storage.setIamPolicy("preflight-b", without);
        assertThat(storage.testIamPermissions("preflight-b", wanted)).containsExactly(false, true);

        Identity backend = Identity.serviceAccount("sandbox-backend@local-project.iam.gserviceaccount.com");
        storage.setIamPolicy("preflight-b", storage.getIamPolicy("preflight-b").toBuilder().addIdentity(Role.of("storage.objectAdmin"), backend).build());
        assertThat(storage.getIamPolicy("preflight-b").getBindings().get(Role.of("storage.objectAdmin"))).containsExactly(backend);
        assertThat(storage.testIamPermissions("preflight-b", wanted)).containsExactly(true, true);
    }

    @Test
    void cloudRunAnswersTestIamPermissionsOnJobsAndServicesThatExist() throws Exception {
        LocalCloudEndpoints e = cloud.endpoints();
        String parent = "projects/" + e.projectId() + "/locations/" + e.location();
        try (JobsClient jobs = CloudClients.jobs(e); ServicesClient services = CloudClients.services(e)) {
            String job = jobs.createJobAsync(parent, JobFixtures.shellJob("true", 0), "preflight-job").get().getName();
            String service = services.createServiceAsync(parent, Service.newBuilder().setTemplate(RevisionTemplate.newBuilder()
                    .addContainers(Container.newBuilder().setImage("agent:1"))).build(), "preflight-svc").get().getName();
            assertThat(jobs.testIamPermissions(TestIamPermissionsRequest.newBuilder().setResource(job)
                    .addPermissions("run.jobs.run").addPermissions("storage.objects.get").build()).getPermissionsList())
                    .containsExactly("run.jobs.run");
            assertThat(services.testIamPermissions(TestIamPermissionsRequest.newBuilder().setResource(service)
                    .addPermissions("run.services.update").build()).getPermissionsList()).containsExactly("run.services.update");
            assertThatThrownBy(() -> services.testIamPermissions(TestIamPermissionsRequest.newBuilder()
                    .setResource(parent + "/services/none").addPermissions("run.services.get").build())).isInstanceOf(NotFoundException.class);
        }
    }

    @Test
    void logMetricsAndAlertPoliciesAreCreatedListedAndDeleted() throws Exception {
        LocalCloudEndpoints e = cloud.endpoints();
        MetricsSettings.Builder m = MetricsSettings.newBuilder().setCredentialsProvider(CloudClients.credentials(e))
                .setTransportChannelProvider(CloudClients.channel(e));
        AlertPolicyServiceSettings.Builder a = AlertPolicyServiceSettings.newBuilder().setCredentialsProvider(CloudClients.credentials(e))
                .setTransportChannelProvider(CloudClients.channel(e));
        try (MetricsClient metrics = MetricsClient.create(m.build()); AlertPolicyServiceClient alerts = AlertPolicyServiceClient.create(a.build())) {
            LogMetric metric = LogMetric.newBuilder().setName("op_latency").setFilter("logName:\"x\"").build();
            metrics.createLogMetric(com.google.logging.v2.ProjectName.of(e.projectId()), metric);
            assertThat(metrics.getLogMetric(LogMetricName.of(e.projectId(), "op_latency")).getFilter()).isEqualTo("logName:\"x\"");
            assertThat(metrics.listLogMetrics(com.google.logging.v2.ProjectName.of(e.projectId())).iterateAll()).hasSize(1);
            metrics.deleteLogMetric(LogMetricName.of(e.projectId(), "op_latency"));
            assertThatThrownBy(() -> metrics.getLogMetric(LogMetricName.of(e.projectId(), "op_latency"))).isInstanceOf(NotFoundException.class);

            AlertPolicy created = alerts.createAlertPolicy(ProjectName.of(e.projectId()), AlertPolicy.newBuilder().setDisplayName("p99").build());
            assertThat(created.getName()).startsWith("projects/" + e.projectId() + "/alertPolicies/");
            assertThat(alerts.listAlertPolicies(ProjectName.of(e.projectId())).iterateAll()).extracting(AlertPolicy::getDisplayName)
                    .containsExactly("p99");
            alerts.deleteAlertPolicy(created.getName());
            assertThat(alerts.listAlertPolicies(ProjectName.of(e.projectId())).iterateAll()).isEmpty();
        }
    }

    @Test
    void dashboardsAreCreatedListedReadUpdatedWithTheirEtagAndDeleted() throws Exception {
        LocalCloudEndpoints e = cloud.endpoints();
        DashboardsServiceSettings.Builder b = DashboardsServiceSettings.newBuilder().setCredentialsProvider(CloudClients.credentials(e))
                .setTransportChannelProvider(CloudClients.channel(e));
        String parent = "projects/" + e.projectId();
        try (DashboardsServiceClient dashboards = DashboardsServiceClient.create(b.build())) {
            Dashboard created = dashboards.createDashboard(com.google.monitoring.dashboard.v1.CreateDashboardRequest.newBuilder()
                    .setParent(parent).setDashboard(Dashboard.newBuilder().setDisplayName("sandbox")
                            .setMosaicLayout(MosaicLayout.newBuilder().setColumns(12))).build());
            assertThat(created.getName()).startsWith(parent + "/dashboards/");
            assertThat(created.getEtag()).isNotEmpty();
            assertThat(dashboards.getDashboard(created.getName()).getMosaicLayout().getColumns()).isEqualTo(12);
            assertThat(dashboards.listDashboards(parent).iterateAll()).extracting(Dashboard::getDisplayName).containsExactly("sandbox");
            assertThat(dashboards.listDashboards("projects/other-project").iterateAll()).isEmpty();

            Dashboard renamed = dashboards.updateDashboard(com.google.monitoring.dashboard.v1.UpdateDashboardRequest.newBuilder()
                    .setDashboard(created.toBuilder().setDisplayName("sandbox ops")).build());
            assertThat(renamed.getEtag()).isNotEqualTo(created.getEtag());
            assertThat(dashboards.getDashboard(created.getName()).getDisplayName()).isEqualTo("sandbox ops");
            assertThatThrownBy(() -> dashboards.updateDashboard(com.google.monitoring.dashboard.v1.UpdateDashboardRequest.newBuilder()
                    .setDashboard(created.toBuilder().setDisplayName("stale")).build()))
                    .as("an update from a stale read").isInstanceOf(AbortedException.class);

            Dashboard named = Dashboard.newBuilder().setName(parent + "/dashboards/ops").setDisplayName("ops").build();
            dashboards.createDashboard(com.google.monitoring.dashboard.v1.CreateDashboardRequest.newBuilder().setParent(parent).setDashboard(named).build());
            assertThatThrownBy(() -> dashboards.createDashboard(com.google.monitoring.dashboard.v1.CreateDashboardRequest.newBuilder()
                    .setParent(parent).setDashboard(named).build())).isInstanceOf(AlreadyExistsException.class);
            assertThatThrownBy(() -> dashboards.createDashboard(com.google.monitoring.dashboard.v1.CreateDashboardRequest.newBuilder()
                    .setParent(parent).setDashboard(Dashboard.getDefaultInstance()).build())).isInstanceOf(InvalidArgumentException.class);

            dashboards.deleteDashboard(created.getName());
            dashboards.deleteDashboard(parent + "/dashboards/ops");
            assertThat(dashboards.listDashboards(parent).iterateAll()).isEmpty();
            assertThatThrownBy(() -> dashboards.getDashboard(created.getName())).isInstanceOf(NotFoundException.class);
        }
    }
}
