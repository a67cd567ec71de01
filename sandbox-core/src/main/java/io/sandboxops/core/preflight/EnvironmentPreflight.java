package io.sandboxops.core.preflight;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.google.cloud.run.v2.Job;
import com.google.cloud.run.v2.ListJobsRequest;
import com.google.cloud.run.v2.Service;
import com.google.cloud.run.v2.ServiceName;
import com.google.cloud.storage.Bucket;
import com.google.iam.v1.TestIamPermissionsRequest;
import com.google.logging.v2.LogMetricName;
import com.google.monitoring.dashboard.v1.Dashboard;
import com.google.monitoring.v3.AlertPolicy;
import com.google.monitoring.v3.ProjectName;
import io.sandboxops.core.api.ExecResult;
import io.sandboxops.core.api.KillTarget;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SandboxBackend;
import io.sandboxops.core.api.SandboxException;
import io.sandboxops.core.api.SandboxSpec;
import io.sandboxops.core.cloudrun.CloudRunJobManager;
import io.sandboxops.core.docker.DockerEngine;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.GoogleClients;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The read-only checks of an environment before a rollout step (DESIGN §6), through the official clients: project and
 * region, the agent service, the state bucket with its lifecycle rules, IAM on the bucket, the service and the job
 * ({@code testIamPermissions}: what the caller itself may do), the executor image, the log-based metrics, alert
 * policies and dashboard of {@code deploy/}, and a live canary session through the real Cloud Run backend. Nothing is created but the
 * canary's session, which is closed. Every failure says what to do.
 */
public final class EnvironmentPreflight {
    /** What the control plane does in the bucket (roles/storage.objectAdmin, deploy/iam/bucket-policy.json). */
    public static final List<String> BUCKET_PERMISSIONS = List.of("storage.objects.get", "storage.objects.list",
            "storage.objects.create", "storage.objects.delete");
    /** What the rollout does to the agent service (roles/run.developer, deploy/iam/project-policy.json). */
    public static final List<String> SERVICE_PERMISSIONS = List.of("run.services.get", "run.services.update");
    /** What a session does with the job (roles/run.developer). */
    public static final List<String> JOB_PERMISSIONS = List.of("run.jobs.get", "run.jobs.run", "run.jobs.runWithOverrides");
    private static final Duration CANARY_TIMEOUT = Duration.ofSeconds(120);

    private final Environment env;
    private final GoogleClients clients;
    private final Optional<Supplier<SandboxBackend>> canaryBackend;
    private final String actor;

    /**
     * @param canaryBackend the Cloud Run backend of this environment, opened when the canary runs and closed after;
     *                      empty to skip the canary (it then says so as a failed check: a preflight without it is not
     *                      a passed preflight)
     */
    public EnvironmentPreflight(Environment env, GoogleClients clients, Optional<Supplier<SandboxBackend>> canaryBackend, String actor) {
        this.env = env;
        this.clients = clients;
        this.canaryBackend = canaryBackend;
        this.actor = actor;
    }

    private interface Check {
        PreflightCheck run(long start);
    }

    /** Runs every check in order, handing each to {@code progress} as it finishes. */
    public PreflightReport run(Consumer<PreflightCheck> progress) {
        List<PreflightCheck> done = new ArrayList<>();
        Consumer<PreflightCheck> record = c -> {
            done.add(c);
            progress.accept(c);
        };
        String apply = "`sandboxctl env apply --env " + env.name() + "`";
        record.accept(run("project and region", this::projectAndRegion));
        record.accept(run("service", this::service));
        record.accept(run("bucket", s -> bucket(s, apply)));
        record.accept(run("bucket lifecycle", s -> lifecycle(s, apply)));
        record.accept(run("bucket IAM", s -> bucketIam(s, apply)));
        record.accept(run("service IAM", this::serviceIam));
        record.accept(run("executor image", this::image));
        for (var metric : DeployResources.logMetrics()) {
            record.accept(run("log metric " + metric.getName(), s -> logMetric(s, metric.getName(), apply)));
        }
        record.accept(run("alert policies", s -> alertPolicies(s, apply)));
        record.accept(run("dashboard", s -> dashboard(s, apply)));
        canary(record);
        record.accept(run("job IAM", this::jobIam));
        return new PreflightReport(env.name(), Instant.now(), actor, done);
    }

    private static PreflightCheck run(String name, Check check) {
        long start = System.nanoTime();
        try {
            PreflightCheck c = check.run(start);
            return new PreflightCheck(name, c.outcome(), c.found(), c.fix(), since(start));
        } catch (RuntimeException e) {
            return new PreflightCheck(name, PreflightCheck.Outcome.FAIL, "error: " + message(e),
                    "see the error; check the credentials (`gcloud auth application-default login`) and the environment's "
                            + "project and region", since(start));
        }
    }

    private static PreflightCheck pass(String found) {
        return new PreflightCheck("", PreflightCheck.Outcome.PASS, found, "", Duration.ZERO);
    }

    private static PreflightCheck fail(String found, String fix) {
        return new PreflightCheck("", PreflightCheck.Outcome.FAIL, found, fix, Duration.ZERO);
    }

    private static PreflightCheck warn(String found, String fix) {
        return new PreflightCheck("", PreflightCheck.Outcome.WARN, found, fix, Duration.ZERO);
    }

    private PreflightCheck projectAndRegion(long start) {
        try {
            int jobs = 0;
            for (Job ignored : clients.jobs().listJobs(ListJobsRequest.newBuilder().setParent(clients.target().locationName())
                    .setPageSize(100).build()).getPage().getValues()) {
                jobs++;
            }
            return pass(clients.target().locationName() + " answers (" + jobs + " jobs listed)");
        } catch (RuntimeException e) {
            return fail(clients.target().locationName() + " does not answer: " + message(e),
                    "check `project` and `region` of environment " + env.name() + " in ~/.sandbox-ops/environments.json, that the "
                            + "Cloud Run Admin API is enabled (`gcloud services enable run.googleapis.com --project " + env.projectId()
                            + "`) and that your credentials reach the project");
        }
    }

    private PreflightCheck service(long start) {
        try {
            Service s = clients.services().getService(ServiceName.of(env.projectId(), env.region(), env.service()));
            return pass("service " + env.service() + " serves revision " + CloudRunJobManager.shortName(s.getLatestReadyRevision()));
        } catch (com.google.api.gax.rpc.NotFoundException e) {
            return fail("service " + env.service() + " does not exist in " + clients.target().locationName(),
                    "deploy the agent backend as Cloud Run service " + env.service() + " in " + env.region()
                            + ", or set `service` of environment " + env.name() + " to its name");
        }
    }

    private Optional<Bucket> bucketInfo() {
        return Optional.ofNullable(clients.storage().get(env.bucket()));
    }

    private PreflightCheck bucket(long start, String apply) {
        return bucketInfo().map(b -> pass("gs://" + b.getName() + " exists in " + b.getLocation()))
                .orElseGet(() -> fail("bucket gs://" + env.bucket() + " does not exist",
                        apply + " creates it with the lifecycle rules of deploy/bucket-lifecycle.json"));
    }

    private PreflightCheck lifecycle(long start, String apply) {
        Optional<Bucket> bucket = bucketInfo();
        if (bucket.isEmpty()) {
            return fail("no bucket gs://" + env.bucket(), apply + " creates it with its lifecycle rules");
        }
        Set<String> has = new HashSet<>();
        Optional.ofNullable(bucket.get().getLifecycleRules()).orElse(List.of()).forEach(r -> has.add(DeployResources.describe(r)));
        List<String> missing = DeployResources.lifecycleRules().stream().map(DeployResources::describe).filter(r -> !has.contains(r)).toList();
        return missing.isEmpty() ? pass("gs://" + env.bucket() + " has the rules of deploy/bucket-lifecycle.json (" + has.size() + ")")
                : fail("gs://" + env.bucket() + " lacks the lifecycle rule(s) " + String.join(", ", missing),
                        apply + " adds them (deploy/bucket-lifecycle.json)");
    }

    private PreflightCheck bucketIam(long start, String apply) {
        if (bucketInfo().isEmpty()) {
            return fail("no bucket gs://" + env.bucket() + " to test", apply + " creates it");
        }
        List<Boolean> held = clients.storage().testIamPermissions(env.bucket(), BUCKET_PERMISSIONS);
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < BUCKET_PERMISSIONS.size(); i++) {
            if (!held.get(i)) {
                missing.add(BUCKET_PERMISSIONS.get(i));
            }
        }
        return missing.isEmpty() ? pass("the caller holds " + String.join(", ", BUCKET_PERMISSIONS) + " on gs://" + env.bucket())
                : fail("the caller lacks " + String.join(", ", missing) + " on gs://" + env.bucket(),
                        "grant roles/storage.objectAdmin on gs://" + env.bucket() + " to the control plane's account "
                                + "(deploy/iam/bucket-policy.json): " + apply + " adds that binding, or `gcloud storage buckets "
                                + "add-iam-policy-binding gs://" + env.bucket() + " --member=MEMBER --role=roles/storage.objectAdmin`");
    }

    private PreflightCheck serviceIam(long start) {
        String name = ServiceName.of(env.projectId(), env.region(), env.service()).toString();
        List<String> held = clients.services().testIamPermissions(TestIamPermissionsRequest.newBuilder().setResource(name)
                .addAllPermissions(SERVICE_PERMISSIONS).build()).getPermissionsList();
        List<String> missing = SERVICE_PERMISSIONS.stream().filter(p -> !held.contains(p)).toList();
        return missing.isEmpty() ? pass("the caller holds " + String.join(", ", SERVICE_PERMISSIONS) + " on service " + env.service())
                : fail("the caller lacks " + String.join(", ", missing) + " on service " + env.service(),
                        "grant roles/run.developer on the project or the service (deploy/iam/project-policy.json): `gcloud run "
                                + "services add-iam-policy-binding " + env.service() + " --region " + env.region()
                                + " --member=MEMBER --role=roles/run.developer`");
    }

    private PreflightCheck image(long start) {
        String image = env.executorImage();
        if (image.isBlank()) {
            return fail("environment " + env.name() + " names no executor image", "set `executorImage` of environment " + env.name()
                    + " in ~/.sandbox-ops/environments.json");
        }
        if (env.kind() != Environment.Kind.LOCAL) {
            return pass(image + ": whether it exists and starts is what the canary's first command shows");
        }
        DockerClient docker = DockerEngine.connect();
        try {
            docker.inspectImageCmd(image).exec();
            return pass(image + " is on the local Docker engine");
        } catch (NotFoundException e) {
            return fail("image " + image + " is not on the local Docker engine (the local cloud never pulls)",
                    "build it (executor/build-image.sh) or set `executorImage` of environment " + env.name());
        } finally {
            try {
                docker.close();
            } catch (java.io.IOException e) {
                // nothing held
            }
        }
    }

    private PreflightCheck logMetric(long start, String name, String apply) {
        try {
            clients.logMetrics().getLogMetric(LogMetricName.of(env.projectId(), name));
            return pass("logging.googleapis.com/user/" + name + " is defined");
        } catch (com.google.api.gax.rpc.NotFoundException e) {
            return fail("log-based metric " + name + " is missing in project " + env.projectId(),
                    apply + " creates it from deploy/log-metrics");
        }
    }

    private PreflightCheck alertPolicies(long start, String apply) {
        Set<String> has = new HashSet<>();
        for (AlertPolicy p : clients.alertPolicies().listAlertPolicies(ProjectName.of(env.projectId())).iterateAll()) {
            has.add(p.getDisplayName());
        }
        List<String> missing = DeployResources.alertPolicies().stream().map(AlertPolicy::getDisplayName).filter(n -> !has.contains(n)).toList();
        return missing.isEmpty() ? pass("the " + DeployResources.alertPolicies().size() + " alert policies of deploy/alert-policies exist")
                : fail(missing.size() + " alert polic" + (missing.size() == 1 ? "y is" : "ies are") + " missing: " + String.join("; ", missing),
                        apply + " creates them from deploy/alert-policies");
    }

    /** The dashboard of {@code deploy/dashboard.json}, found by display name as {@code env apply} creates it. */
    private PreflightCheck dashboard(long start, String apply) {
        String wanted = DeployResources.dashboard().getDisplayName();
        for (Dashboard d : clients.dashboards().listDashboards("projects/" + env.projectId()).iterateAll()) {
            if (d.getDisplayName().equals(wanted)) {
                return pass("dashboard \"" + wanted + "\" exists (" + d.getName() + ")");
            }
        }
        return fail("dashboard \"" + wanted + "\" (deploy/dashboard.json) is missing in project " + env.projectId(),
                apply + " creates it from deploy/dashboard.json");
    }

    private PreflightCheck jobIam(long start) {
        Optional<Job> job = jobOfImage();
        if (job.isEmpty()) {
            return warn("no job runs " + env.executorImage() + " yet", "the first session creates it; run `sandboxctl env check --env "
                    + env.name() + "` again after one");
        }
        String name = job.get().getName();
        List<String> held = clients.jobs().testIamPermissions(TestIamPermissionsRequest.newBuilder().setResource(name)
                .addAllPermissions(JOB_PERMISSIONS).build()).getPermissionsList();
        List<String> missing = JOB_PERMISSIONS.stream().filter(p -> !held.contains(p)).toList();
        String shortName = CloudRunJobManager.shortName(name);
        return missing.isEmpty() ? pass("job " + shortName + " runs " + env.executorImage() + "; the caller holds " + String.join(", ", JOB_PERMISSIONS))
                : fail("the caller lacks " + String.join(", ", missing) + " on job " + shortName,
                        "grant roles/run.developer on the project (deploy/iam/project-policy.json): `gcloud projects "
                                + "add-iam-policy-binding " + env.projectId() + " --member=MEMBER --role=roles/run.developer`");
    }

    private Optional<Job> jobOfImage() {
        for (Job j : clients.jobs().listJobs(clients.target().locationName()).iterateAll()) {
            boolean named = env.jobNamePrefix().isEmpty() || CloudRunJobManager.shortName(j.getName()).startsWith(env.jobNamePrefix());
            boolean runsImage = j.getTemplate().getTemplate().getContainersList().stream().anyMatch(c -> c.getImage().equals(env.executorImage()));
            if (named && runsImage) {
                return Optional.of(j);
            }
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- the live canary

    /** A session through the real backend: create, exec, file write and read, a background process, close; each timed. */
    private void canary(Consumer<PreflightCheck> record) {
        List<String> steps = List.of("canary: create", "canary: exec", "canary: file write/read", "canary: background process",
                "canary: close");
        if (canaryBackend.isEmpty()) {
            steps.forEach(s -> record.accept(new PreflightCheck(s, PreflightCheck.Outcome.FAIL, "not run",
                    "run the preflight with the live canary", Duration.ZERO)));
            return;
        }
        String fix = "see the `executor image` check; `sandboxctl session create --backend cloudrun --env " + env.name()
                + "` reproduces it and `sandboxctl logs --query failed-executions --env " + env.name() + "` shows the job's side";
        LinkedHashSet<String> left = new LinkedHashSet<>(steps);
        Sandbox[] sandbox = new Sandbox[1];
        try (SandboxBackend backend = canaryBackend.get().get()) {
            String nonce = UUID.randomUUID().toString();
            boolean ok = step(record, left, "canary: create", fix, () -> {
                sandbox[0] = backend.create(SandboxSpec.newBuilder().build());
                return "session " + sandbox[0].id() + " on " + sandbox[0].backend();
            });
            ok = ok && step(record, left, "canary: exec", fix, () -> {
                ExecResult r = sandbox[0].execStateful("echo preflight-" + nonce, sandbox[0].id(), CANARY_TIMEOUT);
                if (r.exitCode() != 0 || !r.stdout().contains("preflight-" + nonce)) {
                    throw new SandboxException("`echo` exited " + r.exitCode() + " with stdout \"" + r.stdout().strip() + "\"");
                }
                return "the first command (it starts the execution) answered; `echo` itself took " + r.duration().toMillis() + " ms";
            });
            ok = ok && step(record, left, "canary: file write/read", fix, () -> {
                sandbox[0].fileWrite("/tmp/preflight.txt", nonce, false, false, false);
                String back = sandbox[0].fileRead("/tmp/preflight.txt", LineRange.all());
                if (!back.strip().equals(nonce)) {
                    throw new SandboxException("read back \"" + back.strip() + "\" instead of what was written");
                }
                return "wrote and read /tmp/preflight.txt";
            });
            ok = ok && step(record, left, "canary: background process", fix, () -> {
                ExecResult r = sandbox[0].execStateful("sleep 60 &", sandbox[0].id(), CANARY_TIMEOUT);
                long pid = r.backgroundPid().orElseThrow(() -> new SandboxException("`sleep 60 &` reported no background pid"));
                boolean listed = sandbox[0].listBackgroundProcesses(Optional.of(sandbox[0].id())).stream().anyMatch(p -> p.pid() == pid);
                int killed = sandbox[0].killBackgroundProcess(KillTarget.pid(pid)).killedCount();
                if (!listed || killed != 1) {
                    throw new SandboxException("background pid " + pid + (listed ? "" : " was not listed") + (killed == 1 ? "" : " was not killed"));
                }
                return "started, listed and killed pid " + pid;
            });
            if (ok) {
                step(record, left, "canary: close", fix, () -> {
                    sandbox[0].closeSession(sandbox[0].id());
                    sandbox[0].destroy();
                    return "session closed and destroyed";
                });
            }
        } catch (RuntimeException e) {
            left.forEach(s -> record.accept(new PreflightCheck(s, PreflightCheck.Outcome.FAIL, "not run: " + message(e), fix, Duration.ZERO)));
            left.clear();
        } finally {
            if (sandbox[0] != null && left.contains("canary: close")) {
                try {
                    sandbox[0].destroy();
                } catch (RuntimeException e) {
                    // the sweep removes what is left; the failure above is what matters
                }
            }
        }
        left.forEach(s -> record.accept(new PreflightCheck(s, PreflightCheck.Outcome.FAIL, "not run: an earlier canary step failed",
                "fix the first failed canary step", Duration.ZERO)));
    }

    private static boolean step(Consumer<PreflightCheck> record, Set<String> left, String name, String fix, Supplier<String> body) {
        long start = System.nanoTime();
        left.remove(name);
        try {
            record.accept(new PreflightCheck(name, PreflightCheck.Outcome.PASS, body.get(), "", since(start)));
            return true;
        } catch (RuntimeException e) {
            record.accept(new PreflightCheck(name, PreflightCheck.Outcome.FAIL, message(e), fix, since(start)));
            return false;
        }
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static String message(Throwable e) {
        String root = SandboxException.rootMessage(e);
        String outer = String.valueOf(e.getMessage());
        return outer.contains(root) ? outer : outer + " (" + root + ")";
    }
}
