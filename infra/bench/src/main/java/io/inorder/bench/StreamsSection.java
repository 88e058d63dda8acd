package io.inorder.bench;

import io.inorder.local.ManyStreams;
import java.util.List;
import java.util.Locale;

/**
 * The report's "10,000 streams" section: reconciler sweep coverage and {@code inorder status} time at scale. Rendered
 * on its own and spliced into the report, so {@code inorder bench --only streams} can refresh it in an existing
 * BENCHMARKS.md without re-running the other sections.
 */
final class StreamsSection {

    static final String HEADING = "## 10,000 streams";

    private StreamsSection() {
    }

    static String render(Results.Section<ManyStreams.Figures> section) {
        StringBuilder md = new StringBuilder(HEADING).append("\n\n");
        if (!section.ok()) {
            return md.append("Failed: ").append(section.failure()).append("\n\n").toString();
        }
        ManyStreams.Figures f = section.figures();
        md.append(String.format(Locale.ROOT, "%,d S3 stream cursors in the ledger table on DynamoDB Local (written in "
                + "%.1f s by 16 threads), one in a hundred (%,d) blocked on a missing file that is not in the bucket, "
                + "the others idle. `ManyStreams` in `infra/bench`.%n%n", f.streams(), f.populateSeconds(),
                f.blocked()));
        md.append("| Figure | Measured | Baseline | Ratio |\n|---|---|---|---|\n");
        List<Integer> sorted = f.visitedPerSweep().stream().sorted().toList();
        int median = sorted.get(sorted.size() / 2);
        md.append(String.format(Locale.ROOT, "| Reconciler sweeps of %.0f s to visit every stream | %d sweeps (%,d to "
                + "%,d streams per sweep, median %,d; the first sweeps pay for the JIT) | never, without the sweep "
                + "cursor: each sweep began at the first stream, so about %,d of %,d were never visited | |%n",
                f.budgetSeconds(), f.sweepsToVisitAll(), sorted.get(0), sorted.get(sorted.size() - 1), median,
                Math.max(0, f.streams() - median), f.streams()));
        md.append(String.format(Locale.ROOT, "| `inorder status`, %,d streams | %.1f s (%d concurrent reads) | "
                + "%.1f s (one reader) | %.1f× faster |%n%n", f.statusRows(), f.statusSeconds(), f.statusReaders(),
                f.statusOneReaderSeconds(), f.statusOneReaderSeconds() / f.statusSeconds()));
        md.append("A sweep visits the streams last found blocked first (their gap age is published every sweep), then "
                + "resumes the round after the last stream the previous sweep visited (an item in the ledger table); "
                + "a blocked stream lists the bucket only where its missing files can be. Status reads the cursors "
                + "100 per BatchGetItem, then one query per stream, and counts quarantined records off the cursors "
                + "instead of reading them. DynamoDB Local shares the two cores with the readers, so both figures are "
                + "floors; on DynamoDB the per-request latency, not CPU, bounds them. The deployed reconciler sweeps "
                + "for up to 110 s (its 120 s timeout less a 10 s margin), 55 times this budget.\n\n");
        return md.toString();
    }

    /** {@code report} with its streams section replaced by {@code section}, or inserted before "Profiles and fixes". */
    static String splice(String report, String section) {
        int at = report.indexOf(HEADING + "\n");
        if (at >= 0) {
            int end = report.indexOf("\n## ", at + HEADING.length());
            return report.substring(0, at) + section + (end < 0 ? "" : report.substring(end + 1));
        }
        for (String before : new String[] {"## Profiles and fixes", "## How to rerun"}) {
            int next = report.indexOf(before);
            if (next >= 0) {
                return report.substring(0, next) + section + report.substring(next);
            }
        }
        return report + "\n" + section;
    }
}
