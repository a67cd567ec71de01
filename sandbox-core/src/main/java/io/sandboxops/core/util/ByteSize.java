package io.sandboxops.core.util;

import java.util.Locale;

/**
 * Byte counts as a person reads them, the one formatter for messages, reports and tables. Two unit systems, each where
 * the product states its limits in it: transfers and file sizes in decimal units ({@code Sandbox.MAX_TRANSFER_BYTES}
 * is 500 MB = 500,000,000 bytes), memory in binary units (Docker and Cloud Run take memory in MiB and GiB).
 */
public final class ByteSize {
    private static final String[] DECIMAL = {"kB", "MB", "GB", "TB", "PB", "EB"};
    private static final String[] BINARY = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private ByteSize() {
    }

    /**
     * Decimal units: {@code 999 B}, {@code 1.5 kB}, {@code 42 MB}, {@code 500 MB}; one decimal below 10, none above.
     * Negative counts are shown as they are, in bytes.
     */
    public static String decimal(long bytes) {
        return format(bytes, 1000, DECIMAL);
    }

    /** Binary units, for memory: {@code 512 MiB}, {@code 1.5 GiB}, {@code 512 GiB}; same rounding as {@link #decimal}. */
    public static String binary(long bytes) {
        return format(bytes, 1024, BINARY);
    }

    private static String format(long bytes, int base, String[] units) {
        if (bytes < base) {
            return bytes + " B";
        }
        double v = bytes;
        int u = -1;
        while (v >= base && u < units.length - 1) {
            v /= base;
            u++;
        }
        // 9.96 would round up to "10.0"; show it as "10" like every other two-digit value.
        String number = v < 9.95 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.0f", v);
        return number + " " + units[u];
    }
}
