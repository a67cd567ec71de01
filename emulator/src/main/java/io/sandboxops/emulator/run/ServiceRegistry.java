package io.sandboxops.emulator.run;

import com.google.api.LaunchStage;
import com.google.api.MonitoredResource;
import com.google.cloud.audit.AuditLog;
import com.google.cloud.audit.AuthenticationInfo;
import com.google.cloud.run.v2.Condition;
import com.google.cloud.run.v2.Container;
import com.google.cloud.run.v2.Revision;
import com.google.cloud.run.v2.RevisionTemplate;
import com.google.cloud.run.v2.Service;
import com.google.cloud.run.v2.TrafficTarget;
import com.google.cloud.run.v2.TrafficTargetAllocationType;
import com.google.cloud.run.v2.TrafficTargetStatus;
import com.google.logging.type.LogSeverity;
import com.google.logging.v2.LogEntry;
import com.google.longrunning.Operation;
import com.google.protobuf.Any;
import com.google.protobuf.FieldMask;
import com.google.protobuf.util.FieldMaskUtil;
import io.sandboxops.emulator.ApiError;
import io.sandboxops.emulator.logging.LogStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Services and their revisions, as Cloud Run keeps them: every change to the template makes a new
 * revision, which becomes ready after a configurable delay; traffic follows the latest ready revision
 * unless it is pinned to named revisions, and an update whose traffic is empty sends 100 % to the latest
 * ready revision. Create, Update and Delete leave Cloud Audit Log entries.
 */
final class ServiceRegistry {

    private final Map<String, Service> services = new LinkedHashMap<>();
    private final Map<String, Revision> revisions = new LinkedHashMap<>();
    private final OperationStore operations;
    private final LogStore logs;
    private final String principal;
    private final Duration readyDelay;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cloud-run-revisions");
        t.setDaemon(true);
        return t;
    });

    ServiceRegistry(OperationStore operations, LogStore logs, String principal, Duration readyDelay) {
        this.operations = operations;
        this.logs = logs;
        this.principal = principal;
        this.readyDelay = readyDelay;
    }

    synchronized Operation create(String parent, String serviceId, Service service, boolean validateOnly) {
        ResourceNames.location(parent, "parent");
        ResourceNames.checkId(serviceId, "service_id");
        if (!service.getName().isEmpty()) {
            throw ApiError.invalidArgument("service.name", "must be empty on create; the name comes from parent and service_id");
        }
        String name = parent + "/services/" + serviceId;
        if (services.containsKey(name)) {
            throw ApiError.alreadyExists("Resource '" + serviceId + "' already exists.");
        }
        validateTemplate(service.getTemplate());
        Instant now = Instant.now();
        Service.Builder b = service.toBuilder()
                .setName(name)
                .setUid(UUID.randomUUID().toString())
                .setGeneration(1)
                .setCreateTime(Conditions.ts(now))
                .setUpdateTime(Conditions.ts(now))
                .setCreator(principal)
                .setLastModifier(principal)
                .setLaunchStage(service.getLaunchStage() == LaunchStage.LAUNCH_STAGE_UNSPECIFIED ? LaunchStage.GA : service.getLaunchStage())
                .setUri("https://" + serviceId + "-" + ResourceNames.projectOf(name) + ".local.run.app");
        return change(b, null, validateOnly, "google.cloud.run.v2.Services.CreateService");
    }

    synchronized Service get(String name) {
        ResourceNames.child(name, "services", "name");
        Service s = services.get(name);
        if (s == null) {
            throw ApiError.notFound("Resource '" + ResourceNames.lastSegment(name) + "' of kind 'SERVICE' in region '"
                    + ResourceNames.locationOf(name) + "' in project '" + ResourceNames.projectOf(name) + "' does not exist.");
        }
        return s;
    }

    synchronized List<Service> list(String parent) {
        ResourceNames.location(parent, "parent");
        return services.values().stream().filter(s -> s.getName().startsWith(parent + "/services/")).toList();
    }

    /** With an {@code update_mask}, only the named fields change; without one the service is replaced. */
    synchronized Operation update(Service requested, FieldMask updateMask, boolean allowMissing, boolean validateOnly) {
        String name = ResourceNames.child(requested.getName(), "services", "service.name");
        Service current = services.get(name);
        if (current == null) {
            if (!allowMissing) {
                get(name);
            }
            return create(ResourceNames.parentOf(name), ResourceNames.lastSegment(name),
                    requested.toBuilder().clearName().clearEtag().build(), validateOnly);
        }
        JobRegistry.checkEtag(requested.getEtag(), current.getEtag(), "service.etag");
        Service service = requested;
        if (updateMask != null && updateMask.getPathsCount() > 0) {
            if (!FieldMaskUtil.isValid(Service.class, updateMask)) {
                throw ApiError.invalidArgument("update_mask", "names a field Service does not have: " + updateMask.getPathsList());
            }
            Service.Builder merged = current.toBuilder();
            FieldMaskUtil.merge(updateMask, requested, merged, new FieldMaskUtil.MergeOptions()
                    .setReplaceRepeatedFields(true).setReplaceMessageFields(true));
            service = merged.build();
        }
        validateTemplate(service.getTemplate());
        Service.Builder b = service.toBuilder()
                .setUid(current.getUid())
                .setGeneration(current.getGeneration() + 1)
                .setCreateTime(current.getCreateTime())
                .setUpdateTime(Conditions.ts(Instant.now()))
                .setCreator(current.getCreator())
                .setLastModifier(principal)
                .setLaunchStage(service.getLaunchStage() == LaunchStage.LAUNCH_STAGE_UNSPECIFIED ? current.getLaunchStage() : service.getLaunchStage())
                .setUri(current.getUri());
        return change(b, current, validateOnly, "google.cloud.run.v2.Services.UpdateService");
    }

    synchronized Operation delete(String name, String etag, boolean validateOnly) {
        Service current = get(name);
        JobRegistry.checkEtag(etag, current.getEtag(), "etag");
        Service deleted = current.toBuilder().setDeleteTime(Conditions.ts(Instant.now())).build();
        if (!validateOnly) {
            services.remove(name);
            revisions.keySet().removeIf(r -> r.startsWith(name + "/revisions/"));
            audit("google.cloud.run.v2.Services.DeleteService", deleted, "");
        }
        return operations.startDone(ResourceNames.parentOf(name), deleted, deleted);
    }

    synchronized Revision getRevision(String name) {
        ResourceNames.grandchild(name, "revisions", "name");
        Revision r = revisions.get(name);
        if (r == null) {
            throw ApiError.notFound("Resource '" + ResourceNames.lastSegment(name) + "' of kind 'REVISION' in region '"
                    + ResourceNames.locationOf(name) + "' in project '" + ResourceNames.projectOf(name) + "' does not exist.");
        }
        return r;
    }

    synchronized List<Revision> listRevisions(String parent) {
        String prefix;
        if (parent.endsWith("/services/-")) {
            prefix = ResourceNames.location(parent.substring(0, parent.length() - "/services/-".length()), "parent") + "/services/";
        } else {
            prefix = get(ResourceNames.child(parent, "services", "parent")).getName() + "/revisions/";
        }
        List<Revision> out = new ArrayList<>(revisions.values().stream().filter(r -> r.getName().startsWith(prefix)).toList());
        out.sort(Comparator.comparing((Revision r) -> Conditions.instant(r.getCreateTime())).reversed());
        return out;
    }

    synchronized Operation deleteRevision(String name, String etag, boolean validateOnly) {
        Revision r = getRevision(name);
        JobRegistry.checkEtag(etag, r.getEtag(), "etag");
        Service service = services.get(serviceNameOf(name));
        String shortName = ResourceNames.lastSegment(name);
        if (service != null) {
            boolean serving = service.getTrafficStatusesList().stream()
                    .anyMatch(t -> t.getRevision().equals(shortName) && t.getPercent() > 0);
            boolean pinned = service.getTrafficList().stream().anyMatch(t -> t.getRevision().equals(shortName));
            if (serving || pinned || service.getLatestCreatedRevision().equals(name)) {
                throw ApiError.failedPrecondition("Revision " + shortName
                        + " is referenced by the traffic configuration or is the latest revision of its service, and cannot be deleted.");
            }
        }
        Revision deleted = r.toBuilder().setDeleteTime(Conditions.ts(Instant.now())).build();
        if (!validateOnly) {
            revisions.remove(name);
        }
        return operations.startDone(ResourceNames.parentOf(name), deleted, deleted);
    }

    void close() {
        timer.shutdownNow();
    }

    // ---- the heart: a change to a service

    private Operation change(Service.Builder b, Service current, boolean validateOnly, String method) {
        String name = b.getName();
        String serviceId = ResourceNames.lastSegment(name);
        List<TrafficTarget> traffic = b.getTrafficList().isEmpty()
                ? List.of(TrafficTarget.newBuilder().setType(TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST).setPercent(100).build())
                : b.getTrafficList();
        boolean newRevision = current == null || !normalized(current.getTemplate()).equals(normalized(b.getTemplate()))
                || !b.getTemplate().getRevision().isEmpty() && !b.getTemplate().getRevision().equals(current.getTemplate().getRevision());
        Revision revision = null;
        if (newRevision) {
            String revisionId = b.getTemplate().getRevision().isEmpty()
                    ? String.format("%s-%05d-%s", serviceId, b.getGeneration(), JobRegistry.randomSuffix(3))
                    : b.getTemplate().getRevision();
            if (!revisionId.startsWith(serviceId + "-")) {
                throw ApiError.invalidArgument("service.template.revision", "must start with '" + serviceId + "-'");
            }
            ResourceNames.checkId(revisionId, "service.template.revision");
            if (revisions.containsKey(name + "/revisions/" + revisionId)) {
                throw ApiError.alreadyExists("Revision named '" + revisionId + "' with different configuration already exists.");
            }
            revision = newRevision(name, revisionId, b.getTemplate(), b.getLaunchStage());
        }
        validateTraffic(name, traffic, revision);
        b.clearTraffic().addAllTraffic(traffic)
                .setObservedGeneration(b.getGeneration())
                .setLatestCreatedRevision(revision != null ? revision.getName() : current.getLatestCreatedRevision())
                .setLatestReadyRevision(current == null ? "" : current.getLatestReadyRevision());
        Revision latestCreated = revision != null ? revision : revisions.get(b.getLatestCreatedRevision());
        boolean waiting = revision != null ? !readyDelay.isZero() : latestCreated != null && latestCreated.getReconciling();
        Service pending = withStatus(b, waiting);
        String parent = ResourceNames.parentOf(name);
        if (validateOnly) {
            return operations.startDone(parent, pending, pending);
        }
        if (revision != null) {
            revisions.put(revision.getName(), revision);
        }
        services.put(name, pending);
        audit(method, pending, revision == null ? "" : ResourceNames.lastSegment(revision.getName()));
        if (revision == null) {
            return operations.startDone(parent, pending, pending);
        }
        if (!waiting) {
            markReady(revision.getName(), null);
            Service ready = services.get(name);
            return operations.startDone(parent, ready, ready);
        }
        Operation op = operations.start(parent, pending);
        String revisionName = revision.getName();
        timer.schedule(() -> markReady(revisionName, op.getName()), readyDelay.toMillis(), TimeUnit.MILLISECONDS);
        return op;
    }

    private synchronized void markReady(String revisionName, String operationName) {
        Revision r = revisions.get(revisionName);
        Service service = services.get(serviceNameOf(revisionName));
        if (r == null || service == null) {
            if (operationName != null) {
                operations.fail(operationName, service == null ? Service.getDefaultInstance() : service,
                        com.google.rpc.Code.ABORTED, "The revision was deleted before it became ready.");
            }
            return;
        }
        Revision ready = r.toBuilder()
                .setReconciling(false)
                .setUpdateTime(Conditions.ts(Instant.now()))
                .clearConditions()
                .addConditions(Conditions.of("ResourcesAvailable", Condition.State.CONDITION_SUCCEEDED, ""))
                .addConditions(Conditions.of("ContainerHealthy", Condition.State.CONDITION_SUCCEEDED, ""))
                .addConditions(Conditions.of("Ready", Condition.State.CONDITION_SUCCEEDED, ""))
                .build();
        ready = ready.toBuilder().setEtag(JobRegistry.etag(ready)).build();
        revisions.put(revisionName, ready);
        // The newest ready revision is the one "latest" traffic goes to.
        String latestReady = revisions.values().stream()
                .filter(x -> x.getName().startsWith(service.getName() + "/revisions/"))
                .filter(x -> !x.getReconciling())
                .max(Comparator.comparing((Revision x) -> Conditions.instant(x.getCreateTime())))
                .map(Revision::getName).orElse("");
        Service.Builder b = service.toBuilder().setLatestReadyRevision(latestReady);
        boolean latestCreatedReady = service.getLatestCreatedRevision().equals(latestReady);
        Service updated = withStatus(b, !latestCreatedReady);
        services.put(service.getName(), updated);
        if (operationName != null) {
            operations.complete(operationName, updated, updated);
        }
    }

    /** Resolves traffic into statuses and sets the conditions; {@code waiting} while a revision is not ready. */
    private Service withStatus(Service.Builder b, boolean waiting) {
        b.clearTrafficStatuses();
        String latestReadyShort = b.getLatestReadyRevision().isEmpty() ? "" : ResourceNames.lastSegment(b.getLatestReadyRevision());
        for (TrafficTarget t : b.getTrafficList()) {
            TrafficTargetStatus.Builder s = TrafficTargetStatus.newBuilder()
                    .setType(t.getType())
                    .setPercent(t.getPercent())
                    .setTag(t.getTag());
            s.setRevision(t.getType() == TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST ? latestReadyShort : t.getRevision());
            b.addTrafficStatuses(s);
        }
        Condition.State state = waiting ? Condition.State.CONDITION_RECONCILING : Condition.State.CONDITION_SUCCEEDED;
        String message = waiting ? "Deploying revision " + ResourceNames.lastSegment(b.getLatestCreatedRevision()) + "." : "";
        b.setReconciling(waiting)
                .setTerminalCondition(Conditions.of("Ready", state, message))
                .clearConditions()
                .addConditions(Conditions.of("RoutesReady", waiting ? Condition.State.CONDITION_PENDING : Condition.State.CONDITION_SUCCEEDED, ""))
                .addConditions(Conditions.of("ConfigurationsReady", state, message));
        Service s = b.clearEtag().build();
        return s.toBuilder().setEtag(JobRegistry.etag(s)).build();
    }

    private Revision newRevision(String serviceName, String revisionId, RevisionTemplate t, LaunchStage stage) {
        Instant now = Instant.now();
        Revision r = Revision.newBuilder()
                .setName(serviceName + "/revisions/" + revisionId)
                .setUid(UUID.randomUUID().toString())
                .setGeneration(1)
                .putAllLabels(t.getLabelsMap())
                .putAllAnnotations(t.getAnnotationsMap())
                .setCreateTime(Conditions.ts(now))
                .setUpdateTime(Conditions.ts(now))
                .setLaunchStage(stage)
                .setService(ResourceNames.lastSegment(serviceName))
                .setScaling(t.getScaling())
                .setVpcAccess(t.getVpcAccess())
                .setMaxInstanceRequestConcurrency(t.getMaxInstanceRequestConcurrency())
                .setTimeout(t.hasTimeout() ? t.getTimeout() : com.google.protobuf.Duration.newBuilder().setSeconds(300).build())
                .setServiceAccount(t.getServiceAccount())
                .addAllContainers(t.getContainersList())
                .addAllVolumes(t.getVolumesList())
                .setExecutionEnvironment(t.getExecutionEnvironment())
                .setEncryptionKey(t.getEncryptionKey())
                .setReconciling(true)
                .addConditions(Conditions.of("Ready", Condition.State.CONDITION_RECONCILING, "Deploying revision."))
                .setObservedGeneration(1)
                .build();
        return r.toBuilder().setEtag(JobRegistry.etag(r)).build();
    }

    private void validateTemplate(RevisionTemplate t) {
        if (t.getContainersCount() == 0) {
            throw ApiError.invalidArgument("service.template.containers", "at least one container is required");
        }
        for (int i = 0; i < t.getContainersCount(); i++) {
            Container c = t.getContainers(i);
            if (c.getImage().isEmpty()) {
                throw ApiError.invalidArgument("service.template.containers[" + i + "].image", "is required");
            }
            for (int k = 0; k < c.getEnvCount(); k++) {
                if (c.getEnv(k).getName().isEmpty()) {
                    throw ApiError.invalidArgument("service.template.containers[" + i + "].env[" + k + "].name", "is required");
                }
            }
        }
    }

    private void validateTraffic(String serviceName, List<TrafficTarget> traffic, Revision created) {
        int sum = 0;
        int latest = 0;
        for (int i = 0; i < traffic.size(); i++) {
            TrafficTarget t = traffic.get(i);
            String field = "service.traffic[" + i + "]";
            if (t.getPercent() < 0 || t.getPercent() > 100) {
                throw ApiError.invalidArgument(field + ".percent", "must be between 0 and 100");
            }
            sum += t.getPercent();
            switch (t.getType()) {
                case TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST -> {
                    latest++;
                    if (!t.getRevision().isEmpty()) {
                        throw ApiError.invalidArgument(field + ".revision", "must be empty when type is LATEST");
                    }
                }
                case TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION -> {
                    String full = serviceName + "/revisions/" + t.getRevision();
                    boolean exists = revisions.containsKey(full) || created != null && created.getName().equals(full);
                    if (t.getRevision().isEmpty() || !exists) {
                        throw ApiError.invalidArgument(field + ".revision",
                                "Revision named '" + t.getRevision() + "' does not exist in service " + ResourceNames.lastSegment(serviceName));
                    }
                }
                default -> throw ApiError.invalidArgument(field + ".type", "must be LATEST or REVISION");
            }
        }
        if (latest > 1) {
            throw ApiError.invalidArgument("service.traffic", "only one LATEST target is allowed");
        }
        if (sum != 100) {
            throw ApiError.invalidArgument("service.traffic", "percentages must add up to 100, not " + sum);
        }
    }

    /** Two templates that differ only in the explicit revision name make the same revision. */
    private static RevisionTemplate normalized(RevisionTemplate t) {
        return t.toBuilder().clearRevision().build();
    }

    private static String serviceNameOf(String revisionName) {
        return revisionName.substring(0, revisionName.indexOf("/revisions/"));
    }

    /** A Cloud Audit Logs "activity" entry, as Cloud Run writes for admin changes. */
    private void audit(String method, Service service, String revisionId) {
        String project = ResourceNames.projectOf(service.getName());
        String serviceId = ResourceNames.lastSegment(service.getName());
        AuditLog audit = AuditLog.newBuilder()
                .setServiceName("run.googleapis.com")
                .setMethodName(method)
                // The v2 API names the resource as its own resource name; namespaces/… is the v1 (Knative) API's form.
                .setResourceName(service.getName())
                .setAuthenticationInfo(AuthenticationInfo.newBuilder().setPrincipalEmail(principal))
                .build();
        logs.write(LogEntry.newBuilder()
                .setLogName("projects/" + project + "/logs/cloudaudit.googleapis.com%2Factivity")
                .setResource(MonitoredResource.newBuilder()
                        .setType("cloud_run_revision")
                        .putLabels("project_id", project)
                        .putLabels("location", ResourceNames.locationOf(service.getName()))
                        .putLabels("service_name", serviceId)
                        .putLabels("revision_name", revisionId)
                        .putLabels("configuration_name", serviceId))
                .setSeverity(LogSeverity.NOTICE)
                .setProtoPayload(Any.pack(audit))
                .build());
    }
}
