package io.sandboxops.core.observe;

import io.sandboxops.core.api.SandboxInvalidInputException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** How far back metrics look: the console's and CLI's presets, or any duration (a plan step's hold time). */
public record MetricsWindow(Duration length, String label) {

    public static final MetricsWindow HOUR = new MetricsWindow(Duration.ofHours(1), "1h");
    public static final MetricsWindow SIX_HOURS = new MetricsWindow(Duration.ofHours(6), "6h");
    public static final MetricsWindow DAY = new MetricsWindow(Duration.ofHours(24), "24h");
    public static final MetricsWindow WEEK = new MetricsWindow(Duration.ofDays(7), "7d");

    public static final List<MetricsWindow> PRESETS = List.of(HOUR, SIX_HOURS, DAY, WEEK);

    public MetricsWindow {
        if (length.isNegative() || length.isZero()) {
            throw new SandboxInvalidInputException("a metrics window must be positive, not " + length);
        }
    }

    /** {@code 1h}, {@code 6h}, {@code 24h}, {@code 7d}, or any {@code N} followed by {@code m}, {@code h} or {@code d}. */
    public static MetricsWindow parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (MetricsWindow w : PRESETS) {
            if (w.label.equals(t)) {
                return w;
            }
        }
        if (t.matches("[1-9][0-9]{0,5}[mhd]")) {
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            Duration d = switch (t.charAt(t.length() - 1)) {
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return new MetricsWindow(d, t);
        }
        throw new SandboxInvalidInputException("window \"" + text + "\": use 1h, 6h, 24h, 7d or a number followed by m, h or d");
    }
}
