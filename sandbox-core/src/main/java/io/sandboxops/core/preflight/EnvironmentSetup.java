package io.sandboxops.core.preflight;

import com.google.cloud.Identity;
import com.google.cloud.Policy;
import com.google.cloud.Role;
import com.google.cloud.storage.Bucket;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.BucketInfo.LifecycleRule;
import com.google.logging.v2.LogMetric;
import com.google.logging.v2.LogMetricName;
import com.google.monitoring.dashboard.v1.CreateDashboardRequest;
import com.google.monitoring.dashboard.v1.Dashboard;
import com.google.monitoring.v3.AlertPolicy;
import com.google.monitoring.v3.ProjectName;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code env apply}: creates in an environment what {@code deploy/} describes and it lacks — the state bucket with
 * its lifecycle rules, the bucket's IAM bindings ({@code deploy/iam/bucket-policy.json}), the log-based metrics and the
 * alert policies and the dashboard — through the official clients. What exists is left as it is (matched by name;
 * alert policies and the dashboard by display name), so a second run creates nothing.
 */
public final class EnvironmentSetup {
    private final Environment env;
    private final GoogleClients clients;

    public EnvironmentSetup(Environment env, GoogleClients clients) {
        this.env = env;
        this.clients = clients;
    }

    /** One thing to create, and how. */
    public record Action(String resource, String what, Runnable create) {
        public String describe() {
            return resource + ": " + what;
        }
    }

    /** What is missing now; running each action's {@code create} in order makes it exist. Reads only. */
    public List<Action> plan() {
        List<Action> actions = new ArrayList<>();
        Bucket bucket = clients.storage().get(env.bucket());
        List<LifecycleRule> wanted = DeployResources.lifecycleRules();
        if (bucket == null) {
            actions.add(new Action("gs://" + env.bucket(), "create the bucket in " + env.region() + " with " + wanted.size()
                    + " lifecycle rules (deploy/bucket-lifecycle.json)",
                    () -> clients.storage().create(BucketInfo.newBuilder(env.bucket()).setLocation(env.region()).setLifecycleRules(wanted).build())));
        } else {
            List<LifecycleRule> has = bucket.getLifecycleRules() == null ? List.of() : List.copyOf(bucket.getLifecycleRules());
            Set<String> hasNames = new HashSet<>();
            has.forEach(r -> hasNames.add(DeployResources.describe(r)));
            List<LifecycleRule> missing = wanted.stream().filter(r -> !hasNames.contains(DeployResources.describe(r))).toList();
            if (!missing.isEmpty()) {
                List<LifecycleRule> all = new ArrayList<>(has);
                all.addAll(missing);
                actions.add(new Action("gs://" + env.bucket(), "add lifecycle rule(s) " + String.join(", ",
                        missing.stream().map(DeployResources::describe).toList()),
                        () -> clients.storage().update(BucketInfo.newBuilder(env.bucket()).setLifecycleRules(all).build())));
            }
        }
        Policy policy = bucket == null ? Policy.newBuilder().build() : clients.storage().getIamPolicy(env.bucket());
        for (DeployResources.Binding b : DeployResources.bucketBindings(env.projectId())) {
            Set<Identity> members = policy.getBindings().getOrDefault(Role.of(b.role().replaceFirst("^roles/", "")), Set.of());
            for (String member : b.members()) {
                Identity id = Identity.valueOf(member);
                if (!members.contains(id)) {
                    actions.add(new Action("gs://" + env.bucket() + " IAM", "grant " + b.role() + " to " + member
                            + " (deploy/iam/bucket-policy.json)", () -> {
                                Policy now = clients.storage().getIamPolicy(env.bucket());
                                clients.storage().setIamPolicy(env.bucket(), now.toBuilder().addIdentity(Role.of(b.role().replaceFirst("^roles/", "")), id).build());
                            }));
                }
            }
        }
        for (LogMetric m : DeployResources.logMetrics()) {
            if (!logMetricExists(m.getName())) {
                actions.add(new Action("log metric " + m.getName(), "create it (deploy/log-metrics)",
                        () -> clients.logMetrics().createLogMetric(com.google.logging.v2.ProjectName.of(env.projectId()), m)));
            }
        }
        Set<String> policies = new HashSet<>();
        for (AlertPolicy p : clients.alertPolicies().listAlertPolicies(ProjectName.of(env.projectId())).iterateAll()) {
            policies.add(p.getDisplayName());
        }
        for (AlertPolicy p : DeployResources.alertPolicies()) {
            if (!policies.contains(p.getDisplayName())) {
                actions.add(new Action("alert policy", "create \"" + p.getDisplayName() + "\" (deploy/alert-policies)",
                        () -> clients.alertPolicies().createAlertPolicy(ProjectName.of(env.projectId()), p)));
            }
        }
        Dashboard dashboard = DeployResources.dashboard();
        boolean hasDashboard = false;
        for (Dashboard d : clients.dashboards().listDashboards("projects/" + env.projectId()).iterateAll()) {
            hasDashboard |= d.getDisplayName().equals(dashboard.getDisplayName());
        }
        if (!hasDashboard) {
            actions.add(new Action("dashboard", "create \"" + dashboard.getDisplayName() + "\" (deploy/dashboard.json)",
                    () -> clients.dashboards().createDashboard(CreateDashboardRequest.newBuilder()
                            .setParent("projects/" + env.projectId()).setDashboard(dashboard).build())));
        }
        return actions;
    }

    /**
     * What one action came to.
     *
     * @param failure why it could not be created (the others are still tried); empty when it was
     */
    public record Result(Action action, java.util.Optional<String> failure) {
        public String describe() {
            return failure.map(f -> "FAILED " + action.describe() + ": " + f).orElse(action.describe());
        }
    }

    /**
     * Creates what {@link #plan()} finds missing, telling {@code progress} each result as it comes; one that fails (a
     * member that does not exist, a permission the caller lacks) is said and the rest are still created.
     */
    public List<Result> apply(Consumer<Result> progress) {
        List<Result> done = new ArrayList<>();
        for (Action a : plan()) {
            Result r;
            try {
                a.create().run();
                r = new Result(a, java.util.Optional.empty());
            } catch (RuntimeException e) {
                r = new Result(a, java.util.Optional.of(io.sandboxops.core.api.SandboxException.rootMessage(e)));
            }
            done.add(r);
            progress.accept(r);
        }
        return done;
    }

    private boolean logMetricExists(String name) {
        try {
            clients.logMetrics().getLogMetric(LogMetricName.of(env.projectId(), name));
            return true;
        } catch (com.google.api.gax.rpc.NotFoundException e) {
            return false;
        }
    }
}
