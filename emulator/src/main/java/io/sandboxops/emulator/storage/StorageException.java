package io.sandboxops.emulator.storage;

/** An error of the Cloud Storage JSON API: the HTTP status and the {@code reason} the real service gives. */
final class StorageException extends RuntimeException {

    final int status;
    final String reason;

    StorageException(int status, String reason, String message) {
        super(message, null, false, false);
        this.status = status;
        this.reason = reason;
    }

    static StorageException notFound(String message) {
        return new StorageException(404, "notFound", message);
    }

    static StorageException invalid(String message) {
        return new StorageException(400, "invalid", message);
    }

    static StorageException required(String message) {
        return new StorageException(400, "required", message);
    }

    static StorageException conflict(String message) {
        return new StorageException(409, "conflict", message);
    }

    static StorageException conditionNotMet() {
        return new StorageException(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");
    }
}
