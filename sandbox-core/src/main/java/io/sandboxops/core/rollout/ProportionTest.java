package io.sandboxops.core.rollout;

/**
 * A one-sided two-proportion z-test with a margin: does the canary's rate exceed the baseline's by more than
 * {@code margin} (for an error rate: is Cloud Run worse than Docker beyond what the plan tolerates)? H0: canary −
 * baseline ≤ margin; z = ((p̂c − p̂b) − margin) ÷ √(p̂c(1−p̂c)/nc + p̂b(1−p̂b)/nb), unpooled since H0 does not make the
 * rates equal. A success rate is tested as its complement, the failure rate.
 *
 * @param difference p̂c − p̂b, as proportions (0–1)
 * @param z          the statistic; infinite when both rates are 0 or 1 (no spread), signed by which side of the margin
 * @param pValue     P(Z ≥ z) under H0
 */
public record ProportionTest(double difference, double z, double pValue) {

    /** @param margin as a proportion (0.005 for half a percentage point) */
    public static ProportionTest canaryHigher(long canaryHits, long canaryN, long baselineHits, long baselineN, double margin) {
        if (canaryN <= 0 || baselineN <= 0) {
            throw new IllegalArgumentException("a proportion test needs samples on both sides: canary n=" + canaryN + ", baseline n=" + baselineN);
        }
        double pc = canaryHits / (double) canaryN;
        double pb = baselineHits / (double) baselineN;
        double excess = pc - pb - margin;
        double se = Math.sqrt(pc * (1 - pc) / canaryN + pb * (1 - pb) / baselineN);
        if (se == 0) {
            double z = excess > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            return new ProportionTest(pc - pb, z, excess > 0 ? 0 : 1);
        }
        double z = excess / se;
        return new ProportionTest(pc - pb, z, Normal.upperTail(z));
    }
}
