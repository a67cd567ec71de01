package io.sandboxops.emulator.storage;

import java.util.Map;

/**
 * The generation preconditions of one request. {@code ifGenerationMatch=0} means "the object must not
 * exist", exactly as in the real API; any failed condition is a 412.
 */
record Preconditions(Long ifGenerationMatch, Long ifGenerationNotMatch,
                     Long ifMetagenerationMatch, Long ifMetagenerationNotMatch) {

    static Preconditions from(Map<String, String> query, String prefix) {
        return new Preconditions(
                number(query, prefix + "GenerationMatch"), number(query, prefix + "GenerationNotMatch"),
                number(query, prefix + "MetagenerationMatch"), number(query, prefix + "MetagenerationNotMatch"));
    }

    static Preconditions none() {
        return new Preconditions(null, null, null, null);
    }

    /** Reads answer a matching "not match" with 304 Not Modified; writes answer it with 412. */
    void check(StoredObject current, boolean read) {
        long generation = current == null ? 0 : current.generation();
        if (ifGenerationMatch != null && ifGenerationMatch != generation) {
            throw StorageException.conditionNotMet();
        }
        if (ifGenerationNotMatch != null && ifGenerationNotMatch == generation) {
            throw read && current != null ? notModified() : StorageException.conditionNotMet();
        }
        if (ifMetagenerationMatch != null && (current == null || ifMetagenerationMatch != current.metageneration())) {
            throw StorageException.conditionNotMet();
        }
        if (ifMetagenerationNotMatch != null && current != null && ifMetagenerationNotMatch == current.metageneration()) {
            throw read ? notModified() : StorageException.conditionNotMet();
        }
    }

    boolean isEmpty() {
        return ifGenerationMatch == null && ifGenerationNotMatch == null
                && ifMetagenerationMatch == null && ifMetagenerationNotMatch == null;
    }

    private static StorageException notModified() {
        return new StorageException(304, "notModified", "Not Modified");
    }

    private static Long number(Map<String, String> query, String key) {
        String v = query.get(key);
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw StorageException.invalid("Invalid argument for " + key + ": " + v);
        }
    }
}
