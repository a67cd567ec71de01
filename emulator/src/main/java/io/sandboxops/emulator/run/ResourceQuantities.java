package io.sandboxops.emulator.run;

import java.math.BigDecimal;

/** Parses Cloud Run's (Kubernetes-style) resource quantities: {@code 512Mi}, {@code 1G}, {@code 500m}. */
final class ResourceQuantities {

    private ResourceQuantities() {
    }

    static long memoryBytes(String quantity) {
        String q = quantity.trim();
        String[][] units = {{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"Ti", "1099511627776"},
                {"k", "1000"}, {"K", "1000"}, {"M", "1000000"}, {"G", "1000000000"}, {"T", "1000000000000"}};
        for (String[] u : units) {
            if (q.endsWith(u[0])) {
                return new BigDecimal(q.substring(0, q.length() - u[0].length())).multiply(new BigDecimal(u[1])).longValueExact();
            }
        }
        return new BigDecimal(q).longValueExact();
    }

    static long nanoCpus(String quantity) {
        String q = quantity.trim();
        if (q.endsWith("m")) {
            return new BigDecimal(q.substring(0, q.length() - 1)).multiply(BigDecimal.valueOf(1_000_000)).longValueExact();
        }
        return new BigDecimal(q).multiply(BigDecimal.valueOf(1_000_000_000)).longValueExact();
    }
}
