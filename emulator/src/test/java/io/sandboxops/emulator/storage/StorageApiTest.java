package io.sandboxops.emulator.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.paging.Page;
import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Bucket;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.CopyWriter;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import io.sandboxops.emulator.CloudClients;
import io.sandboxops.emulator.LocalCloud;
import io.sandboxops.emulator.LocalCloudConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageApiTest {

    private static LocalCloud cloud;
    private static Storage storage;
    private static final String BUCKET = "state-bucket";

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start();
        storage = client(cloud);
        storage.create(BucketInfo.of(BUCKET));
    }

    @AfterAll
    static void stop() throws Exception {
        storage.close();
        cloud.close();
    }

    static Storage client(LocalCloud cloud) {
        return CloudClients.storage(cloud.endpoints());
    }

    @Test
    void bucketsAreCreatedListedFetchedAndDeleted() {
        Bucket created = storage.create(BucketInfo.of("scratch-bucket"));
        assertThat(created.getName()).isEqualTo("scratch-bucket");
        assertThat(storage.get("scratch-bucket").getLocation()).isEqualTo("US");
        assertThat(StreamSupport.stream(storage.list().iterateAll().spliterator(), false).map(Bucket::getName))
                .contains("scratch-bucket", BUCKET);
        assertThatThrownBy(() -> storage.create(BucketInfo.of("scratch-bucket")))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        storage.create(BlobInfo.newBuilder("scratch-bucket", "x").build(), new byte[] {1});
        assertThatThrownBy(() -> storage.delete("scratch-bucket"))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        storage.delete(BlobId.of("scratch-bucket", "x"));
        assertThat(storage.delete("scratch-bucket")).isTrue();
        assertThat(storage.get("scratch-bucket")).isNull();
    }

    @Test
    void smallObjectRoundTripsWithHashesAndMetadata() {
        byte[] content = "{\"cwd\":\"/workspace\"}".getBytes(StandardCharsets.UTF_8);
        Blob blob = storage.create(BlobInfo.newBuilder(BUCKET, "sessions/s1/state.json")
                .setContentType("application/json").setMetadata(Map.of("schema", "1")).build(), content);
        assertThat(blob.getGeneration()).isPositive();
        assertThat(blob.getMetageneration()).isEqualTo(1);
        assertThat(blob.getSize()).isEqualTo(content.length);
        assertThat(blob.getCrc32c()).isNotBlank();
        assertThat(blob.getMd5()).isNotBlank();

        Blob fetched = storage.get(BlobId.of(BUCKET, "sessions/s1/state.json"));
        assertThat(fetched.getContentType()).isEqualTo("application/json");
        assertThat(fetched.getMetadata()).containsEntry("schema", "1");
        assertThat(fetched.getCrc32c()).isEqualTo(blob.getCrc32c());
        assertThat(storage.readAllBytes(BlobId.of(BUCKET, "sessions/s1/state.json"))).isEqualTo(content);
        assertThat(storage.get(BlobId.of(BUCKET, "no/such/object"))).isNull();
    }

    @Test
    void writeWithIfGenerationMatchZeroFailsWhenTheObjectExists() {
        BlobInfo info = BlobInfo.newBuilder(BUCKET, "once").build();
        storage.create(info, new byte[] {1}, Storage.BlobTargetOption.doesNotExist());
        assertThatThrownBy(() -> storage.create(info, new byte[] {2}, Storage.BlobTargetOption.doesNotExist()))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getCode()).isEqualTo(412));
    }

    @Test
    void twoWritersRacingWithIfGenerationMatchOneGets412() throws Exception {
        Blob base = storage.create(BlobInfo.newBuilder(BUCKET, "race/state.json").build(), "v0".getBytes());
        BlobInfo pinned = BlobInfo.newBuilder(BlobId.of(BUCKET, "race/state.json", base.getGeneration())).build();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (String v : List.of("writer-a", "writer-b")) {
                Callable<Integer> write = () -> {
                    try {
                        storage.create(pinned, v.getBytes(), Storage.BlobTargetOption.generationMatch());
                        return 200;
                    } catch (StorageException e) {
                        return e.getCode();
                    }
                };
                results.add(pool.submit(write));
            }
            List<Integer> codes = new ArrayList<>();
            for (Future<Integer> f : results) {
                codes.add(f.get());
            }
            assertThat(codes).containsExactlyInAnyOrder(200, 412);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void metagenerationPreconditionGuardsMetadataUpdates() {
        Blob blob = storage.create(BlobInfo.newBuilder(BUCKET, "meta").build(), new byte[] {1});
        Blob updated = storage.update(blob.toBuilder().setMetadata(Map.of("k", "v")).build(),
                Storage.BlobTargetOption.metagenerationMatch());
        assertThat(updated.getMetageneration()).isEqualTo(2);
        assertThat(updated.getGeneration()).isEqualTo(blob.getGeneration());
        assertThatThrownBy(() -> storage.update(blob.toBuilder().setMetadata(Map.of("k", "w")).build(),
                Storage.BlobTargetOption.metagenerationMatch()))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getCode()).isEqualTo(412));
    }

    @Test
    void ifGenerationNotMatchOnDeleteFailsForTheLiveGeneration() {
        Blob blob = storage.create(BlobInfo.newBuilder(BUCKET, "notmatch").build(), new byte[] {1});
        assertThatThrownBy(() -> storage.delete(BlobId.of(BUCKET, "notmatch"), Storage.BlobSourceOption.generationNotMatch(blob.getGeneration())))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getCode()).isEqualTo(412));
        assertThat(storage.delete(blob.getBlobId(), Storage.BlobSourceOption.generationMatch())).isTrue();
        assertThat(storage.delete(BlobId.of(BUCKET, "notmatch"))).isFalse();
    }

    @Test
    void listingHonoursPrefixDelimiterAndPaging() {
        for (String name : List.of("ls/a.txt", "ls/b.txt", "ls/dir1/x", "ls/dir1/y", "ls/dir2/z", "ls/c.txt")) {
            storage.create(BlobInfo.newBuilder(BUCKET, name).build(), new byte[] {0});
        }
        Page<Blob> page = storage.list(BUCKET, Storage.BlobListOption.prefix("ls/"),
                Storage.BlobListOption.currentDirectory());
        List<String> names = new ArrayList<>();
        page.iterateAll().forEach(b -> names.add(b.isDirectory() ? b.getName() + "(dir)" : b.getName()));
        assertThat(names).containsExactly("ls/a.txt", "ls/b.txt", "ls/c.txt", "ls/dir1/(dir)", "ls/dir2/(dir)");

        Page<Blob> first = storage.list(BUCKET, Storage.BlobListOption.prefix("ls/"), Storage.BlobListOption.pageSize(4));
        assertThat(first.getValues()).hasSize(4);
        assertThat(first.hasNextPage()).isTrue();
        List<String> all = new ArrayList<>();
        first.iterateAll().forEach(b -> all.add(b.getName()));
        assertThat(all).containsExactly("ls/a.txt", "ls/b.txt", "ls/c.txt", "ls/dir1/x", "ls/dir1/y", "ls/dir2/z");

        Page<Blob> dirsPaged = storage.list(BUCKET, Storage.BlobListOption.prefix("ls/"),
                Storage.BlobListOption.delimiter("/"), Storage.BlobListOption.pageSize(2));
        List<String> paged = new ArrayList<>();
        dirsPaged.iterateAll().forEach(b -> paged.add(b.getName()));
        assertThat(paged).containsExactlyInAnyOrder("ls/a.txt", "ls/b.txt", "ls/c.txt", "ls/dir1/", "ls/dir2/");
    }

    @Test
    void listingHonoursMatchGlob() {
        for (String name : List.of("glob/a.json", "glob/b.txt", "glob/sub/c.json", "glob/sub/d.bin")) {
            storage.create(BlobInfo.newBuilder(BUCKET, name).build(), new byte[] {0});
        }
        List<String> shallow = new ArrayList<>();
        storage.list(BUCKET, Storage.BlobListOption.matchGlob("glob/*.json")).iterateAll().forEach(b -> shallow.add(b.getName()));
        assertThat(shallow).containsExactly("glob/a.json");
        List<String> deep = new ArrayList<>();
        storage.list(BUCKET, Storage.BlobListOption.matchGlob("glob/**.{json,bin}")).iterateAll().forEach(b -> deep.add(b.getName()));
        assertThat(deep).containsExactly("glob/a.json", "glob/sub/c.json", "glob/sub/d.bin");
        List<String> ranged = new ArrayList<>();
        storage.list(BUCKET, Storage.BlobListOption.matchGlob("glob/[a-b].*")).iterateAll().forEach(b -> ranged.add(b.getName()));
        assertThat(ranged).containsExactly("glob/a.json", "glob/b.txt");
    }

    @Test
    void resumableUploadOf50MbReadsBackWithARange() throws Exception {
        byte[] data = new byte[50 * 1024 * 1024];
        new Random(42).nextBytes(data);
        BlobInfo info = BlobInfo.newBuilder(BUCKET, "big/50mb.bin").setContentType("application/octet-stream").build();
        try (WriteChannel writer = storage.writer(info, Storage.BlobWriteOption.doesNotExist())) {
            writer.setChunkSize(8 * 1024 * 1024);
            int chunk = 3 * 1024 * 1024 + 17;
            for (int off = 0; off < data.length; off += chunk) {
                writer.write(ByteBuffer.wrap(data, off, Math.min(chunk, data.length - off)));
            }
        }
        Blob blob = storage.get(info.getBlobId());
        assertThat(blob.getSize()).isEqualTo(data.length);

        try (ReadChannel reader = storage.reader(info.getBlobId())) {
            reader.seek(10_000_000);
            reader.limit(10_000_000 + 4096);
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (reader.read(buf) >= 0) {
                if (!buf.hasRemaining()) {
                    break;
                }
            }
            buf.flip();
            byte[] expected = java.util.Arrays.copyOfRange(data, 10_000_000, 10_000_000 + 4096);
            byte[] actual = new byte[buf.remaining()];
            buf.get(actual);
            assertThat(actual).isEqualTo(expected);
        }
        assertThat(storage.readAllBytes(info.getBlobId())).isEqualTo(data);
    }

    @Test
    void copyAndRewriteMakeANewObjectWithTheSameBytes() {
        storage.create(BlobInfo.newBuilder(BUCKET, "copy/src").setContentType("text/plain").build(), "hello".getBytes());
        CopyWriter copy = storage.copy(Storage.CopyRequest.of(BUCKET, "copy/src", BlobId.of(BUCKET, "copy/dst")));
        Blob result = copy.getResult();
        assertThat(copy.isDone()).isTrue();
        assertThat(result.getName()).isEqualTo("copy/dst");
        assertThat(result.getContentType()).isEqualTo("text/plain");
        assertThat(storage.readAllBytes(BlobId.of(BUCKET, "copy/dst"))).isEqualTo("hello".getBytes());
        assertThat(result.getCrc32c()).isEqualTo(storage.get(BlobId.of(BUCKET, "copy/src")).getCrc32c());
    }

    @Test
    void objectsSurviveARestartOnTheSameDataDirectory(@TempDir Path dir) throws Exception {
        LocalCloudConfig config = LocalCloudConfig.newBuilder().dataDir(dir).build();
        long generation;
        try (LocalCloud first = LocalCloud.start(config)) {
            Storage s = client(first);
            s.create(BucketInfo.of("persisted"));
            generation = s.create(BlobInfo.newBuilder("persisted", "a/b/c.txt").build(), "kept".getBytes()).getGeneration();
            s.close();
        }
        try (LocalCloud second = LocalCloud.start(config)) {
            Storage s = client(second);
            Blob blob = s.get(BlobId.of("persisted", "a/b/c.txt"));
            assertThat(blob.getGeneration()).isEqualTo(generation);
            assertThat(s.readAllBytes(blob.getBlobId())).isEqualTo("kept".getBytes());
            long next = s.create(BlobInfo.newBuilder("persisted", "a/b/c.txt").build(), "new".getBytes()).getGeneration();
            assertThat(next).isGreaterThan(generation);
            s.close();
        }
        assertThat(dir.resolve("storage/persisted/objects/a%2Fb%2Fc.txt")).hasContent("new");
    }
}
