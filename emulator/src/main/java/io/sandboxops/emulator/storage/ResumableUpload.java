package io.sandboxops.emulator.storage;

/** One resumable upload session: what will be committed, and the bytes persisted so far. */
final class ResumableUpload {

    final String id;
    final String bucket;
    final ObjectAttributes attributes;
    final Preconditions preconditions;
    final StagedContent content;
    StoredObject result;

    ResumableUpload(String id, String bucket, ObjectAttributes attributes, Preconditions preconditions,
                    StagedContent content) {
        this.id = id;
        this.bucket = bucket;
        this.attributes = attributes;
        this.preconditions = preconditions;
        this.content = content;
    }

    long persisted() {
        return content.size();
    }
}
