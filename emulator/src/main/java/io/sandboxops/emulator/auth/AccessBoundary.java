package io.sandboxops.emulator.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Credential Access Boundary as Google's STS takes it in the token exchange's {@code options}:
 * <pre>{"accessBoundary":{"accessBoundaryRules":[{"availableResource":"//storage.googleapis.com/projects/_/buckets/B",
 *   "availablePermissions":["inRole:roles/storage.objectViewer"],"availabilityCondition":{"expression":"…"}}]}}</pre>
 * A permission on a resource is available when some rule names its bucket, lists a role holding the permission, and
 * its condition (if any) holds. Validated as Google does when the token is made: at least one and at most
 * {@value #MAX_RULES} rules, bucket resources only, {@code inRole:} permissions only.
 */
public final class AccessBoundary {
    /** Google's limit on the rules in one boundary. */
    public static final int MAX_RULES = 10;

    static final String BUCKET_RESOURCE = "//storage.googleapis.com/projects/_/buckets/";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The predefined roles a boundary may name here, with their Cloud Storage permissions as Google documents them. */
    static final Map<String, Set<String>> ROLES = Map.of(
            "roles/storage.objectViewer", Set.of("storage.objects.get", "storage.objects.list",
                    "storage.folders.get", "storage.folders.list", "storage.managedFolders.get", "storage.managedFolders.list"),
            "roles/storage.objectCreator", Set.of("storage.objects.create", "storage.folders.create",
                    "storage.managedFolders.create", "storage.multipartUploads.create", "storage.multipartUploads.abort",
                    "storage.multipartUploads.listParts"),
            "roles/storage.objectAdmin", Set.of("storage.objects.create", "storage.objects.delete", "storage.objects.get",
                    "storage.objects.getIamPolicy", "storage.objects.list", "storage.objects.restore",
                    "storage.objects.setIamPolicy", "storage.objects.setRetention", "storage.objects.overrideUnlockedRetention",
                    "storage.objects.update", "storage.folders.create", "storage.folders.delete", "storage.folders.get",
                    "storage.folders.list", "storage.folders.rename", "storage.managedFolders.create",
                    "storage.managedFolders.delete", "storage.managedFolders.get", "storage.managedFolders.list",
                    "storage.multipartUploads.create", "storage.multipartUploads.abort", "storage.multipartUploads.list",
                    "storage.multipartUploads.listParts"),
            "roles/storage.legacyObjectReader", Set.of("storage.objects.get"),
            "roles/storage.legacyBucketReader", Set.of("storage.buckets.get", "storage.objects.list"));

    private final List<Rule> rules;

    private AccessBoundary(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /**
     * Parses the token exchange's {@code options} parameter.
     *
     * @throws Invalid naming what is wrong, as Google's STS answers {@code invalid_request}
     */
    public static AccessBoundary fromOptions(String options) {
        JsonNode root;
        try {
            root = JSON.readTree(options);
        } catch (JsonProcessingException e) {
            throw new Invalid("the options parameter is not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode list = root == null ? null : root.path("accessBoundary").get("accessBoundaryRules");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new Invalid("the access boundary needs at least one rule (options.accessBoundary.accessBoundaryRules)");
        }
        if (list.size() > MAX_RULES) {
            throw new Invalid("the access boundary has " + list.size() + " rules; at most " + MAX_RULES + " are allowed");
        }
        List<Rule> rules = new ArrayList<>();
        for (JsonNode r : list) {
            rules.add(rule(r, rules.size()));
        }
        return new AccessBoundary(rules);
    }

    private static Rule rule(JsonNode r, int index) {
        String where = "access boundary rule " + (index + 1);
        String resource = r.path("availableResource").asText("");
        if (!resource.startsWith(BUCKET_RESOURCE) || resource.length() == BUCKET_RESOURCE.length()
                || resource.indexOf('/', BUCKET_RESOURCE.length()) >= 0) {
            throw new Invalid(where + ": availableResource must name a bucket, //storage.googleapis.com/projects/_/buckets/"
                    + "BUCKET; got \"" + printable(resource) + "\"");
        }
        JsonNode perms = r.get("availablePermissions");
        if (perms == null || !perms.isArray() || perms.isEmpty()) {
            throw new Invalid(where + ": availablePermissions must list at least one role (inRole:roles/…)");
        }
        Set<String> permissions = new LinkedHashSet<>();
        for (JsonNode p : perms) {
            String text = p.asText("");
            if (!text.startsWith("inRole:")) {
                throw new Invalid(where + ": the available permission \"" + printable(text) + "\" must name a role, "
                        + "e.g. inRole:roles/storage.objectViewer");
            }
            Set<String> granted = ROLES.get(text.substring("inRole:".length()));
            if (granted == null) {
                throw new Invalid(where + ": the role \"" + printable(text) + "\" is not known to the local cloud; supported are "
                        + String.join(", ", ROLES.keySet().stream().sorted().map(k -> "inRole:" + k).toList()));
            }
            permissions.addAll(granted);
        }
        AccessCondition condition = null;
        JsonNode c = r.get("availabilityCondition");
        if (c != null && !c.isNull()) {
            String expression = c.path("expression").asText("");
            if (expression.isBlank()) {
                throw new Invalid(where + ": availabilityCondition needs an expression");
            }
            try {
                condition = AccessCondition.parse(expression);
            } catch (AccessCondition.Unsupported e) {
                throw new Invalid(where + ": " + e.getMessage());
            }
        }
        return new Rule(resource.substring(BUCKET_RESOURCE.length()), Set.copyOf(permissions), condition);
    }

    /** Whether {@code permission} is available on {@code resource} in {@code bucket}. */
    public boolean allows(String permission, String bucket, AccessCondition.Resource resource) {
        for (Rule r : rules) {
            if (r.bucket.equals(bucket) && r.permissions.contains(permission)
                    && (r.condition == null || r.condition.holds(resource))) {
                return true;
            }
        }
        return false;
    }

    private record Rule(String bucket, Set<String> permissions, AccessCondition condition) {
    }

    private static String printable(String s) {
        String cut = s.length() > 120 ? s.substring(0, 120) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    /** A boundary Google's STS would refuse, or one outside what the local cloud can enforce. */
    public static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message);
        }
    }
}
