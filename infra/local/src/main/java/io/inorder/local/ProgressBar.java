package io.inorder.local;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress report on a stream: on a terminal one line redrawn in place ({@code \r}), e.g.
 * {@code [#######-----] 120/240 files applied  1.2s}; elsewhere (a pipe, a log, CI) a plain line each time another
 * tenth is done (or, when only the note moved, every 2 s), so logs stay readable. Not thread-safe: one thread draws.
 */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintStream to;
    private final boolean interactive;
    private final long total;
    private final String unit;
    private final long startNanos;
    /** Without a terminal, a line at most this often unless another tenth is done. */
    private static final long PLAIN_INTERVAL_NANOS = 2_000_000_000L;

    private long lastTenth = -1;
    private long lastPrintNanos;
    private String lastNote = "";
    private int lastLength;

    ProgressBar(PrintStream to, boolean interactive, long total, String unit) {
        this.to = to;
        this.interactive = interactive;
        this.total = Math.max(0, total);
        this.unit = unit;
        this.startNanos = System.nanoTime();
        this.lastPrintNanos = startNanos;
    }

    /** Whether stderr is a terminal worth redrawing: a console, and not a CI job (CI=true). */
    static boolean terminal() {
        return System.console() != null && !"true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Shows {@code done} out of the total. */
    void update(long done) {
        update(done, "");
    }

    /** Shows {@code done} out of the total, and {@code note} after it (e.g. a second count). */
    void update(long done, String note) {
        long clamped = Math.min(Math.max(0, done), total);
        if (interactive) {
            String line = render(clamped, note);
            to.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
            to.flush();
        } else {
            long tenth = total == 0 ? 10 : clamped * 10 / total;
            long now = System.nanoTime();
            boolean quietTooLong = now - lastPrintNanos >= PLAIN_INTERVAL_NANOS && !note.equals(lastNote);
            if (tenth != lastTenth || quietTooLong) {
                lastTenth = tenth;
                lastNote = note;
                lastPrintNanos = now;
                to.println(render(clamped, note));
            }
        }
    }

    /** Shows the final count and ends the line. */
    void finish(long done) {
        finish(done, "");
    }

    void finish(long done, String note) {
        update(done, note);
        if (interactive) {
            to.println();
        }
    }

    String render(long done, String note) {
        int filled = total == 0 ? WIDTH : (int) (done * WIDTH / total);
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + done + "/" + total + " " + unit
                + (note.isEmpty() ? "" : ", " + note) + String.format(Locale.ROOT, "  %.1fs", seconds);
    }
}
