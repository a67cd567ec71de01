package io.sandboxops.app.console.status;

import io.sandboxops.core.util.ByteSize;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Sizes, speeds, durations and times as a person reads them in a table cell. */
public final class HumanReadable {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private HumanReadable() {
    }

    /** Decimal units, as {@code Sandbox.MAX_TRANSFER_BYTES} is stated (500 MB = 500,000,000 bytes): {@link ByteSize#decimal}. */
    public static String bytes(long n) {
        return ByteSize.decimal(n);
    }

    public static String speed(double bytesPerSecond) {
        return bytes(Math.round(bytesPerSecond)) + "/s";
    }

    /** {@code 850 ms}, {@code 4.2 s}, {@code 3m 12s}, {@code 2h 05m}, {@code 3d 4h}. */
    public static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = d.toSeconds();
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh %02dm", s / 3600, (s % 3600) / 60);
        }
        return String.format(Locale.ROOT, "%dd %dh", s / 86_400, (s % 86_400) / 3600);
    }

    /** An age: whole units, since a table refreshed every few seconds cannot honour tenths. */
    public static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 60 ? s + " s" : duration(d);
    }

    public static String time(Instant t) {
        return t == null ? "" : TIME.format(t);
    }
}
