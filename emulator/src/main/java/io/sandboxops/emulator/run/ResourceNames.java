package io.sandboxops.emulator.run;

import io.sandboxops.emulator.ApiError;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and checks the resource names of the Cloud Run Admin API v2. */
final class ResourceNames {

    private static final Pattern LOCATION = Pattern.compile("projects/([^/]+)/locations/([^/]+)");
    private static final Pattern CHILD = Pattern.compile("(projects/[^/]+/locations/[^/]+)/(jobs|services)/([^/]+)");
    private static final Pattern GRANDCHILD =
            Pattern.compile("((projects/[^/]+/locations/[^/]+)/(jobs|services)/([^/]+))/(executions|revisions)/([^/]+)");
    /** Cloud Run resource ids: lower-case letters, digits and hyphens, starting with a letter, at most 63. */
    private static final Pattern ID = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");

    private ResourceNames() {
    }

    static String location(String parent, String field) {
        if (!LOCATION.matcher(parent).matches()) {
            throw ApiError.invalidArgument(field, "'" + parent + "' is not of the form projects/{project}/locations/{location}");
        }
        return parent;
    }

    static String projectOf(String name) {
        Matcher m = Pattern.compile("projects/([^/]+)/.*").matcher(name);
        return m.matches() ? m.group(1) : "";
    }

    static String locationOf(String name) {
        Matcher m = Pattern.compile("projects/[^/]+/locations/([^/]+).*").matcher(name);
        return m.matches() ? m.group(1) : "";
    }

    /** Checks {@code projects/p/locations/l/{collection}/{id}} and returns it. */
    static String child(String name, String collection, String field) {
        Matcher m = CHILD.matcher(name);
        if (!m.matches() || !m.group(2).equals(collection)) {
            throw ApiError.invalidArgument(field, "'" + name + "' is not of the form projects/{project}/locations/{location}/"
                    + collection + "/{" + collection.substring(0, collection.length() - 1) + "}");
        }
        return name;
    }

    static String grandchild(String name, String collection, String field) {
        Matcher m = GRANDCHILD.matcher(name);
        if (!m.matches() || !m.group(5).equals(collection)) {
            throw ApiError.invalidArgument(field, "'" + name + "' is not a valid " + collection + " name");
        }
        return name;
    }

    static String lastSegment(String name) {
        return name.substring(name.lastIndexOf('/') + 1);
    }

    static String parentOf(String name) {
        return name.substring(0, name.lastIndexOf('/', name.lastIndexOf('/') - 1));
    }

    static void checkId(String id, String field) {
        if (id == null || id.isEmpty()) {
            throw ApiError.invalidArgument(field, "must not be empty");
        }
        if (!ID.matcher(id).matches()) {
            throw ApiError.invalidArgument(field, "'" + id + "' must start with a letter, contain only lower-case "
                    + "letters, digits and hyphens, not end with a hyphen, and be at most 63 characters long");
        }
    }
}
