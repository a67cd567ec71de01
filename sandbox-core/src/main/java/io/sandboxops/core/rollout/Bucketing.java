package io.sandboxops.core.rollout;

import java.nio.charset.StandardCharsets;

/**
 * Sticky buckets: {@code murmur3_32(flagKey + ":" + stickyKey) mod 100}. The same key always lands in the
 * same bucket, on every machine and JVM, so a session stays on its backend across restarts, and raising the
 * percentage only adds buckets: a key on Cloud Run at p stays there at every p' > p.
 */
public final class Bucketing {

    /** The flag key hashed with every sticky key; changing it reshuffles everyone, so it never changes. */
    public static final String FLAG_KEY = "cloudrun-jobs-sandbox";

    private Bucketing() {
    }

    /** @return the bucket of {@code stickyKey}, 0–99 */
    public static int bucket(String flagKey, String stickyKey) {
        byte[] data = (flagKey + ":" + stickyKey).getBytes(StandardCharsets.UTF_8);
        return (int) (Integer.toUnsignedLong(murmur3x86_32(data, 0)) % 100);
    }

    /** Whether a key in this bucket gets Cloud Run at this percentage. */
    public static boolean inRollout(int bucket, int percentage) {
        return bucket < percentage;
    }

    /** MurmurHash3 x86 32-bit (Austin Appleby's reference), written out so no library upgrade can move a bucket. */
    static int murmur3x86_32(byte[] data, int seed) {
        final int c1 = 0xcc9e2d51;
        final int c2 = 0x1b873593;
        int h1 = seed;
        int blocks = data.length / 4;
        for (int i = 0; i < blocks; i++) {
            int k1 = (data[4 * i] & 0xff) | (data[4 * i + 1] & 0xff) << 8 | (data[4 * i + 2] & 0xff) << 16 | (data[4 * i + 3] & 0xff) << 24;
            k1 *= c1;
            k1 = Integer.rotateLeft(k1, 15);
            k1 *= c2;
            h1 ^= k1;
            h1 = Integer.rotateLeft(h1, 13);
            h1 = h1 * 5 + 0xe6546b64;
        }
        int tail = blocks * 4;
        int k1 = 0;
        switch (data.length & 3) {
            case 3:
                k1 ^= (data[tail + 2] & 0xff) << 16;
                // fall through
            case 2:
                k1 ^= (data[tail + 1] & 0xff) << 8;
                // fall through
            case 1:
                k1 ^= data[tail] & 0xff;
                k1 *= c1;
                k1 = Integer.rotateLeft(k1, 15);
                k1 *= c2;
                h1 ^= k1;
                break;
            default:
                break;
        }
        h1 ^= data.length;
        h1 ^= h1 >>> 16;
        h1 *= 0x85ebca6b;
        h1 ^= h1 >>> 13;
        h1 *= 0xc2b2ae35;
        h1 ^= h1 >>> 16;
        return h1;
    }
}
