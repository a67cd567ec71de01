package io.sandboxops.core.rollout;

import io.sandboxops.core.env.Actor;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.audit.AuditLog;
import com.google.cloud.run.v2.Condition;
import com.google.cloud.run.v2.Container;
import com.google.cloud.run.v2.EnvVar;
import com.google.cloud.run.v2.Revision;
import com.google.cloud.run.v2.RevisionTemplate;
import com.google.cloud.run.v2.Service;
import com.google.cloud.run.v2.TrafficTarget;
import com.google.cloud.run.v2.TrafficTargetAllocationType;
import com.google.cloud.run.v2.TrafficTargetStatus;
import com.google.cloud.run.v2.UpdateServiceRequest;
import com.google.logging.v2.ListLogEntriesRequest;
import com.google.logging.v2.LogEntry;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxInvalidInputException;
import io.sandboxops.core.api.SandboxNotFoundException;
import io.sandboxops.core.api.SandboxTimeoutException;
import io.sandboxops.core.api.SandboxUnavailableException;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.env.Secrets;
import io.sandboxops.core.util.InterruptibleSleep;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes the rollout variables of the agent backend's Cloud Run service (DESIGN §6): status, set
 * percentage, enable, disable (each with a dry run), and rollback with verification. Every write is one
 * {@code UpdateService} of the service exactly as read (with its etag), changed only in the two variables, so
 * every other env var, secret reference, resource and setting stays as it was, and a concurrent change is
 * never overwritten: it makes the write fail, and the change is recomputed from a fresh read.
 */
public final class RolloutController {
    private static final Logger log = LoggerFactory.getLogger(RolloutController.class);

    /** The agent backend's service in the original plan. */
    public static final String DEFAULT_SERVICE = "manus-backend";

    static final List<String> AUDITED_METHODS = List.of(
            "google.cloud.run.v2.Services.UpdateService", "google.cloud.run.v2.Services.CreateService",
            "google.cloud.run.v1.Services.ReplaceService", "google.cloud.run.v1.Services.CreateService");

    /** What to do when the rolled-back revision gets no traffic because the split is pinned to other revisions. */
    public enum PinnedTraffic {
        /** pin 100 % to the new revision (tagged targets stay, at 0 %): the rollback takes effect */
        ROUTE_TO_NEW_REVISION,
        /** change no traffic; report {@link RollbackReport.Outcome#NOT_SERVING} */
        STOP_AND_REPORT
    }

    /**
     * @param readyTimeout  longest wait for a new revision to become ready
     * @param pinnedTraffic what rollback does about a pinned split
     * @param writes        retries of read-modify-write updates (reads are retried by the clients' own
     *                      settings: {@code GetService} and {@code GetRevision} are idempotent and gax retries them)
     * @param pollInterval  between reads while waiting for a revision
     */
    public record Options(Duration readyTimeout, PinnedTraffic pinnedTraffic, WriteRetryPolicy writes,
                          Duration pollInterval) {

        public static Options defaults() {
            return new Options(Duration.ofMinutes(3), PinnedTraffic.ROUTE_TO_NEW_REVISION, WriteRetryPolicy.readModifyWrite(),
                    Duration.ofMillis(250));
        }

        public Options withPinnedTraffic(PinnedTraffic policy) {
            return new Options(readyTimeout, policy, writes, pollInterval);
        }

        public Options withReadyTimeout(Duration timeout) {
            return new Options(timeout, pinnedTraffic, writes, pollInterval);
        }
    }

    private final GoogleClients clients;
    private final String environment;
    private final String service;
    private final RolloutAuditLog audit;
    private final Options options;

    /**
     * @param clients     the Google clients of the environment's project and region
     * @param environment the environment's name, recorded in the audit log
     * @param service     the service's short name, e.g. {@value #DEFAULT_SERVICE}
     */
    public RolloutController(GoogleClients clients, String environment, String service, RolloutAuditLog audit, Options options) {
        this.clients = clients;
        this.environment = environment;
        this.service = service;
        this.audit = audit;
        this.options = options;
    }

    public String serviceName() {
        return clients.target().locationName() + "/services/" + service;
    }

    public String environment() {
        return environment;
    }

    public String service() {
        return service;
    }

    // ---------------------------------------------------------------- status

    /** The flag, percentage, revisions and traffic as the service reports them now. */
    public RolloutStatus status() {
        return statusOf(readService());
    }

    private Service readService() {
        try {
            return clients.services().getService(serviceName());
        } catch (NotFoundException e) {
            throw new SandboxNotFoundException("service " + serviceName() + " does not exist; check the environment's project, "
                    + "region and service name", e);
        } catch (Exception e) {
            throw failure("cannot read service " + serviceName(), e);
        }
    }

    RolloutStatus statusOf(Service s) {
        RevisionTemplate template = s.getTemplate();
        int index = rolloutContainer(template);
        EnvValues templateValues = envValues(template.getContainers(index));
        String containerName = template.getContainers(index).getName();
        List<TrafficShare> traffic = trafficOf(s);
        Map<String, EnvValues> serving = new LinkedHashMap<>();
        for (TrafficShare share : traffic) {
            if (share.percent() > 0 && !serving.containsKey(share.revision())) {
                serving.put(share.revision(), revisionValues(share.revision(), containerName, index));
            }
        }
        return new RolloutStatus(environment, s.getName(), templateValues, shortName(s.getLatestCreatedRevision()),
                shortName(s.getLatestReadyRevision()), traffic, serving,
                s.hasUpdateTime() ? Optional.of(instant(s.getUpdateTime())) : Optional.empty(), s.getLastModifier(),
                s.getReconciling());
    }

    private EnvValues revisionValues(String revision, String containerName, int index) {
        Revision r;
        try {
            r = clients.revisions().getRevision(serviceName() + "/revisions/" + revision);
        } catch (Exception e) {
            throw failure("cannot read revision " + revision, e);
        }
        List<Container> containers = r.getContainersList();
        for (Container c : containers) {
            if (!containerName.isEmpty() && containerName.equals(c.getName())) {
                return envValues(c);
            }
        }
        return index < containers.size() ? envValues(containers.get(index)) : new EnvValues(null, null);
    }

    /** Traffic as served; a "latest" share is the latest ready revision's, whatever name the status carries. */
    static List<TrafficShare> trafficOf(Service s) {
        String latestReady = shortName(s.getLatestReadyRevision());
        List<TrafficShare> out = new ArrayList<>();
        for (TrafficTargetStatus t : s.getTrafficStatusesList()) {
            boolean latest = t.getType() == TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST;
            out.add(new TrafficShare(latest ? latestReady : t.getRevision(), t.getPercent(), latest, t.getTag()));
        }
        return out;
    }

    // ---------------------------------------------------------------- set, enable, disable

    /** Shows what {@code change} would do, and has Cloud Run validate it ({@code validate_only}); writes nothing. */
    public ChangeResult preview(RolloutChange change) {
        long start = System.nanoTime();
        Service current = readService();
        RolloutStatus before = statusOf(current);
        Prepared prepared = prepare(current, change);
        if (prepared.diff().isEmpty()) {
            return new ChangeResult(true, ChangeResult.Outcome.UNCHANGED, prepared.diff(), before, before, "", since(start), List.of());
        }
        try {
            clients.services().updateServiceAsync(UpdateServiceRequest.newBuilder().setService(prepared.service()).setValidateOnly(true).build())
                    .get(options.readyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw failure("Cloud Run refused the change", e);
        }
        return new ChangeResult(true, ChangeResult.Outcome.VALID, prepared.diff(), before, before, "", since(start),
                pinnedWarnings(before));
    }

    /** {@code rollout set N}: the percentage only. */
    public ChangeResult setPercentage(int percentage, String reason, String actor, RolloutProgress progress) {
        return apply(RolloutChange.percentage(percentage), reason, actor, progress);
    }

    /** {@code rollout enable}: the flag on, the percentage as it is. */
    public ChangeResult enable(String reason, String actor, RolloutProgress progress) {
        return apply(RolloutChange.enable(), reason, actor, progress);
    }

    /** {@code rollout disable}: the flag off, the percentage as it is. */
    public ChangeResult disable(String reason, String actor, RolloutProgress progress) {
        return apply(RolloutChange.disable(), reason, actor, progress);
    }

    /**
     * Writes {@code change} in one {@code UpdateService}, waits for the new revision to be ready and reads the
     * service back. Appends an audit entry whether it worked or not.
     *
     * @throws SandboxException when the change could not be applied; the audit entry says so too
     */
    public ChangeResult apply(RolloutChange change, String reason, String actor, RolloutProgress progress) {
        long start = System.nanoTime();
        Consumer<String> step = msg -> progress.step(since(start), msg);
        RolloutStatus before = null;
        String outcome = "failed";
        String revision = "";
        RolloutStatus after = null;
        try {
            step.accept("reading " + serviceName());
            Written written = write(change, step);
            before = statusOf(written.before());
            if (written.diff().isEmpty()) {
                outcome = "unchanged";
                return new ChangeResult(false, ChangeResult.Outcome.UNCHANGED, written.diff(), before, before, "", since(start), List.of());
            }
            revision = shortName(written.after().getLatestCreatedRevision());
            Service ready = awaitReady(written.after(), step);
            after = statusOf(ready);
            outcome = "applied";
            List<String> warnings = new ArrayList<>(pinnedWarnings(after));
            if (after.shareOf(revision) < 100) {
                warnings.add(0, "revision " + revision + " serves " + after.shareOf(revision) + " % of traffic; the change reaches "
                        + "only that share of new sessions");
            }
            step.accept("applied: " + after.template().describe() + " on revision " + revision);
            return new ChangeResult(false, ChangeResult.Outcome.APPLIED, written.diff(), before, after, revision, since(start), warnings);
        } catch (RuntimeException e) {
            String now;
            try {
                now = status().template().describe();
            } catch (RuntimeException unreadable) {
                now = "unknown (" + unreadable.getMessage() + ")";
            }
            outcome = "failed: " + e.getMessage() + "; the service now has " + now;
            throw e;
        } finally {
            String from = before == null ? "" : before.template().describe();
            String to = after != null ? after.template().describe() : before == null ? "" : change.applyTo(before.template()).describe();
            appendAudit(actor, change.action(), from, to, reason, outcome, revision);
        }
    }

    private record Prepared(Service service, ServiceDiff diff) {
    }

    private record Written(Service before, Service after, ServiceDiff diff) {
    }

    /** Read, change, write with the etag; on a concurrent change or an unreachable API, all of it again. */
    private Written write(RolloutChange change, Consumer<String> step) {
        try {
            return options.writes().run(() -> {
                Service current = readService();
                Prepared prepared = prepare(current, change);
                if (prepared.diff().isEmpty()) {
                    step.accept("the service already has " + change.applyTo(envValues(current.getTemplate()
                            .getContainers(rolloutContainer(current.getTemplate())))).describe() + "; nothing to write");
                    return new Written(current, current, prepared.diff());
                }
                step.accept("UpdateService: " + String.join("; ", prepared.diff().lines()));
                Service after = clients.services().updateServiceAsync(UpdateServiceRequest.newBuilder().setService(prepared.service()).build())
                        .get(options.readyTimeout().toMillis(), TimeUnit.MILLISECONDS);
                return new Written(current, after, prepared.diff());
            }, (attempt, failure, wait) -> {
                step.accept("attempt " + attempt + " failed (" + describe(failure) + "); reading again in " + wait.toMillis() + " ms");
                logRetry(attempt, failure, wait);
            });
        } catch (SandboxException e) {
            throw e;
        } catch (TimeoutException e) {
            throw new SandboxTimeoutException("the update of " + serviceName() + " was not done after " + human(options.readyTimeout())
                    + "; Cloud Run may still apply it: check `rollout status`", e);
        } catch (Exception e) {
            throw failure("cannot update service " + serviceName(), e);
        }
    }

    private Prepared prepare(Service current, RolloutChange change) {
        RevisionTemplate template = current.getTemplate();
        int index = rolloutContainer(template);
        Container container = template.getContainers(index);
        Container.Builder changed = container.toBuilder();
        change.flag().ifPresent(f -> setEnv(changed, RolloutSettings.FLAG, String.valueOf(f)));
        change.percentage().ifPresent(p -> setEnv(changed, RolloutSettings.PERCENTAGE, String.valueOf(p)));
        RevisionTemplate.Builder newTemplate = template.toBuilder().setContainers(index, changed);
        List<String> notes = new ArrayList<>();
        boolean envChanges = !changed.build().equals(container);
        if (envChanges && !template.getRevision().isEmpty()) {
            // A named revision cannot be created twice: Cloud Run must name the new one.
            newTemplate.clearRevision();
            notes.add("the template names revision " + template.getRevision() + "; cleared so Cloud Run names the new revision");
        }
        Service updated = current.toBuilder().setTemplate(newTemplate).build();
        String containerLabel = container.getName().isEmpty() ? "containers[" + index + "]" : container.getName();
        return new Prepared(updated, new ServiceDiff(diff(current, updated), containerLabel, notes));
    }

    private static void setEnv(Container.Builder container, String name, String value) {
        for (int i = 0; i < container.getEnvCount(); i++) {
            EnvVar env = container.getEnv(i);
            if (env.getName().equals(name)) {
                if (env.hasValueSource()) {
                    throw new SandboxInvalidInputException(name + " is set from a secret in the service; refusing to replace a secret "
                            + "reference with a literal: change it in Secret Manager or remove the reference first");
                }
                container.setEnv(i, env.toBuilder().setValue(value));
                return;
            }
        }
        container.addEnv(EnvVar.newBuilder().setName(name).setValue(value));
    }

    /** Every difference between two versions of a service: env vars by container and name, and anything else. */
    static List<String> diff(Service before, Service after) {
        List<String> lines = new ArrayList<>();
        RevisionTemplate a = before.getTemplate();
        RevisionTemplate b = after.getTemplate();
        int n = Math.max(a.getContainersCount(), b.getContainersCount());
        for (int i = 0; i < n; i++) {
            Map<String, String> ea = i < a.getContainersCount() ? envMap(a.getContainers(i)) : Map.of();
            Map<String, String> eb = i < b.getContainersCount() ? envMap(b.getContainers(i)) : Map.of();
            String prefix = n > 1 ? "containers[" + i + "] " : "";
            for (String name : union(ea.keySet(), eb.keySet())) {
                String va = ea.get(name);
                String vb = eb.get(name);
                if (va == null || !va.equals(vb)) {
                    lines.add(prefix + name + ": " + (va == null ? "(unset)" : Secrets.mask(name, va)) + " → "
                            + (vb == null ? "(unset)" : Secrets.mask(name, vb)));
                }
            }
        }
        if (!a.getRevision().equals(b.getRevision())) {
            lines.add("template.revision: " + a.getRevision() + " → " + (b.getRevision().isEmpty() ? "(named by Cloud Run)" : b.getRevision()));
        }
        if (!withoutEnvAndRevision(a).equals(withoutEnvAndRevision(b))) {
            lines.add("other template settings differ");
        }
        if (!before.toBuilder().clearTemplate().build().equals(after.toBuilder().clearTemplate().build())) {
            lines.add("service settings outside the template differ");
        }
        return lines;
    }

    private static RevisionTemplate withoutEnvAndRevision(RevisionTemplate t) {
        RevisionTemplate.Builder b = t.toBuilder().clearRevision();
        for (int i = 0; i < b.getContainersCount(); i++) {
            b.setContainers(i, b.getContainers(i).toBuilder().clearEnv());
        }
        return b.build();
    }

    private static Map<String, String> envMap(Container c) {
        Map<String, String> m = new LinkedHashMap<>();
        for (EnvVar e : c.getEnvList()) {
            m.put(e.getName(), e.hasValueSource() ? "secret " + e.getValueSource().getSecretKeyRef().getSecret() + ":"
                    + e.getValueSource().getSecretKeyRef().getVersion() : e.getValue());
        }
        return m;
    }

    private static List<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        List<String> out = new ArrayList<>(a);
        b.stream().filter(x -> !a.contains(x)).forEach(out::add);
        return out;
    }

    private static List<String> pinnedWarnings(RolloutStatus status) {
        boolean pinned = status.traffic().stream().anyMatch(t -> !t.latest() && t.percent() > 0);
        return pinned ? List.of("traffic is pinned to named revisions: a new revision gets no traffic until the split is changed")
                : List.of();
    }

    // ---------------------------------------------------------------- rollback

    /**
     * {@code rollout rollback}: flag off and 0 % in one update; wait for the new revision; make sure it serves
     * 100 % (moving a pinned split to it, or stopping, as {@link Options#pinnedTraffic()} says); read it all
     * back. Never throws: whatever happens, the report says how far it got and the state it found at the end.
     */
    public RollbackReport rollback(String reason, String actor, RolloutProgress progress) {
        long start = System.nanoTime();
        List<String> steps = new ArrayList<>();
        Consumer<String> step = msg -> {
            Duration elapsed = since(start);
            steps.add(String.format("%7d ms  %s", elapsed.toMillis(), msg));
            progress.step(elapsed, msg);
        };
        RolloutStatus before = null;
        RolloutStatus after = null;
        String revision = "";
        RollbackReport.Outcome outcome = RollbackReport.Outcome.FAILED;
        String problem = null;
        try {
            step.accept("reading " + serviceName());
            Written written = write(RolloutChange.rollback(), step);
            before = statusOf(written.before());
            step.accept("before: template " + before.template().describe() + "; serving "
                    + before.effective().map(EnvValues::describe).orElse("a split " + before.serving()));
            revision = shortName(written.after().getLatestCreatedRevision());
            Service ready = awaitReady(written.after(), step);
            int share = shareOf(ready, revision);
            if (share < 100) {
                step.accept("revision " + revision + " serves " + share + " %: traffic is pinned (" + RolloutStatus.describe(trafficOf(ready)) + ")");
                if (options.pinnedTraffic() == PinnedTraffic.ROUTE_TO_NEW_REVISION) {
                    ready = routeAllTrafficTo(revision, step);
                } else {
                    outcome = RollbackReport.Outcome.NOT_SERVING;
                    problem = "the service's traffic is pinned; revision " + revision + " (flag off) serves " + share
                            + " %; route traffic to it (`rollout rollback` with traffic routing, or gcloud run services update-traffic)";
                }
            }
            step.accept("verifying");
            after = status();
            if (outcome != RollbackReport.Outcome.NOT_SERVING) {
                problem = verificationProblem(after, revision);
                outcome = problem == null ? RollbackReport.Outcome.VERIFIED : RollbackReport.Outcome.FAILED;
            }
            step.accept(outcome == RollbackReport.Outcome.VERIFIED
                    ? "verified: revision " + revision + " is ready, serves 100 % with " + after.serving().get(revision).describe()
                    : "not verified: " + problem);
        } catch (RuntimeException e) {
            problem = e.getMessage();
            step.accept("failed: " + problem);
            try {
                after = status();
                step.accept("state after the failure: template " + after.template().describe() + "; traffic " + RolloutStatus.describe(after.traffic()));
            } catch (RuntimeException readFailure) {
                problem += "; the state after it is UNKNOWN: " + readFailure.getMessage();
                step.accept("the service could not be read after the failure: " + readFailure.getMessage());
            }
        }
        Duration elapsed = since(start);
        String auditOutcome = outcome.name().toLowerCase() + " in " + elapsed.toMillis() + " ms" + (problem == null ? "" : ": " + problem);
        try {
            appendAudit(actor, "rollback", before == null ? "" : before.template().describe(),
                    after == null ? "unknown" : after.effective().map(EnvValues::describe).orElse(after.template().describe()),
                    reason, auditOutcome, revision);
        } catch (RuntimeException e) {
            problem = (problem == null ? "" : problem + "; ") + "the local audit entry could not be written: " + e.getMessage();
            step.accept("audit entry NOT written: " + e.getMessage());
        }
        log.info("rollback of {} {}: {}", serviceName(), outcome, problem == null ? "ok" : problem);
        return new RollbackReport(outcome, Optional.ofNullable(before), Optional.ofNullable(after), revision, elapsed, steps,
                Optional.ofNullable(problem));
    }

    private static String verificationProblem(RolloutStatus after, String revision) {
        if (!after.latestReadyRevision().equals(revision)) {
            return "the latest ready revision is " + after.latestReadyRevision() + ", not " + revision;
        }
        if (after.shareOf(revision) != 100) {
            return "revision " + revision + " serves " + after.shareOf(revision) + " %, not 100 %";
        }
        EnvValues values = after.serving().get(revision);
        if (values == null || !values.isOff()) {
            return "revision " + revision + " runs with " + (values == null ? "unknown values" : values.describe())
                    + ", not flag=false, 0 %";
        }
        return null;
    }

    /** Pins 100 % to {@code revision}; tagged targets keep their tags at 0 % so their URLs keep working. */
    private Service routeAllTrafficTo(String revision, Consumer<String> step) {
        try {
            return options.writes().run(() -> {
                Service current = readService();
                List<TrafficTarget> targets = new ArrayList<>();
                targets.add(TrafficTarget.newBuilder().setType(TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION)
                        .setRevision(revision).setPercent(100).build());
                for (TrafficTarget t : current.getTrafficList()) {
                    if (!t.getTag().isEmpty()) {
                        targets.add(t.toBuilder().setPercent(0).build());
                    }
                }
                step.accept("routing 100 % of traffic to " + revision);
                return clients.services().updateServiceAsync(UpdateServiceRequest.newBuilder()
                                .setService(current.toBuilder().clearTraffic().addAllTraffic(targets)).build())
                        .get(options.readyTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }, (attempt, failure, wait) -> step.accept("routing attempt " + attempt + " failed (" + describe(failure) + "); again"));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw failure("cannot route traffic to " + revision, e);
        }
    }

    private static int shareOf(Service s, String revision) {
        return trafficOf(s).stream().filter(t -> t.revision().equals(revision)).mapToInt(TrafficShare::percent).sum();
    }

    /** Until the latest created revision is the latest ready one; a failed revision ends the wait with its reason. */
    private Service awaitReady(Service s, Consumer<String> step) {
        long deadline = System.nanoTime() + options.readyTimeout().toNanos();
        Service current = s;
        while (!current.getLatestCreatedRevision().isEmpty() && !current.getLatestCreatedRevision().equals(current.getLatestReadyRevision())) {
            Condition terminal = current.getTerminalCondition();
            if (terminal.getState() == Condition.State.CONDITION_FAILED) {
                throw new SandboxUnavailableException("revision " + shortName(current.getLatestCreatedRevision()) + " failed: "
                        + terminal.getMessage());
            }
            if (System.nanoTime() > deadline) {
                throw new SandboxTimeoutException("revision " + shortName(current.getLatestCreatedRevision()) + " was not ready after "
                        + human(options.readyTimeout()));
            }
            InterruptibleSleep.sleep(options.pollInterval(), "revision " + shortName(current.getLatestCreatedRevision()) + " to be ready");
            current = readService();
        }
        step.accept("revision " + shortName(current.getLatestReadyRevision()) + " is ready");
        return current;
    }

    // ---------------------------------------------------------------- history

    /**
     * The last {@code limit} changes of this environment's service: the local log and the service's Cloud Audit
     * Log entries ({@code UpdateService}, {@code ReplaceService}, {@code CreateService}, with {@code principalEmail}),
     * so changes made with gcloud or the Cloud Console show too.
     */
    public RolloutHistory history(int limit) {
        List<AuditEntry> entries = new ArrayList<>();
        audit.read().stream().filter(e -> e.environment().equals(environment) && e.service().equals(service)).forEach(entries::add);
        Optional<String> problem = Optional.empty();
        try {
            entries.addAll(cloudAuditEntries(limit));
        } catch (RuntimeException e) {
            problem = Optional.of("the Cloud Audit Log could not be read: " + describe(e));
        }
        entries.sort(Comparator.comparing(AuditEntry::time).reversed());
        return new RolloutHistory(entries.subList(0, Math.min(limit, entries.size())), problem);
    }

    private List<AuditEntry> cloudAuditEntries(int limit) {
        String project = clients.target().projectId();
        String methods = String.join(" OR ", AUDITED_METHODS.stream().map(m -> "protoPayload.methodName=\"" + m + "\"").toList());
        String filter = "logName=\"projects/" + project + "/logs/cloudaudit.googleapis.com%2Factivity\""
                + " AND resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"" + service + "\""
                + " AND (" + methods + ")";
        List<AuditEntry> out = new ArrayList<>();
        for (LogEntry entry : clients.logging().listLogEntries(ListLogEntriesRequest.newBuilder()
                .addResourceNames("projects/" + project).setFilter(filter).setOrderBy("timestamp desc")
                .setPageSize(Math.min(limit, 1000)).build()).iterateAll()) {
            if (out.size() >= limit) {
                break;
            }
            String actor = "";
            String method = "";
            if (entry.hasProtoPayload()) {
                try {
                    AuditLog auditLog = entry.getProtoPayload().unpack(AuditLog.class);
                    actor = auditLog.getAuthenticationInfo().getPrincipalEmail();
                    method = auditLog.getMethodName();
                } catch (InvalidProtocolBufferException e) {
                    method = "unreadable audit payload";
                }
            }
            out.add(new AuditEntry(instant(entry.getTimestamp()), AuditEntry.Source.CLOUD_AUDIT, Actor.recorded(actor),
                    environment, service, method.substring(method.lastIndexOf('.') + 1), "", "", "", "recorded by Cloud Audit Logs",
                    entry.getResource().getLabelsOrDefault("revision_name", "")));
        }
        return out;
    }

    /** Records that a change goes ahead without a passed, fresh preflight, and why; before the change itself. */
    void recordPreflightSkipped(String actor, String reason, String outcome) {
        appendAudit(actor, "preflight-skipped", "", "", reason, outcome, "");
    }

    private void appendAudit(String actor, String action, String from, String to, String reason, String outcome, String revision) {
        audit.append(new AuditEntry(Instant.now(), AuditEntry.Source.LOCAL, actor, environment, service, action, from, to,
                reason == null ? "" : reason, outcome, revision));
    }

    // ---------------------------------------------------------------- helpers

    /** The container holding the rollout variables: the first that sets either, else the first (the ingress container). */
    static int rolloutContainer(RevisionTemplate template) {
        if (template.getContainersCount() == 0) {
            throw new SandboxInvalidInputException("the service template has no container");
        }
        for (int i = 0; i < template.getContainersCount(); i++) {
            for (EnvVar e : template.getContainers(i).getEnvList()) {
                if (e.getName().equals(RolloutSettings.FLAG) || e.getName().equals(RolloutSettings.PERCENTAGE)) {
                    return i;
                }
            }
        }
        return 0;
    }

    static EnvValues envValues(Container c) {
        String flag = null;
        String percentage = null;
        for (EnvVar e : c.getEnvList()) {
            String value = e.hasValueSource() ? "(secret reference)" : e.getValue();
            if (e.getName().equals(RolloutSettings.FLAG)) {
                flag = value;
            } else if (e.getName().equals(RolloutSettings.PERCENTAGE)) {
                percentage = value;
            }
        }
        return new EnvValues(flag, percentage);
    }

    static String shortName(String name) {
        return name.substring(name.lastIndexOf('/') + 1);
    }

    private static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    private static String human(Duration d) {
        return d.toSeconds() < 10 ? d.toMillis() + " ms" : d.toSeconds() + " s";
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private void logRetry(int attempt, Throwable failure, Duration wait) {
        log.warn("{}: attempt {} failed ({}); retrying in {} ms", serviceName(), attempt, describe(failure), wait.toMillis());
    }

    private static String describe(Throwable failure) {
        ApiException api = WriteRetryPolicy.apiException(failure);
        if (api != null) {
            return api.getStatusCode().getCode() + ": " + api.getMessage();
        }
        Throwable t = failure instanceof ExecutionException && failure.getCause() != null ? failure.getCause() : failure;
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static SandboxException failure(String what, Throwable e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        if (e instanceof SandboxException se) {
            return se;
        }
        ApiException api = WriteRetryPolicy.apiException(e);
        if (api != null) {
            return switch (api.getStatusCode().getCode()) {
                case INVALID_ARGUMENT, FAILED_PRECONDITION -> new SandboxInvalidInputException(what + ": " + describe(e), e);
                case NOT_FOUND -> new SandboxNotFoundException(what + ": " + describe(e), e);
                case PERMISSION_DENIED, UNAUTHENTICATED -> new SandboxUnavailableException(what + ": " + describe(e)
                        + " (reading needs roles/run.viewer, changing roles/run.developer and iam.serviceAccountUser on the service's"
                        + " account: deploy/iam/README.md)", e);
                case UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, ABORTED -> new SandboxUnavailableException(what + ": "
                        + describe(e) + " (the Cloud Run API kept failing through every retry; try again in a minute, and check"
                        + " https://status.cloud.google.com and the project's quotas)", e);
                default -> new SandboxUnavailableException(what + ": " + describe(e), e);
            };
        }
        return new SandboxUnavailableException(what + ": " + describe(e), e);
    }
}
