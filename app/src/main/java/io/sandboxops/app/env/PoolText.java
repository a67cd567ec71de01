package io.sandboxops.app.env;

import io.sandboxops.core.api.PoolStatus;
import io.sandboxops.core.env.PoolSize;
import io.sandboxops.core.env.PoolSizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A warm pool in words, the same in {@code sandboxctl pool status} and the console. */
public final class PoolText {
    /** Which setting decides a backend's pool size. */
    public static final String PRECEDENCE = "SANDBOX_POOL_DOCKER / SANDBOX_POOL_CLOUDRUN, else the environment's \"pool\" in "
            + "environments.json, else " + PoolSizes.DEFAULT;

    private PoolText() {
    }

    /** How a backend's name is shown: {@code Docker}, {@code Cloud Run}. */
    public static String label(String backend) {
        return switch (backend) {
            case PoolSizes.DOCKER -> "Docker";
            case PoolSizes.CLOUDRUN -> "Cloud Run";
            default -> backend;
        };
    }

    /** What the pool costs per hour and at which price, e.g. {@code $0.0792/h at Cloud Run jobs list price ...}. */
    public static String cost(PoolStatus status) {
        if (status.usdPerHour() == 0) {
            return "$0/h (" + status.priceSource() + ")";
        }
        return String.format(Locale.ROOT, "$%.4f/h at %s", status.usdPerHour(), status.priceSource());
    }

    /** A backend's pool: its size and where that comes from, its counts and cost, then one line per member. */
    public static List<String> describe(PoolSize size, PoolStatus status) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%s: target %d (%s), idle %d, starting %d, %s", size.backend(), size.size(), size.source(),
                status.idle(), status.starting(), cost(status)));
        if (status.target() != size.size()) {
            // Opened for the read with no pool of its own, the backend may still see members another client keeps.
            lines.add(String.format(Locale.ROOT, "  (this read opened %s with a pool of %d: it started nothing)", size.backend(), status.target()));
        }
        for (PoolStatus.Member m : status.members()) {
            lines.add(String.format(Locale.ROOT, "  %-40s %-9s since %s", m.id(), m.state(), m.since()));
        }
        return lines;
    }

    /** One line for the console, e.g. {@code Pool: Docker 2/2 idle · Cloud Run 1/1 idle · $0.0792/h}; empty when no backend has a pool. */
    public static String summary(List<PoolStatus> pools) {
        List<String> parts = new ArrayList<>();
        double usd = 0;
        boolean any = false;
        for (PoolStatus p : pools) {
            any |= p.target() > 0 || p.idle() > 0 || p.starting() > 0;
            usd += p.usdPerHour();
            String part = label(p.backend()) + " " + p.idle() + "/" + p.target() + " idle";
            parts.add(p.starting() > 0 ? part + " (" + p.starting() + " starting)" : part);
        }
        if (!any) {
            return "";
        }
        return "Pool: " + String.join(" · ", parts) + (usd == 0 ? " · $0/h" : String.format(Locale.ROOT, " · $%.4f/h", usd));
    }

    /** Each pool with its cost and price source, for the summary's tooltip. */
    public static String details(List<PoolStatus> pools) {
        List<String> lines = new ArrayList<>();
        for (PoolStatus p : pools) {
            lines.add(label(p.backend()) + ": " + p.target() + " asked, " + p.idle() + " idle, " + p.starting() + " starting; " + cost(p));
        }
        return String.join("\n", lines);
    }
}
