package io.sandboxops.app.cli;

import io.sandboxops.core.api.TransferProgress;
import java.io.PrintWriter;

/** A one-line transfer progress bar on stderr, drawn only when a person is watching a terminal. */
final class ProgressBar implements TransferProgress {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final String label;
    private final long startNanos = System.nanoTime();
    private long lastDraw;

    private ProgressBar(PrintWriter err, String label) {
        this.err = err;
        this.label = label;
    }

    /** A bar when stderr is a terminal and JSON was not asked for; otherwise silence. */
    static TransferProgress forTerminal(Output output, String label) {
        return System.console() != null && !output.json ? new ProgressBar(output.err(), label) : TransferProgress.NONE;
    }

    @Override
    public void onProgress(long done, long total) {
        long now = System.nanoTime();
        boolean finished = total >= 0 && done >= total;
        if (!finished && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
        String speed = human(done / seconds) + "/s";
        String line;
        if (total > 0) {
            int filled = (int) (WIDTH * done / total);
            line = String.format("%s [%s%s] %3d%% %s/%s %s", label, "#".repeat(filled), " ".repeat(WIDTH - filled), 100 * done / total,
                    human(done), human(total), speed);
        } else {
            line = String.format("%s %s %s", label, human(done), speed);
        }
        err.print("\r" + line);
        if (finished) {
            err.println();
        }
        err.flush();
    }

    static String human(double bytes) {
        String[] units = {"B", "KB", "MB", "GB"};
        int u = 0;
        while (bytes >= 1000 && u < units.length - 1) {
            bytes /= 1000;
            u++;
        }
        return u == 0 ? String.format("%.0f %s", bytes, units[u]) : String.format("%.1f %s", bytes, units[u]);
    }
}
