package io.sandboxops.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The gate's tests against known values: a small case worked by hand, and cases whose reference p-values come from
 * SciPy 1.17 ({@code scipy.stats.mannwhitneyu(canary, baseline, alternative="greater", use_continuity=True,
 * method="asymptotic")}, which is R's {@code wilcox.test(..., alternative="greater", exact=FALSE)}), and
 * {@code scipy.stats.norm.sf} for the proportion test.
 */
class GateStatisticsTest {

    @Test
    void aSmallCaseWorkedByHand() {
        // canary {3, 4} over baseline {1, 2}: every pair is the canary's, U = 4; mean 2, variance 2·2/12·5 = 5/3,
        // z = (4 − 2 − ½) / √(5/3) = 1.16190, P(Z ≥ z) = 0.12264.
        MannWhitneyU r = MannWhitneyU.canaryGreater(new double[] {3, 4}, new double[] {1, 2});
        assertThat(r.u()).isEqualTo(4.0);
        assertThat(r.z()).isCloseTo(1.5 / Math.sqrt(5 / 3.0), within(1e-12));
        assertThat(r.pValue()).isCloseTo(0.122638, within(1e-5));
    }

    @Test
    void tiesShareTheirMeanRankAndShrinkTheVariance() {
        double[] canary = {1.1, 2.2, 2.2, 3.5, 4.0, 5.0, 5.0, 6.1, 7.0, 9.0};
        double[] baseline = {0.5, 1.1, 2.2, 2.9, 3.0, 3.0, 4.0, 4.4, 5.0, 6.0, 6.0, 8.0};
        MannWhitneyU r = MannWhitneyU.canaryGreater(canary, baseline);
        assertThat(r.u()).isEqualTo(70.0);
        assertThat(r.pValue()).isCloseTo(0.2648236440040729, within(1e-6));
    }

    @Test
    void aClearlySlowerCanaryHasATinyPValueAndAFasterOneAHugeOne() {
        MannWhitneyU slower = MannWhitneyU.canaryGreater(new double[] {10, 11, 12, 13, 14, 15, 16, 17, 18, 19},
                new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 9.5});
        assertThat(slower.u()).isEqualTo(100.0);
        assertThat(slower.pValue()).isCloseTo(9.133589555477501e-05, within(1e-8));
        MannWhitneyU faster = MannWhitneyU.canaryGreater(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, new double[] {3, 5, 7, 9, 11, 13, 15, 17});
        assertThat(faster.u()).isEqualTo(10.5);
        assertThat(faster.pValue()).isCloseTo(0.9897092757914009, within(1e-6));
    }

    @Test
    void identicalSamplesShowNothing() {
        assertThat(MannWhitneyU.canaryGreater(new double[] {5, 5, 5}, new double[] {5, 5}).pValue()).isEqualTo(1.0);
        assertThatThrownBy(() -> MannWhitneyU.canaryGreater(new double[0], new double[] {1})).hasMessageContaining("canary n=0");
    }

    @Test
    void theProportionTestWeighsTheExcessOverTheMargin() {
        // Cloud Run 12 errors in 400 operations (3 %), Docker 3 in 500 (0.6 %), margin 0.5 point: z = 2.06475, p = 0.019473.
        ProportionTest r = ProportionTest.canaryHigher(12, 400, 3, 500, 0.005);
        assertThat(r.difference()).isCloseTo(0.024, within(1e-12));
        assertThat(r.z()).isCloseTo(2.0647539470372496, within(1e-9));
        assertThat(r.pValue()).isCloseTo(0.019473143667432094, within(1e-6));
        // No error on either side: nothing exceeds the margin.
        assertThat(ProportionTest.canaryHigher(0, 50, 0, 50, 0.005).pValue()).isEqualTo(1.0);
        assertThat(ProportionTest.canaryHigher(50, 50, 0, 50, 0.005).pValue()).isEqualTo(0.0);
    }

    @Test
    void theNormalTailMatchesKnownQuantiles() {
        assertThat(Normal.upperTail(0)).isCloseTo(0.5, within(1e-7));
        assertThat(Normal.upperTail(1.6448536269514722)).isCloseTo(0.05, within(1e-7));
        assertThat(Normal.upperTail(-2.3263478740408408)).isCloseTo(0.99, within(1e-7));
        assertThat(Normal.upperTail(5)).isCloseTo(2.866515718791939e-07, within(1e-12));
    }
}
