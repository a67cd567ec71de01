package io.sandboxops.emulator.storage;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** The writable fields of an object resource, as sent in an insert, patch or rewrite body. */
record ObjectAttributes(
        String name,
        String contentType,
        String contentEncoding,
        String contentDisposition,
        String contentLanguage,
        String cacheControl,
        Map<String, String> metadata,
        String crc32c,
        String md5Hash) {

    static ObjectAttributes empty() {
        return new ObjectAttributes(null, null, null, null, null, null, Map.of(), null, null);
    }

    static ObjectAttributes fromJson(JsonNode json) {
        if (json == null || json.isNull() || json.isMissingNode()) {
            return empty();
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode meta = json.get("metadata");
        if (meta != null && meta.isObject()) {
            meta.fields().forEachRemaining(e -> {
                if (!e.getValue().isNull()) {
                    metadata.put(e.getKey(), e.getValue().asText());
                }
            });
        }
        return new ObjectAttributes(text(json, "name"), text(json, "contentType"), text(json, "contentEncoding"),
                text(json, "contentDisposition"), text(json, "contentLanguage"), text(json, "cacheControl"),
                Map.copyOf(metadata), text(json, "crc32c"), text(json, "md5Hash"));
    }

    /** Applies a JSON merge patch: present fields replace, {@code null} clears, metadata keys merge. */
    ObjectAttributes patchedBy(JsonNode patch) {
        Map<String, String> merged = new LinkedHashMap<>(metadata);
        JsonNode meta = patch.get("metadata");
        if (meta != null && meta.isNull()) {
            merged.clear();
        } else if (meta != null && meta.isObject()) {
            meta.fields().forEachRemaining(e -> {
                if (e.getValue().isNull()) {
                    merged.remove(e.getKey());
                } else {
                    merged.put(e.getKey(), e.getValue().asText());
                }
            });
        }
        return new ObjectAttributes(name,
                patched(patch, "contentType", contentType), patched(patch, "contentEncoding", contentEncoding),
                patched(patch, "contentDisposition", contentDisposition),
                patched(patch, "contentLanguage", contentLanguage), patched(patch, "cacheControl", cacheControl),
                Map.copyOf(merged), null, null);
    }

    static ObjectAttributes of(StoredObject o) {
        return new ObjectAttributes(o.name(), o.contentType(), o.contentEncoding(), o.contentDisposition(),
                o.contentLanguage(), o.cacheControl(), o.metadata(), null, null);
    }

    ObjectAttributes withName(String newName) {
        return new ObjectAttributes(newName, contentType, contentEncoding, contentDisposition, contentLanguage,
                cacheControl, metadata, crc32c, md5Hash);
    }

    private static String patched(JsonNode patch, String field, String current) {
        if (!patch.has(field)) {
            return current;
        }
        JsonNode v = patch.get(field);
        return v.isNull() ? null : v.asText();
    }

    private static String text(JsonNode json, String field) {
        JsonNode v = json.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
