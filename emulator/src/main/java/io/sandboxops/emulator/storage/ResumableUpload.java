package io.sandboxops.emulator.storage;

import io.sandboxops.emulator.auth.AccessTokens;

/** One resumable upload session: what will be committed, and the bytes persisted so far. */
final class ResumableUpload {

    final String id;
    /** the token that started the session, the only one that may continue or cancel it */
    final AccessTokens.Caller owner;
    final String bucket;
    final ObjectAttributes attributes;
    final Preconditions preconditions;
    final StagedContent content;
    StoredObject result;

    ResumableUpload(String id, AccessTokens.Caller owner, String bucket, ObjectAttributes attributes, Preconditions preconditions,
                    StagedContent content) {
        this.id = id;
        this.owner = owner;
        this.bucket = bucket;
        this.attributes = attributes;
        this.preconditions = preconditions;
        this.content = content;
    }

    long persisted() {
        return content.size();
    }
}
