package io.sandboxops.core.api;

/**
 * Told how far a file transfer has come. Called from the transferring thread; keep it quick.
 */
@FunctionalInterface
public interface TransferProgress {
    /**
     * @param bytesDone  bytes moved so far
     * @param totalBytes the transfer's size, or -1 when it is not known in advance
     */
    void onProgress(long bytesDone, long totalBytes);

    TransferProgress NONE = (done, total) -> { };
}
