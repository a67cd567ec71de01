package io.sandboxops.core.preflight;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.storage.BucketInfo.LifecycleRule;
import com.google.cloud.storage.BucketInfo.LifecycleRule.LifecycleAction;
import com.google.cloud.storage.BucketInfo.LifecycleRule.LifecycleCondition;
import com.google.cloud.storage.StorageClass;
import com.google.logging.v2.LogMetric;
import com.google.monitoring.dashboard.v1.Dashboard;
import com.google.monitoring.v3.AlertPolicy;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.sandboxops.core.api.SandboxException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What {@code deploy/} (packaged on the classpath) says an environment has: the bucket's lifecycle rules and IAM
 * bindings, the log-based metrics, the alert policies, the dashboard. Parsed into the API types they are created as, so a preflight
 * compares and {@code env apply} creates exactly what the files say.
 */
public final class DeployResources {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROOT = "/deploy/";

    private DeployResources() {
    }

    /** A bucket binding of {@code deploy/iam/bucket-policy.json}, {@code PROJECT_ID} replaced. */
    public record Binding(String role, List<String> members) {
    }

    public static List<LogMetric> logMetrics() {
        return list("log-metrics").stream().map(f -> parse("log-metrics/" + f, LogMetric.newBuilder()).build()).toList();
    }

    public static List<AlertPolicy> alertPolicies() {
        return list("alert-policies").stream().map(f -> parse("alert-policies/" + f, AlertPolicy.newBuilder()).build()).toList();
    }

    /** {@code deploy/dashboard.json}, without a name: the service names it when it is created. */
    public static Dashboard dashboard() {
        return parse("dashboard.json", Dashboard.newBuilder()).build();
    }

    /** The rules of {@code deploy/bucket-lifecycle.json}. */
    public static List<LifecycleRule> lifecycleRules() {
        List<LifecycleRule> rules = new ArrayList<>();
        for (JsonNode r : json("bucket-lifecycle.json").path("rule")) {
            JsonNode action = r.path("action");
            LifecycleAction a = switch (action.path("type").asText()) {
                case "Delete" -> LifecycleAction.newDeleteAction();
                case "AbortIncompleteMultipartUpload" -> LifecycleAction.newAbortIncompleteMPUploadAction();
                case "SetStorageClass" -> LifecycleAction.newSetStorageClassAction(StorageClass.valueOf(action.path("storageClass").asText()));
                default -> throw new SandboxException("deploy/bucket-lifecycle.json: unknown action " + action.path("type").asText());
            };
            LifecycleCondition.Builder c = LifecycleCondition.newBuilder();
            if (r.path("condition").has("age")) {
                c.setAge(r.path("condition").path("age").asInt());
            }
            rules.add(new LifecycleRule(a, c.build()));
        }
        return rules;
    }

    /** A rule in a form two buckets can be compared by: action type and age. */
    public static String describe(LifecycleRule rule) {
        Integer age = rule.getCondition().getAge();
        return rule.getAction().getActionType() + (age == null ? "" : " after " + age + " d");
    }

    /** The bindings {@code deploy/iam/bucket-policy.json} describes, for {@code projectId}. */
    public static List<Binding> bucketBindings(String projectId) {
        List<Binding> out = new ArrayList<>();
        for (JsonNode b : json("iam/bucket-policy.json").path("bindings")) {
            List<String> members = new ArrayList<>();
            b.path("members").forEach(m -> members.add(m.asText().replace("PROJECT_ID", projectId)));
            out.add(new Binding(b.path("role").asText(), members));
        }
        return out;
    }

    private static JsonNode json(String path) {
        try {
            return JSON.readTree(text(path));
        } catch (IOException e) {
            throw new SandboxException("deploy/" + path + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static <B extends Message.Builder> B parse(String path, B builder) {
        try {
            JsonFormat.parser().merge(text(path), builder);
            return builder;
        } catch (InvalidProtocolBufferException e) {
            throw new SandboxException("deploy/" + path + " does not parse as " + builder.getDescriptorForType().getName() + ": "
                    + e.getMessage(), e);
        }
    }

    private static String text(String path) {
        try (InputStream in = DeployResources.class.getResourceAsStream(ROOT + path)) {
            if (in == null) {
                throw new SandboxException("deploy/" + path + " is missing from this build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SandboxException("cannot read deploy/" + path + ": " + e.getMessage(), e);
        }
    }

    /** The {@code .json} files of a deploy folder, by name: from a directory or a jar alike. */
    static List<String> list(String folder) {
        URL url = DeployResources.class.getResource(ROOT + folder);
        if (url == null) {
            throw new SandboxException("deploy/" + folder + " is missing from this build");
        }
        try {
            URI uri = url.toURI();
            if (uri.getScheme().equals("jar")) {
                FileSystem fs;
                try {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException e) {
                    fs = FileSystems.getFileSystem(uri);
                }
                return names(fs.getPath(ROOT + folder));
            }
            return names(Path.of(uri));
        } catch (IOException | URISyntaxException e) {
            throw new SandboxException("cannot list deploy/" + folder + ": " + e.getMessage(), e);
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        }
    }
}
