package io.sandboxops.emulator.storage;

import java.util.Map;
import java.util.Set;

/** The Cloud Storage permissions of the predefined roles a bucket policy names (those the product uses). */
final class BucketRoles {
    private static final Set<String> OBJECT_VIEWER = Set.of("storage.objects.get", "storage.objects.list");
    private static final Set<String> OBJECT_ADMIN = Set.of("storage.objects.get", "storage.objects.list", "storage.objects.create",
            "storage.objects.delete", "storage.objects.update", "storage.objects.getIamPolicy", "storage.objects.setIamPolicy");
    private static final Set<String> BUCKET_OWNER = Set.of("storage.buckets.get", "storage.buckets.update",
            "storage.buckets.getIamPolicy", "storage.buckets.setIamPolicy", "storage.objects.list", "storage.objects.create",
            "storage.objects.delete");
    private static final Map<String, Set<String>> ROLES = Map.of(
            "roles/storage.objectViewer", OBJECT_VIEWER,
            "roles/storage.objectAdmin", OBJECT_ADMIN,
            "roles/storage.legacyBucketOwner", BUCKET_OWNER,
            "roles/storage.admin", union(OBJECT_ADMIN, BUCKET_OWNER, Set.of("storage.buckets.delete")));

    private BucketRoles() {
    }

    static Set<String> permissions(String role) {
        return ROLES.getOrDefault(role, Set.of());
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        java.util.Set<String> all = new java.util.HashSet<>();
        for (Set<String> s : sets) {
            all.addAll(s);
        }
        return Set.copyOf(all);
    }
}
