package io.sandboxops.emulator.storage;

import java.time.Instant;
import java.util.Map;

/** The metadata of the live generation of one object, as it is persisted next to the bytes. */
record StoredObject(
        String bucket,
        String name,
        long generation,
        long metageneration,
        long size,
        String contentType,
        String contentEncoding,
        String contentDisposition,
        String contentLanguage,
        String cacheControl,
        String crc32c,
        String md5Hash,
        Map<String, String> metadata,
        Instant timeCreated,
        Instant updated) {

    StoredObject withMetadata(ObjectAttributes attributes, long newMetageneration, Instant now) {
        return new StoredObject(bucket, name, generation, newMetageneration, size,
                attributes.contentType() != null ? attributes.contentType() : contentType,
                attributes.contentEncoding(), attributes.contentDisposition(), attributes.contentLanguage(),
                attributes.cacheControl(), crc32c, md5Hash, attributes.metadata(), timeCreated, now);
    }

    String etag() {
        // Real GCS etags change with every generation and metageneration; this keeps that property.
        return "C" + Long.toHexString(generation) + "/" + metageneration;
    }
}
