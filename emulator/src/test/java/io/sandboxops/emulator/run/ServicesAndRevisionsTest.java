package io.sandboxops.emulator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.longrunning.OperationFuture;
import com.google.api.gax.rpc.AbortedException;
import com.google.api.gax.rpc.AlreadyExistsException;
import com.google.api.gax.rpc.FailedPreconditionException;
import com.google.api.gax.rpc.InvalidArgumentException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.audit.AuditLog;
import com.google.cloud.logging.v2.LoggingClient;
import com.google.cloud.run.v2.Condition;
import com.google.cloud.run.v2.Container;
import com.google.cloud.run.v2.EnvVar;
import com.google.cloud.run.v2.Revision;
import com.google.cloud.run.v2.RevisionTemplate;
import com.google.cloud.run.v2.RevisionsClient;
import com.google.cloud.run.v2.Service;
import com.google.cloud.run.v2.ServicesClient;
import com.google.cloud.run.v2.TrafficTarget;
import com.google.cloud.run.v2.TrafficTargetAllocationType;
import com.google.cloud.run.v2.TrafficTargetStatus;
import com.google.cloud.run.v2.UpdateServiceRequest;
import com.google.protobuf.FieldMask;
import com.google.logging.v2.ListLogEntriesRequest;
import com.google.logging.v2.LogEntry;
import io.sandboxops.emulator.CloudClients;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Services, revisions and traffic through ServicesClient and RevisionsClient. */
class ServicesAndRevisionsTest {

    private static LocalCloud cloud;
    private static ServicesClient services;
    private static RevisionsClient revisions;
    private static LoggingClient logging;
    private static String parent;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start(LocalCloudConfig.newBuilder()
                .revisionReadyDelay(Duration.ofMillis(400))
                .principalEmail("oncall@example.com")
                .build());
        services = CloudClients.services(cloud.endpoints());
        revisions = CloudClients.revisions(cloud.endpoints());
        logging = CloudClients.logging(cloud.endpoints());
        parent = cloud.endpoints().locationName();
    }

    @AfterAll
    static void stop() {
        services.close();
        revisions.close();
        logging.close();
        cloud.close();
    }

    private static Service agentBackend(String rollout) {
        return Service.newBuilder().setTemplate(RevisionTemplate.newBuilder().addContainers(Container.newBuilder()
                .setImage("sandboxops/agent-backend:1")
                .addEnv(EnvVar.newBuilder().setName("USE_CLOUDRUN_JOBS_SANDBOX").setValue("true"))
                .addEnv(EnvVar.newBuilder().setName("CLOUDRUN_JOBS_ROLLOUT_PERCENTAGE").setValue(rollout)))).build();
    }

    private static Service withRollout(Service s, String rollout) {
        Service.Builder b = s.toBuilder();
        Container.Builder c = b.getTemplate().getContainers(0).toBuilder().clearEnv()
                .addEnv(EnvVar.newBuilder().setName("USE_CLOUDRUN_JOBS_SANDBOX").setValue("true"))
                .addEnv(EnvVar.newBuilder().setName("CLOUDRUN_JOBS_ROLLOUT_PERCENTAGE").setValue(rollout));
        b.setTemplate(b.getTemplate().toBuilder().setContainers(0, c));
        return b.build();
    }

    private static String shortName(String name) {
        return name.substring(name.lastIndexOf('/') + 1);
    }

    @Test
    void aNewServiceBecomesReadyWithAllTrafficOnItsFirstRevision() throws Exception {
        OperationFuture<Service, Service> op = services.createServiceAsync(parent, agentBackend("0"), "created");
        assertThat(services.getOperationsClient().getOperation(op.getName()).getDone())
                .as("not done before the revision is ready").isFalse();
        Service ready = op.get(30, TimeUnit.SECONDS);
        assertThat(ready.getLatestReadyRevision()).isEqualTo(ready.getLatestCreatedRevision()).isNotEmpty();
        assertThat(shortName(ready.getLatestCreatedRevision())).matches("created-00001-[a-z0-9]{3}");
        assertThat(ready.getTerminalCondition().getState()).isEqualTo(Condition.State.CONDITION_SUCCEEDED);
        assertThat(ready.getReconciling()).isFalse();
        assertThat(ready.getTrafficStatusesList()).singleElement().satisfies(t -> {
            assertThat(t.getType()).isEqualTo(TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST);
            assertThat(t.getPercent()).isEqualTo(100);
            assertThat(t.getRevision()).isEqualTo(shortName(ready.getLatestReadyRevision()));
        });
        Revision revision = revisions.getRevision(ready.getLatestCreatedRevision());
        assertThat(revision.getConditionsList()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getState()).isEqualTo(Condition.State.CONDITION_SUCCEEDED);
        });
        assertThat(services.getService(ready.getName())).isEqualTo(ready);
        assertThat(StreamSupport.stream(services.listServices(parent).iterateAll().spliterator(), false).map(Service::getName))
                .contains(ready.getName());
        assertThatThrownBy(() -> services.createServiceAsync(parent, agentBackend("0"), "created").get())
                .hasCauseInstanceOf(AlreadyExistsException.class);
    }

    @Test
    void aTemplateChangeMakesANewRevisionThatLatestTrafficFollows() throws Exception {
        Service v1 = services.createServiceAsync(parent, agentBackend("0"), "follows").get(30, TimeUnit.SECONDS);
        Service v2 = services.updateServiceAsync(withRollout(v1, "10")).get(30, TimeUnit.SECONDS);
        assertThat(v2.getGeneration()).isEqualTo(2);
        assertThat(v2.getLatestCreatedRevision()).isNotEqualTo(v1.getLatestCreatedRevision());
        assertThat(v2.getLatestReadyRevision()).isEqualTo(v2.getLatestCreatedRevision());
        assertThat(v2.getTrafficStatuses(0).getRevision()).isEqualTo(shortName(v2.getLatestCreatedRevision()));
        assertThat(v2.getLastModifier()).isEqualTo("oncall@example.com");

        // Labels on the service are not part of the template: no new revision.
        Service v3 = services.updateServiceAsync(v2.toBuilder().putLabels("team", "sandbox").build()).get(30, TimeUnit.SECONDS);
        assertThat(v3.getLatestCreatedRevision()).isEqualTo(v2.getLatestCreatedRevision());
        assertThat(v3.getGeneration()).isEqualTo(3);

        List<String> names = new ArrayList<>();
        revisions.listRevisions(v3.getName()).iterateAll().forEach(r -> names.add(r.getName()));
        assertThat(names).containsExactly(v2.getLatestCreatedRevision(), v1.getLatestCreatedRevision());
    }

    @Test
    void anUpdateOnAServicePinnedToAnOldRevisionLeavesTheNewOneAtZeroPercent() throws Exception {
        Service v1 = services.createServiceAsync(parent, agentBackend("25"), "pinned").get(30, TimeUnit.SECONDS);
        String r1 = shortName(v1.getLatestCreatedRevision());
        Service pinned = services.updateServiceAsync(v1.toBuilder().clearTraffic().addTraffic(TrafficTarget.newBuilder()
                .setType(TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION)
                .setRevision(r1).setPercent(100)).build()).get(30, TimeUnit.SECONDS);
        assertThat(pinned.getLatestCreatedRevision()).isEqualTo(v1.getLatestCreatedRevision());

        // A rollback as a controller would write it: read, change the env, write back (traffic kept).
        Service rolledBack = services.updateServiceAsync(withRollout(pinned, "0")).get(30, TimeUnit.SECONDS);
        String r2 = shortName(rolledBack.getLatestCreatedRevision());
        assertThat(r2).isNotEqualTo(r1);
        assertThat(rolledBack.getLatestReadyRevision()).endsWith(r2);
        assertThat(rolledBack.getTrafficStatusesList()).extracting(TrafficTargetStatus::getRevision, TrafficTargetStatus::getPercent)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(r1, 100));

        Service fixed = services.updateServiceAsync(rolledBack.toBuilder().clearTraffic().addTraffic(TrafficTarget.newBuilder()
                .setType(TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST).setPercent(100)).build())
                .get(30, TimeUnit.SECONDS);
        assertThat(fixed.getTrafficStatusesList()).extracting(TrafficTargetStatus::getRevision, TrafficTargetStatus::getPercent)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(r2, 100));
    }

    @Test
    void anUpdateMaskChangesOnlyTheNamedFields() throws Exception {
        Service v1 = services.createServiceAsync(parent, agentBackend("0"), "masked").get(30, TimeUnit.SECONDS);
        Service request = withRollout(v1, "99").toBuilder().putLabels("owner", "oncall").build();
        Service v2 = services.updateServiceAsync(UpdateServiceRequest.newBuilder()
                .setService(request)
                .setUpdateMask(FieldMask.newBuilder().addPaths("labels"))
                .build()).get(30, TimeUnit.SECONDS);
        assertThat(v2.getLabelsMap()).containsEntry("owner", "oncall");
        assertThat(v2.getLatestCreatedRevision()).isEqualTo(v1.getLatestCreatedRevision());
        assertThat(v2.getTemplate()).isEqualTo(v1.getTemplate());
        assertThatThrownBy(() -> services.updateServiceAsync(UpdateServiceRequest.newBuilder()
                .setService(v2).setUpdateMask(FieldMask.newBuilder().addPaths("no_such_field")).build()).get())
                .cause().isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(
                        e.getErrorDetails().getBadRequest().getFieldViolations(0).getField()).isEqualTo("update_mask"));
    }

    @Test
    void invalidTrafficStaleEtagsAndServingRevisionsAreRefused() throws Exception {
        Service v1 = services.createServiceAsync(parent, agentBackend("0"), "strict").get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> services.updateServiceAsync(v1.toBuilder().clearTraffic().addTraffic(TrafficTarget.newBuilder()
                .setType(TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST).setPercent(90)).build()).get())
                .cause().isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(
                        e.getErrorDetails().getBadRequest().getFieldViolations(0).getField()).isEqualTo("service.traffic"));
        assertThatThrownBy(() -> services.updateServiceAsync(v1.toBuilder().clearTraffic().addTraffic(TrafficTarget.newBuilder()
                .setType(TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION).setRevision("strict-nope")
                .setPercent(100)).build()).get())
                .cause().isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(
                        e.getErrorDetails().getBadRequest().getFieldViolations(0).getField()).isEqualTo("service.traffic[0].revision"));

        Service v2 = services.updateServiceAsync(withRollout(v1, "50")).get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> services.updateServiceAsync(withRollout(v1, "75")).get())
                .hasCauseInstanceOf(AbortedException.class);

        assertThatThrownBy(() -> revisions.deleteRevisionAsync(v2.getLatestCreatedRevision()).get())
                .hasCauseInstanceOf(FailedPreconditionException.class);
        revisions.deleteRevisionAsync(v1.getLatestCreatedRevision()).get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> revisions.getRevision(v1.getLatestCreatedRevision())).isInstanceOf(NotFoundException.class);

        services.deleteServiceAsync(v2.getName()).get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> services.getService(v2.getName())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> revisions.getRevision(v2.getLatestCreatedRevision())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void serviceUpdatesLeaveAuditEntries() throws Exception {
        Service v1 = services.createServiceAsync(parent, agentBackend("0"), "audited").get(30, TimeUnit.SECONDS);
        services.updateServiceAsync(withRollout(v1, "1")).get(30, TimeUnit.SECONDS);
        List<LogEntry> entries = new ArrayList<>();
        logging.listLogEntries(ListLogEntriesRequest.newBuilder()
                .addResourceNames("projects/" + cloud.endpoints().projectId())
                .setFilter("logName=\"projects/" + cloud.endpoints().projectId() + "/logs/cloudaudit.googleapis.com%2Factivity\" "
                        + "AND resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"audited\" "
                        + "AND protoPayload.methodName=\"google.cloud.run.v2.Services.UpdateService\"")
                .setOrderBy("timestamp desc")
                .build()).iterateAll().forEach(entries::add);
        assertThat(entries).hasSize(1);
        AuditLog audit = entries.get(0).getProtoPayload().unpack(AuditLog.class);
        assertThat(audit.getAuthenticationInfo().getPrincipalEmail()).isEqualTo("oncall@example.com");
        assertThat(audit.getServiceName()).isEqualTo("run.googleapis.com");
        // The v2 API's form, not the v1 (Knative) namespaces/{project}/services/{service}.
        assertThat(audit.getResourceName()).isEqualTo(parent + "/services/audited");
    }
}
