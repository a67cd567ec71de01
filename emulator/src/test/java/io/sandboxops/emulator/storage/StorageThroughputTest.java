package io.sandboxops.emulator.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.WriteChannel;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import io.sandboxops.emulator.LocalCloud;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Measures a 10 MB upload and download through the real Storage client and prints the figures; the
 * numbers are reported, not asserted, because a loaded CI machine must not turn them into a failure.
 */
class StorageThroughputTest {

    private interface Upload {
        void to(BlobId id);
    }

    @Test
    void tenMegabyteUploadAndDownloadAreMeasured() throws Exception {
        byte[] data = new byte[10 * 1024 * 1024];
        new Random(7).nextBytes(data);
        try (LocalCloud cloud = LocalCloud.start()) {
            Storage storage = StorageApiTest.client(cloud);
            storage.create(BucketInfo.of("throughput"));
            BlobInfo warmUp = BlobInfo.newBuilder("throughput", "warm-up").build();
            storage.create(warmUp, data);
            storage.readAllBytes(warmUp.getBlobId());
            measure(storage, data, "create(byte[]), default options: the client gzips the body",
                    id -> storage.create(BlobInfo.newBuilder(id).build(), data));
            measure(storage, data, "create(byte[]) with disableGzipContent",
                    id -> storage.create(BlobInfo.newBuilder(id).build(), data, Storage.BlobTargetOption.disableGzipContent()));
            measure(storage, data, "writer(): resumable upload in 16 MiB chunks", id -> {
                try (WriteChannel w = storage.writer(BlobInfo.newBuilder(id).build())) {
                    w.write(ByteBuffer.wrap(data));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            storage.close();
        }
    }

    private static void measure(Storage storage, byte[] data, String label, Upload upload) {
        long bestUp = Long.MAX_VALUE;
        long bestDown = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            BlobId id = BlobId.of("throughput", "object-" + i);
            long t0 = System.nanoTime();
            upload.to(id);
            long t1 = System.nanoTime();
            byte[] back = storage.readAllBytes(id);
            long t2 = System.nanoTime();
            assertThat(back).isEqualTo(data);
            bestUp = Math.min(bestUp, t1 - t0);
            bestDown = Math.min(bestDown, t2 - t1);
            System.out.printf("10 MB [%s] run %d: upload %.1f ms, download %.1f ms%n", label, i, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        }
        System.out.printf("10 MB [%s] best: upload %.1f ms, download %.1f ms%n", label, bestUp / 1e6, bestDown / 1e6);
    }
}
