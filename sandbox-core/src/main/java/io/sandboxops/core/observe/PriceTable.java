package io.sandboxops.core.observe;

/**
 * What billable instance time of a sandbox job costs, for cost per 1000 executions.
 *
 * <p>The defaults are Cloud Run's list prices for jobs in Tier 1 regions (e.g. us-central1), as published on
 * cloud.google.com/run/pricing: $0.000018 per vCPU-second and $0.000002 per GiB-second, without the monthly
 * free tier or committed-use discounts; and the Cloud Run backend's default job size ({@code SANDBOX_JOB_CPU=1},
 * {@code SANDBOX_JOB_MEMORY=2Gi}). Other sizes: {@link #forJobSize}; Tier 2 regions: build your own.
 *
 * @param usdPerVcpuSecond  CPU price
 * @param usdPerGibSecond   memory price
 * @param vcpus             CPUs per task instance
 * @param memoryGib         memory per task instance, GiB
 * @param source            where the prices come from, shown next to the figure
 */
public record PriceTable(double usdPerVcpuSecond, double usdPerGibSecond, double vcpus, double memoryGib, String source) {

    public static PriceTable cloudRunJobsTier1() {
        return forJobSize(1.0, 2.0);
    }

    /** Tier 1 list prices for tasks of this size ({@code SANDBOX_JOB_CPU}, {@code SANDBOX_JOB_MEMORY} in GiB). */
    public static PriceTable forJobSize(double vcpus, double memoryGib) {
        return new PriceTable(0.000018, 0.000002, vcpus, memoryGib, String.format(
                "Cloud Run jobs list price, Tier 1 regions: $0.000018/vCPU-s, $0.000002/GiB-s; %s vCPU, %s GiB per task", vcpus, memoryGib));
    }

    /** The cost of {@code billableSeconds} of instance time. */
    public double cost(double billableSeconds) {
        return billableSeconds * (vcpus * usdPerVcpuSecond + memoryGib * usdPerGibSecond);
    }
}
