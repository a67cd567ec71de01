package io.sandboxops.emulator.monitoring;

import com.google.api.Distribution;
import java.util.ArrayList;
import java.util.List;

/** Merging distributions and reading percentiles off their buckets, as Cloud Monitoring's aligners do. */
final class Distributions {

    private Distributions() {
    }

    /** Combines distributions with the same buckets; counts add, mean and deviation combine exactly. */
    static Distribution merge(List<Distribution> parts) {
        Distribution first = parts.get(0);
        long count = 0;
        double mean = 0;
        double m2 = 0;
        List<Long> buckets = new ArrayList<>();
        for (Distribution d : parts) {
            if (d.getCount() == 0) {
                continue;
            }
            long n = count + d.getCount();
            double delta = d.getMean() - mean;
            m2 += d.getSumOfSquaredDeviation() + delta * delta * count * d.getCount() / n;
            mean += delta * d.getCount() / n;
            count = n;
            for (int i = 0; i < d.getBucketCountsCount(); i++) {
                if (i < buckets.size()) {
                    buckets.set(i, buckets.get(i) + d.getBucketCounts(i));
                } else {
                    buckets.add(d.getBucketCounts(i));
                }
            }
        }
        return Distribution.newBuilder()
                .setCount(count)
                .setMean(mean)
                .setSumOfSquaredDeviation(m2)
                .setBucketOptions(first.getBucketOptions())
                .addAllBucketCounts(buckets)
                .build();
    }

    /** The {@code p}-th percentile, interpolated linearly inside the bucket the rank falls in. */
    static double percentile(Distribution d, double p) {
        if (d.getCount() == 0) {
            return 0;
        }
        double rank = p / 100.0 * d.getCount();
        long seen = 0;
        for (int i = 0; i < d.getBucketCountsCount(); i++) {
            long c = d.getBucketCounts(i);
            if (c > 0 && seen + c >= rank) {
                double lower = lowerBound(d.getBucketOptions(), i);
                double upper = upperBound(d.getBucketOptions(), i);
                if (Double.isInfinite(lower)) {
                    return upper;
                }
                if (Double.isInfinite(upper)) {
                    return lower;
                }
                return lower + (upper - lower) * ((rank - seen) / c);
            }
            seen += c;
        }
        return d.getMean();
    }

    private static double lowerBound(Distribution.BucketOptions o, int i) {
        return i == 0 ? Double.NEGATIVE_INFINITY : upperBound(o, i - 1);
    }

    /** Bucket 0 is the underflow (-inf, b0); bucket i ends at b(i); the last one is the overflow. */
    private static double upperBound(Distribution.BucketOptions o, int i) {
        if (o.hasLinearBuckets()) {
            Distribution.BucketOptions.Linear l = o.getLinearBuckets();
            return i > l.getNumFiniteBuckets() ? Double.POSITIVE_INFINITY : l.getOffset() + l.getWidth() * i;
        }
        if (o.hasExponentialBuckets()) {
            Distribution.BucketOptions.Exponential e = o.getExponentialBuckets();
            return i > e.getNumFiniteBuckets() ? Double.POSITIVE_INFINITY : e.getScale() * Math.pow(e.getGrowthFactor(), i);
        }
        if (o.hasExplicitBuckets()) {
            List<Double> bounds = o.getExplicitBuckets().getBoundsList();
            return i >= bounds.size() ? Double.POSITIVE_INFINITY : bounds.get(i);
        }
        return Double.POSITIVE_INFINITY;
    }
}
