package io.sandboxops.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class BucketingTest {

    private static final List<String> KEYS = IntStream.range(0, 10_000).mapToObj(i -> "user-" + i).toList();

    @Test
    void theHashIsMurmur3AsPublished() {
        // Reference values of MurmurHash3_x86_32 with seed 0, and Guava's implementation as a second oracle.
        assertThat(Bucketing.murmur3x86_32(new byte[0], 0)).isZero();
        assertThat(Bucketing.murmur3x86_32("The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8), 0))
                .isEqualTo(0x2e4ff723);
        for (String key : List.of("a", "ab", "abc", "abcd", "abcde", "tenant-é-42", "user-9999")) {
            assertThat(Bucketing.murmur3x86_32(key.getBytes(StandardCharsets.UTF_8), 0))
                    .as(key).isEqualTo(Hashing.murmur3_32_fixed().hashBytes(key.getBytes(StandardCharsets.UTF_8)).asInt());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10, 50, 99})
    void theShareOnCloudRunIsWithinTwoPointsOfThePercentage(int percentage) {
        long onCloudRun = KEYS.stream().filter(k -> Bucketing.inRollout(Bucketing.bucket(Bucketing.FLAG_KEY, k), percentage)).count();
        double share = onCloudRun * 100.0 / KEYS.size();
        System.out.printf("bucketing: %d %% → %.2f %% of %d keys on Cloud Run%n", percentage, share, KEYS.size());
        assertThat(share).isBetween(percentage - 2.0, percentage + 2.0);
    }

    @Test
    void aKeyOnCloudRunStaysThereAtEveryHigherPercentage() {
        for (String key : KEYS) {
            int bucket = Bucketing.bucket(Bucketing.FLAG_KEY, key);
            boolean seen = false;
            for (int p = 0; p <= 100; p++) {
                boolean in = Bucketing.inRollout(bucket, p);
                assertThat(!seen || in).as("%s left Cloud Run at %d %%", key, p).isTrue();
                seen |= in;
            }
            assertThat(Bucketing.inRollout(bucket, 0)).isFalse();
            assertThat(Bucketing.inRollout(bucket, 100)).isTrue();
        }
    }

    @Test
    void theSameKeyAlwaysGetsTheSameBucket() {
        assertThat(Bucketing.bucket(Bucketing.FLAG_KEY, "tenant-42")).isEqualTo(Bucketing.bucket(Bucketing.FLAG_KEY, "tenant-42"));
        assertThat(IntStream.range(0, 100).map(i -> Bucketing.bucket(Bucketing.FLAG_KEY, "k" + i)).distinct().count())
                .as("keys spread over buckets").isGreaterThan(50);
    }
}
