package io.sandboxops.core.observe;

import io.sandboxops.core.testing.LocalTargets;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.storage.model.Bucket;
import com.google.iam.v1.Policy;
import com.google.logging.v2.LogMetric;
import com.google.monitoring.v3.Aggregation;
import com.google.monitoring.v3.AlertPolicy;
import com.google.monitoring.v3.ListTimeSeriesRequest;
import com.google.monitoring.v3.TimeInterval;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.sandboxops.core.env.GoogleClients;
import io.sandboxops.core.rollout.RolloutSettings;
import io.sandboxops.emulator.LocalCloud;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every ops resource in {@code deploy/} parsed into the API type it is applied as (strictly: an unknown or
 * misspelt field fails), and the Monitoring queries in it run against the emulator, so none is dead text.
 */
class DeployResourcesTest {

    private static final List<String> ALERT_POLICIES = List.of("critical-job-failure-rate", "critical-latency-p99",
            "critical-cost-anomaly", "warning-job-success-rate", "warning-state-save-failures", "warning-permission-errors");

    private static LocalCloud cloud;
    private static GoogleClients clients;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start();
        clients = new GoogleClients(LocalTargets.of(cloud));
    }

    @AfterAll
    static void stop() {
        clients.close();
        cloud.close();
    }

    static String resource(String path) throws IOException {
        try (InputStream in = DeployResourcesTest.class.getResourceAsStream("/deploy/" + path)) {
            assertThat(in).as("deploy/" + path + " is on the classpath").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static <B extends Message.Builder> B parse(String path, B builder) throws IOException {
        JsonFormat.parser().merge(resource(path), builder);
        return builder;
    }

    /** Runs a Monitoring filter and aggregation against the emulator; a filter it cannot parse fails here. */
    private static void runsAgainstTheEmulator(String filter, Aggregation aggregation) {
        Instant now = Instant.now();
        clients.metrics().listTimeSeries(ListTimeSeriesRequest.newBuilder()
                .setName("projects/" + cloud.endpoints().projectId())
                .setFilter(filter)
                .setInterval(TimeInterval.newBuilder().setStartTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond() - 3600))
                        .setEndTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond())))
                .setAggregation(aggregation)
                .build()).iterateAll().forEach(s -> { });
    }

    /** The emulator computes Cloud Run's built-in metrics; log-based metrics exist only on GCP. */
    private static boolean emulated(String filter) {
        return filter.contains("run.googleapis.com/");
    }

    /**
     * The ops resources live once, in the repository's top-level {@code src/main/resources/deploy/}; the core's jar
     * carries exactly that tree, byte for byte, and no module keeps a copy of its own.
     */
    @Test
    void theClasspathCarriesTheTopLevelDeployFolderAndNoCopy() throws Exception {
        Path repo = Path.of("").toAbsolutePath().getParent();
        Path source = repo.resolve("src/main/resources/deploy");
        assertThat(source).as("the top-level ops resources folder").isDirectory();
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.walk(source)) {
            files.filter(Files::isRegularFile).forEach(f -> names.add(source.relativize(f).toString().replace('\\', '/')));
        }
        assertThat(names).contains("dashboard.json", "log-queries.json", "bucket-lifecycle.json", "iam/bucket-policy.json",
                "environments.example.json", "log-metrics/sandbox-operation-latency.json", "log-metrics/sandbox-operation-count.json",
                "log-metrics/sandbox-operation-errors.json");
        for (String name : names) {
            assertThat(resource(name)).as(name).isEqualTo(Files.readString(source.resolve(name)));
        }
        for (String module : List.of("sandbox-core", "app", "executor", "emulator")) {
            assertThat(repo.resolve(module).resolve("src/main/resources/deploy")).as(module + " keeps no copy").doesNotExist();
        }
    }

    @Test
    void alertPoliciesAreAlertPoliciesForThePlansAlerts() throws IOException {
        for (String name : ALERT_POLICIES) {
            AlertPolicy policy = parse("alert-policies/" + name + ".json", AlertPolicy.newBuilder()).build();
            assertThat(policy.getDisplayName()).as(name).startsWith("Sandbox: ");
            assertThat(policy.getSeverity()).as(name).isEqualTo(name.startsWith("critical")
                    ? AlertPolicy.Severity.CRITICAL : AlertPolicy.Severity.WARNING);
            assertThat(policy.getConditionsList()).as(name).isNotEmpty();
            assertThat(policy.getDocumentation().getContent()).as(name).isNotBlank();
            for (AlertPolicy.Condition c : policy.getConditionsList()) {
                if (c.hasConditionThreshold()) {
                    AlertPolicy.Condition.MetricThreshold t = c.getConditionThreshold();
                    if (emulated(t.getFilter())) {
                        runsAgainstTheEmulator(t.getFilter(), t.getAggregations(0));
                    }
                    if (!t.getDenominatorFilter().isEmpty()) {
                        runsAgainstTheEmulator(t.getDenominatorFilter(), t.getDenominatorAggregations(0));
                    }
                } else {
                    assertThat(c.hasConditionMatchedLog()).as(name).isTrue();
                    assertThat(policy.getAlertStrategy().hasNotificationRateLimit()).as(name + ": log alerts need a rate limit").isTrue();
                }
            }
        }
        Map<String, Double> thresholds = new HashMap<>();
        for (String name : ALERT_POLICIES) {
            AlertPolicy.Condition c = parse("alert-policies/" + name + ".json", AlertPolicy.newBuilder()).getConditions(0);
            if (c.hasConditionThreshold()) {
                thresholds.put(name, c.getConditionThreshold().getThresholdValue());
            }
        }
        // The plan's thresholds, as the core's targets hold them.
        MetricTargets plan = MetricTargets.originalPlan();
        assertThat(thresholds.get("critical-job-failure-rate") * 100).isEqualTo(plan.objective(Indicator.ERROR_RATE).orElseThrow().alertThreshold());
        assertThat(thresholds.get("critical-latency-p99") / 1000).as("ms → s")
                .isEqualTo(plan.objective(Indicator.LATENCY_P99).orElseThrow().alertThreshold());
        assertThat(thresholds.get("warning-job-success-rate") * 100).isEqualTo(plan.objective(Indicator.SUCCESS_RATE).orElseThrow().target());
    }

    @Test
    void theAlertPolicyFolderHoldsNothingElse() throws Exception {
        Path dir = Path.of(DeployResourcesTest.class.getResource("/deploy/alert-policies").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString().replace(".json", "")).toList())
                    .containsExactlyInAnyOrderElementsOf(ALERT_POLICIES);
        }
    }

    @Test
    void theDashboardsQueriesParseAndRun() throws IOException {
        // As a whole, strictly, into the Dashboards API's own type, as env apply creates it: an unknown or misspelt field fails here.
        com.google.monitoring.dashboard.v1.Dashboard whole = io.sandboxops.core.preflight.DeployResources.dashboard();
        assertThat(whole.getMosaicLayout().getTilesCount()).isGreaterThanOrEqualTo(5);
        assertThat(whole.getDisplayName()).isNotEmpty();
        assertThat(whole.getName()).as("the service names it").isEmpty();
        JsonNode dashboard = new ObjectMapper().readTree(resource("dashboard.json"));
        assertThat(fieldNames(dashboard)).isSubsetOf(Set.of("displayName", "labels", "mosaicLayout", "dashboardFilters"));
        List<JsonNode> filters = new ArrayList<>();
        collect(dashboard, "timeSeriesFilter", filters);
        assertThat(filters).hasSizeGreaterThanOrEqualTo(5);
        for (JsonNode f : filters) {
            assertThat(fieldNames(f)).isSubsetOf(Set.of("filter", "aggregation", "secondaryAggregation", "pickTimeSeriesFilter"));
            Aggregation.Builder aggregation = Aggregation.newBuilder();
            // The dashboard's Aggregation has the fields of Monitoring v3's, so the v3 type parses it strictly.
            JsonFormat.parser().merge(f.get("aggregation").toString(), aggregation);
            if (emulated(f.get("filter").asText())) {
                runsAgainstTheEmulator(f.get("filter").asText(), aggregation.build());
            }
        }
        List<JsonNode> tiles = new ArrayList<>();
        dashboard.path("mosaicLayout").path("tiles").forEach(tiles::add);
        for (JsonNode tile : tiles) {
            assertThat(fieldNames(tile)).isSubsetOf(Set.of("xPos", "yPos", "width", "height", "widget"));
            assertThat(tile.path("xPos").asInt() + tile.path("width").asInt()).isLessThanOrEqualTo(12);
        }
        List<JsonNode> logPanels = new ArrayList<>();
        collect(dashboard, "logsPanel", logPanels);
        assertThat(logPanels).singleElement().satisfies(p -> assertThat(p.get("filter").asText())
                .isEqualTo(LogsService.preparedQuery("failed-executions").filter()));
    }

    @Test
    void theLogMetricIsALogMetricOnTheClientEventsOnly() throws IOException {
        LogMetric metric = parse("log-metrics/sandbox-operation-latency.json", LogMetric.newBuilder()).build();
        assertThat(metric.getName()).isEqualTo("sandbox_operation_latency");
        assertThat(metric.getFilter()).as("the client's own log, never a job's output")
                .contains("logName:\"/logs/" + SandboxEvent.LOG_ID + "\"").contains("jsonPayload.event=\"" + SandboxEvent.EVENT + "\"")
                .doesNotContain("cloud_run_job");
        assertThat(metric.getValueExtractor()).isEqualTo("EXTRACT(jsonPayload.duration_ms)");
        assertThat(metric.getLabelExtractorsMap()).containsEntry("backend", "EXTRACT(jsonPayload.backend)")
                .containsKeys("mode", "operation", "outcome");
        assertThat(metric.getMetricDescriptor().getLabelsList()).extracting(l -> l.getKey())
                .containsExactlyInAnyOrderElementsOf(metric.getLabelExtractorsMap().keySet());
        assertThat(metric.getMetricDescriptor().getUnit()).isEqualTo("ms");
        String alert = resource("alert-policies/critical-latency-p99.json");
        assertThat(alert).contains("logging.googleapis.com/user/" + metric.getName()).contains("metric.label.backend=\\\"cloudrun\\\"");
        assertThat(resource("dashboard.json")).contains("logging.googleapis.com/user/" + metric.getName()).doesNotContain("sandbox_command_latency");
    }

    /**
     * The per-backend count and error metrics ({@code env apply} creates every file in the folder): strictly parsed, and
     * their filters run in the emulator's Cloud Logging over real client events of both backends, so the error metric
     * counts exactly the outcomes the gates count as the backend's errors, per backend, and a job's output never.
     */
    @Test
    void theCountAndErrorMetricsSelectEachBackendsOperationsAndItsErrors() throws Exception {
        Path dir = Path.of(DeployResourcesTest.class.getResource("/deploy/log-metrics").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder("sandbox-operation-latency.json",
                    "sandbox-operation-count.json", "sandbox-operation-errors.json");
        }
        LogMetric count = parse("log-metrics/sandbox-operation-count.json", LogMetric.newBuilder()).build();
        LogMetric errors = parse("log-metrics/sandbox-operation-errors.json", LogMetric.newBuilder()).build();
        for (LogMetric m : List.of(count, errors)) {
            assertThat(m.getName()).matches("sandbox_operation_[a-z]+");
            assertThat(m.getValueExtractor()).as("a counter").isEmpty();
            assertThat(m.getMetricDescriptor().getValueType()).isEqualTo(com.google.api.MetricDescriptor.ValueType.INT64);
            assertThat(m.getLabelExtractorsMap()).containsEntry("backend", "EXTRACT(jsonPayload.backend)").containsKeys("mode", "operation", "outcome");
            assertThat(m.getMetricDescriptor().getLabelsList()).extracting(l -> l.getKey())
                    .containsExactlyInAnyOrderElementsOf(m.getLabelExtractorsMap().keySet());
        }
        // The dashboard divides one by the other per backend.
        List<JsonNode> ratios = new ArrayList<>();
        collect(new ObjectMapper().readTree(resource("dashboard.json")), "timeSeriesFilterRatio", ratios);
        assertThat(ratios).singleElement().satisfies(r -> {
            assertThat(r.path("numerator").path("filter").asText()).contains("logging.googleapis.com/user/" + errors.getName());
            assertThat(r.path("denominator").path("filter").asText()).contains("logging.googleapis.com/user/" + count.getName());
            assertThat(r.path("numerator").path("aggregation").path("groupByFields").toString()).contains("metric.label.backend");
        });
        Instant from = Instant.now().minusSeconds(1);
        List<SandboxEvent> written = new ArrayList<>();
        try (CloudLoggingEventSink sink = new CloudLoggingEventSink(LocalTargets.of(cloud))) {
            for (String backend : List.of("docker", "cloudrun")) {
                for (SandboxEvent.Outcome outcome : SandboxEvent.Outcome.values()) {
                    SandboxEvent e = new SandboxEvent(Instant.now(), backend, backend.equals("docker") ? "container" : "session", "exec", outcome,
                            12, SandboxEvent.sessionKey("deploy-" + backend), java.util.OptionalInt.empty(), java.util.OptionalLong.empty());
                    sink.record(e);
                    written.add(e);
                }
            }
        }
        for (String backend : List.of("docker", "cloudrun")) {
            String scope = " AND jsonPayload.backend=\"" + backend + "\" AND timestamp>=\"" + from + "\"";
            assertThat(entries(count.getFilter() + scope)).as(backend + " operations").isEqualTo(written.stream()
                    .filter(e -> e.backend().equals(backend)).count());
            assertThat(entries(errors.getFilter() + scope)).as(backend + " errors of the backend").isEqualTo(written.stream()
                    .filter(e -> e.backend().equals(backend) && e.outcome().backendError()).count()).isPositive();
        }
    }

    private static long entries(String filter) {
        long[] n = new long[1];
        clients.logging().listLogEntries(com.google.logging.v2.ListLogEntriesRequest.newBuilder()
                .addResourceNames("projects/" + cloud.endpoints().projectId()).setFilter(filter).build()).iterateAll().forEach(e -> n[0]++);
        return n[0];
    }

    @Test
    void theBucketLifecycleIsAStorageLifecycle() throws IOException {
        Bucket.Lifecycle lifecycle = GsonFactory.getDefaultInstance().createJsonParser(resource("bucket-lifecycle.json"))
                .parseAndClose(Bucket.Lifecycle.class);
        assertThat(lifecycle.getRule()).extracting(r -> r.getAction().getType())
                .containsExactly("Delete", "AbortIncompleteMultipartUpload");
        assertThat(lifecycle.getRule()).allSatisfy(r -> assertThat(r.getCondition().getAge()).isPositive());
        assertThat(new ObjectMapper().readTree(resource("bucket-lifecycle.json")).path("rule")).allSatisfy(rule -> {
            assertThat(fieldNames(rule)).isSubsetOf(Set.of("action", "condition"));
            assertThat(fieldNames(rule.path("condition"))).isSubsetOf(Set.of("age", "matchesPrefix", "matchesSuffix", "createdBefore",
                    "isLive", "numNewerVersions", "daysSinceNoncurrentTime", "daysSinceCustomTime", "matchesStorageClass"));
        });
    }

    @Test
    void theIamPoliciesGrantWhatTheBackendTheExecutorAndOnCallNeed() throws IOException {
        Policy project = parse("iam/project-policy.json", Policy.newBuilder()).build();
        Policy bucket = parse("iam/bucket-policy.json", Policy.newBuilder()).build();
        String backend = "serviceAccount:sandbox-backend@PROJECT_ID.iam.gserviceaccount.com";
        String executor = "serviceAccount:sandbox-executor@PROJECT_ID.iam.gserviceaccount.com";
        assertThat(roles(project, backend)).contains("roles/run.developer", "roles/logging.logWriter", "roles/monitoring.metricWriter");
        // Code in a sandbox can reach the executor's credentials (the metadata server): with a log writer role it could
        // write the client's own operation events, which the metrics and the gates read. Cloud Run logs a job's
        // stdout and stderr itself; the executor needs no logging or monitoring role.
        assertThat(roles(project, executor)).doesNotContain("roles/logging.logWriter", "roles/logging.admin", "roles/monitoring.metricWriter",
                "roles/run.developer", "roles/editor", "roles/owner");
        assertThat(roles(project, "group:sandbox-oncall@example.com")).as("sessions opened from the console or sandboxctl log their events")
                .contains("roles/logging.logWriter");
        assertThat(roles(bucket, backend)).contains("roles/storage.objectAdmin");
        assertThat(roles(bucket, executor)).as("executions reach the bucket only with a token downscoped to their own session, "
                + "so the metadata server's token of the job's account must open nothing there").isEmpty();
        assertThat(roles(project, executor)).as("nor through a project-wide role").noneMatch(r -> r.startsWith("roles/storage.")
                || r.equals("roles/editor") || r.equals("roles/owner"));
        JsonNode perAccount = new ObjectMapper().readTree(resource("iam/service-account-policies.json"));
        for (Iterator<Map.Entry<String, JsonNode>> it = perAccount.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Policy.Builder p = Policy.newBuilder();
            JsonFormat.parser().merge(e.getValue().toString(), p);
            assertThat(p.getBindingsList()).as(e.getKey()).isNotEmpty();
        }
        Policy.Builder onExecutor = Policy.newBuilder();
        JsonFormat.parser().merge(perAccount.get("sandbox-executor@PROJECT_ID.iam.gserviceaccount.com").toString(), onExecutor);
        assertThat(roles(onExecutor.build(), backend)).as("the backend runs jobs as the executor").contains("roles/iam.serviceAccountUser");
    }

    @Test
    void theEnvExampleHasEveryVariableTheCoreReadsAndItsValuesAreValid() throws IOException {
        Properties env = new Properties();
        env.load(new StringReader(resource("env.example")));
        // Every variable name written as a string literal in the core's sources (the module's own tree).
        Set<String> read = new TreeSet<>();
        Pattern literal = Pattern.compile("\"((?:USE_CLOUDRUN|CLOUDRUN|GCP|SANDBOX)_[A-Z0-9_]+)\"");
        Path sourceRoot = Path.of("src/main/java");
        assertThat(sourceRoot).as("this test reads the module's sources; run it from the module directory (as Maven does)").isDirectory();
        try (Stream<Path> sources = Files.walk(sourceRoot)) {
            for (Path p : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = literal.matcher(Files.readString(p));
                while (m.find()) {
                    read.add(m.group(1));
                }
            }
        }
        assertThat(read).contains(RolloutSettings.FLAG, RolloutSettings.PERCENTAGE, RolloutSettings.PROJECT);
        assertThat(env.stringPropertyNames()).containsAll(read);
        Map<String, String> asMap = new HashMap<>();
        env.stringPropertyNames().forEach(k -> asMap.put(k, env.getProperty(k)));
        assertThat(RolloutSettings.fromEnvironment(asMap)).isEqualTo(new RolloutSettings(false, 0, java.util.Optional.of("your-project-id")));
    }

    private static List<String> roles(Policy policy, String member) {
        return policy.getBindingsList().stream().filter(b -> b.getMembersList().contains(member)).map(b -> b.getRole()).toList();
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void collect(JsonNode node, String field, List<JsonNode> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals(field)) {
                    out.add(e.getValue());
                } else {
                    collect(e.getValue(), field, out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, field, out));
        }
    }
}
