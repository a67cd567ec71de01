package io.sandboxops.core.rollout;

import java.util.Arrays;

/**
 * The Mann-Whitney U test (Wilcoxon rank-sum), one-sided: is the canary's sample stochastically greater than the
 * baseline's (for latency: is Cloud Run slower than Docker)? As Kayenta judges a canary's metrics against its
 * baseline. The p-value comes from the normal approximation with the variance corrected for ties and a continuity
 * correction of ½, as R's {@code wilcox.test(canary, baseline, alternative = "greater", exact = FALSE)} computes it:
 * good from about eight values a side, which the gate's minimum sample size is well above.
 *
 * @param u      U of the canary: the pairs (canary value, baseline value) where the canary's is greater, ties ½
 * @param z      the standardized U, continuity-corrected
 * @param pValue the chance of a U at least this large if neither sample tends to be greater; 1 when every value ties
 */
public record MannWhitneyU(double u, double z, double pValue) {

    public static MannWhitneyU canaryGreater(double[] canary, double[] baseline) {
        int n1 = canary.length;
        int n2 = baseline.length;
        if (n1 == 0 || n2 == 0) {
            throw new IllegalArgumentException("the Mann-Whitney U test needs values on both sides: canary n=" + n1 + ", baseline n=" + n2);
        }
        int n = n1 + n2;
        double[] all = new double[n];
        boolean[] isCanary = new boolean[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            all[i] = i < n1 ? canary[i] : baseline[i - n1];
            isCanary[i] = i < n1;
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(all[a], all[b]));
        double canaryRanks = 0;
        double tieTerm = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && all[order[j + 1]] == all[order[i]]) {
                j++;
            }
            double rank = (i + j + 2) / 2.0; // ranks are 1-based; a run of ties shares its mean rank
            for (int k = i; k <= j; k++) {
                if (isCanary[order[k]]) {
                    canaryRanks += rank;
                }
            }
            double t = j - i + 1;
            tieTerm += t * t * t - t;
            i = j + 1;
        }
        double u = canaryRanks - n1 * (n1 + 1) / 2.0;
        double mean = n1 * (double) n2 / 2.0;
        double variance = n1 * (double) n2 / 12.0 * ((n + 1) - tieTerm / ((double) n * (n - 1)));
        if (variance <= 0) {
            return new MannWhitneyU(u, 0, 1);
        }
        double z = (u - mean - 0.5) / Math.sqrt(variance);
        return new MannWhitneyU(u, z, Normal.upperTail(z));
    }
}
