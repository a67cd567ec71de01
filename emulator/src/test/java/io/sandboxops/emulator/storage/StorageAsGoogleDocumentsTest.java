package io.sandboxops.emulator.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.ReadChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Bucket;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import io.sandboxops.emulator.CloudClients;
import io.sandboxops.emulator.LocalCloud;
import java.net.URI;
import java.nio.ByteBuffer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Cloud Storage calls other languages' clients make, as Google documents them: the Node client's streaming
 * resumable upload ({@code Content-Range: bytes 0-*}{@code /*}), a range read of an empty object, buckets.patch and
 * objects.compose. The raw HTTP requests are the ones those clients send.
 */
class StorageAsGoogleDocumentsTest {

    private static final String BUCKET = "conformance-bucket";
    private static LocalCloud cloud;
    private static Storage storage;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start();
        storage = CloudClients.storage(cloud.endpoints());
        storage.create(BucketInfo.of(BUCKET));
    }

    @AfterAll
    static void stop() throws Exception {
        storage.close();
        cloud.close();
    }

    private static HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(cloud.endpoints().storageHost() + pathAndQuery))
                .header("Authorization", "Bearer " + cloud.endpoints().accessToken());
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Opens a resumable session as every client does and returns its session URI. */
    private static String openSession(String name) throws Exception {
        HttpResponse<String> start = send(request("/upload/storage/v1/b/" + BUCKET + "/o?uploadType=resumable&name=" + name)
                .header("Content-Type", "application/json; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")).build());
        assertThat(start.statusCode()).as(start.body()).isEqualTo(200);
        return start.headers().firstValue("Location").orElseThrow();
    }

    private static HttpResponse<String> put(String session, String contentRange, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(session))
                .header("Authorization", "Bearer " + cloud.endpoints().accessToken())
                .header("Content-Range", contentRange)
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void aStreamedUploadOfUnknownLengthIsCommittedWhenItsRequestEnds() throws Exception {
        // The Node client's save(), upload() and createWriteStream() with default options.
        HttpResponse<String> done = put(openSession("streamed.txt"), "bytes 0-*/*", "streamed in one request");
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        assertThat(done.body()).contains("\"size\":\"23\"");
        assertThat(new String(storage.readAllBytes(BlobId.of(BUCKET, "streamed.txt")), StandardCharsets.UTF_8))
                .isEqualTo("streamed in one request");
    }

    @Test
    void aStreamedUploadResumesWithAnOpenEndedRange() throws Exception {
        String session = openSession("resumed.txt");
        HttpResponse<String> first = put(session, "bytes 0-5/*", "hello ");
        assertThat(first.statusCode()).isEqualTo(308);
        assertThat(first.headers().firstValue("Range")).contains("bytes=0-5");
        // The Node client resumes from the persisted offset with the rest of the stream.
        HttpResponse<String> rest = put(session, "bytes 6-*/*", "world");
        assertThat(rest.statusCode()).as(rest.body()).isEqualTo(200);
        assertThat(new String(storage.readAllBytes(BlobId.of(BUCKET, "resumed.txt")), StandardCharsets.UTF_8))
                .isEqualTo("hello world");
    }

    @Test
    void anOpenEndedRangeThatSkipsBytesIsRefused() throws Exception {
        String session = openSession("gap.txt");
        HttpResponse<String> gap = put(session, "bytes 4-*/*", "late");
        assertThat(gap.statusCode()).isEqualTo(400);
        assertThat(gap.body()).contains("only 0 bytes were persisted");
    }

    @Test
    void aRangeReadOfAnEmptyObjectIsNotSatisfiable() throws Exception {
        storage.create(BlobInfo.newBuilder(BUCKET, "empty").build(), new byte[0]);
        HttpResponse<String> ranged = send(request("/storage/v1/b/" + BUCKET + "/o/empty?alt=media")
                .header("Range", "bytes=0-10").GET().build());
        assertThat(ranged.statusCode()).isEqualTo(416);
        assertThat(ranged.headers().firstValue("Content-Range")).contains("bytes */0");
        // Without a range it reads as empty, and the Java client still reads it.
        assertThat(send(request("/storage/v1/b/" + BUCKET + "/o/empty?alt=media").GET().build()).statusCode()).isEqualTo(200);
        assertThat(storage.readAllBytes(BlobId.of(BUCKET, "empty"))).isEmpty();
        // The Java client's ranged reader sends a range and takes Google's 416 on an empty object as its end.
        try (ReadChannel reader = storage.reader(BlobId.of(BUCKET, "empty"))) {
            reader.limit(10);
            assertThat(reader.read(ByteBuffer.allocate(16))).isEqualTo(-1);
        }
        try (ReadChannel reader = storage.reader(BlobId.of(BUCKET, "empty"))) {
            reader.setChunkSize(2 * 1024 * 1024);
            assertThat(reader.read(ByteBuffer.allocate(16))).isEqualTo(-1);
        }
    }

    @Test
    void anOpenEndedChunkWithAKnownTotalCommitsOnlyWhenTheTotalArrived() throws Exception {
        String session = openSession("known-total.txt");
        HttpResponse<String> part = put(session, "bytes 0-*/10", "01234");
        assertThat(part.statusCode()).isEqualTo(308);
        assertThat(part.headers().firstValue("Range")).contains("bytes=0-4");
        HttpResponse<String> rest = put(session, "bytes 5-*/10", "56789");
        assertThat(rest.statusCode()).as(rest.body()).isEqualTo(200);
        assertThat(new String(storage.readAllBytes(BlobId.of(BUCKET, "known-total.txt")), StandardCharsets.UTF_8))
                .isEqualTo("0123456789");
    }

    @Test
    void bucketsArePatched() {
        Bucket original = storage.create(BucketInfo.of("patched-bucket"));
        Bucket patched = storage.update(BucketInfo.newBuilder("patched-bucket").setLabels(Map.of("team", "sandbox")).build());
        assertThat(patched.getLabels()).containsEntry("team", "sandbox");
        assertThat(patched.getMetageneration()).isEqualTo(2);
        assertThat(storage.get("patched-bucket").getLabels()).containsEntry("team", "sandbox");

        assertThatThrownBy(() -> storage.update(original.toBuilder()
                .setLabels(Map.of("team", "other")).build(), Storage.BucketTargetOption.metagenerationMatch()))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getCode()).isEqualTo(412));
        assertThatThrownBy(() -> storage.update(BucketInfo.newBuilder("no-such-bucket").setLabels(Map.of("a", "b")).build()))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }

    @Test
    void objectsAreComposed() {
        storage.create(BlobInfo.newBuilder(BUCKET, "part-1").build(), "abc".getBytes(StandardCharsets.UTF_8));
        storage.create(BlobInfo.newBuilder(BUCKET, "part-2").build(), "def".getBytes(StandardCharsets.UTF_8));
        Blob composed = storage.compose(Storage.ComposeRequest.newBuilder()
                .addSource(List.of("part-1", "part-2"))
                .setTarget(BlobInfo.newBuilder(BUCKET, "whole").setContentType("text/plain").build())
                .build());
        assertThat(composed.getSize()).isEqualTo(6);
        assertThat(new String(storage.readAllBytes(BlobId.of(BUCKET, "whole")), StandardCharsets.UTF_8)).isEqualTo("abcdef");
    }

    @Test
    void anUnknownMethodAnswersAsGoogleDoes() throws Exception {
        HttpResponse<String> notifications = send(request("/storage/v1/b/" + BUCKET + "/notificationConfigs").GET().build());
        assertThat(notifications.statusCode()).isEqualTo(404);
    }
}
