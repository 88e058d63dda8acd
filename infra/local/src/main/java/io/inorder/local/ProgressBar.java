package io.inorder.local;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress report on a stream: on a terminal one line redrawn in place ({@code \r}), e.g.
 * {@code [#######-----] 120/240 files applied  1.2s}; elsewhere (a pipe, a log, CI) a plain line each time another
 * tenth is done, so logs stay readable. Not thread-safe: one thread draws.
 */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintStream to;
    private final boolean interactive;
    private final long total;
    private final String unit;
    private final long startNanos;
    private long lastTenth = -1;
    private int lastLength;

    ProgressBar(PrintStream to, boolean interactive, long total, String unit) {
        this.to = to;
        this.interactive = interactive;
        this.total = Math.max(0, total);
        this.unit = unit;
        this.startNanos = System.nanoTime();
    }

    /** Whether stderr is a terminal worth redrawing: a console, and not a CI job (CI=true). */
    static boolean terminal() {
        return System.console() != null && !"true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Shows {@code done} out of the total. */
    void update(long done) {
        long clamped = Math.min(Math.max(0, done), total);
        if (interactive) {
            String line = render(clamped);
            to.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
            to.flush();
        } else {
            long tenth = total == 0 ? 10 : clamped * 10 / total;
            if (tenth != lastTenth) {
                lastTenth = tenth;
                to.println(render(clamped));
            }
        }
    }

    /** Shows the final count and ends the line. */
    void finish(long done) {
        update(done);
        if (interactive) {
            to.println();
        }
    }

    String render(long done) {
        int filled = total == 0 ? WIDTH : (int) (done * WIDTH / total);
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + done + "/" + total + " " + unit
                + String.format(Locale.ROOT, "  %.1fs", seconds);
    }
}
