package io.inorder.pipeline;

import io.inorder.ledger.Arrival;
import io.inorder.ledger.ArrivalOutcome;
import io.inorder.ledger.FileLedger;
import io.inorder.ledger.LedgerIndex;
import io.inorder.ledger.StreamState;
import io.inorder.ledger.SweepCursor;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.writeapi.Deadline;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The scheduled sweep that keeps every stream moving without weakening its order. For each S3 stream in the ledger:
 * <ul>
 *   <li>a live lease: someone is draining it — nothing to do;</li>
 *   <li>the next file has arrived but nobody holds the lease (a continuation that never ran, a holder that died and
 *       whose lease expired): re-drive it through the {@link Continuation}, i.e. a new invocation of the S3 function
 *       that runs the ordinary ordering protocol;</li>
 *   <li>the next file is missing while later ones wait (a gap): list the bucket for the missing suffix; when the
 *       object is there its notification was lost, so record its arrival (exactly as the notification would have) and
 *       re-drive; otherwise publish how long the stream has waited ({@code GapAge}, per stream and service-wide) for
 *       the alarm and the runbook.</li>
 * </ul>
 * It never applies, skips or reorders anything itself: every file still goes through the lease and the cursor, so a
 * sweep racing an invocation is as harmless as a duplicate notification.
 */
public final class Reconciler {

    /** Most missing unpadded sequence numbers looked up in the bucket per blocked stream and sweep. */
    static final int MAX_PROBES = 8;
    /** Keys per listing page where the listing usually stops within its first few keys. */
    static final int PAGE = 100;
    /** The sweep saves where it is after this many streams, besides at its end. */
    static final int SAVE_EVERY = 100;

    /** What the sweep found for one stream and what it did. */
    public enum Finding {
        /** Nothing waits: the stream is up to date. */
        IDLE,
        /** An invocation holds the lease. */
        DRAINING,
        /** The next file was ready and nobody drained it: re-driven. */
        REDRIVEN,
        /** The missing file was in the bucket, its notification lost: recorded and re-driven. */
        FOUND_LOST_NOTIFICATION,
        /** The next file is missing and not in the bucket: the stream waits (alarmed, see the runbook). */
        GAP
    }

    /**
     * One stream's result. {@code missingSeq} and {@code waitingSince} are set for a gap: the file the stream waits
     * for and when the first later file arrived.
     */
    public record StreamReport(String stream, Finding finding, long nextSeq, OptionalLong missingSeq,
                               Optional<Instant> waitingSince, int registered) { }

    private final FileLedger ledger;
    private final LedgerIndex index;
    private final S3Client s3;
    private final S3KeyPattern pattern;
    private final Continuation redrive;
    private final Metrics metrics;
    private final Log log;
    private final Clock clock;
    private final SweepCursor cursor;

    /** @param cursor where the previous sweep stopped (an item in the ledger table) */
    public Reconciler(FileLedger ledger, LedgerIndex index, SweepCursor cursor, S3Client s3, S3KeyPattern pattern,
            Continuation redrive, Metrics metrics, Log log, Clock clock) {
        this.ledger = ledger;
        this.index = index;
        this.cursor = cursor;
        this.s3 = s3;
        this.pattern = pattern;
        this.redrive = redrive;
        this.metrics = metrics;
        this.log = log;
        this.clock = clock;
    }

    /**
     * Sweeps the streams, stopping early when {@code deadline} passes: first the streams last found blocked (so each
     * one's gap age is published every sweep), then the round of all streams from where the previous sweep stopped
     * ({@link SweepCursor}), wrapping past the last one. However many streams there are, each is visited within
     * {@code streams / streams-per-sweep + 1} sweeps.
     */
    public List<StreamReport> sweep(Deadline deadline) {
        List<StreamReport> reports = new ArrayList<>();
        try {
            List<String> streams = index.streams();
            SweepCursor.Position at = cursor.read();
            SortedSet<String> blocked = new TreeSet<>(at.blocked());
            Set<String> visited = new HashSet<>();
            Set<String> known = new HashSet<>(streams);
            for (String stream : at.blocked()) {
                if (deadline.hasPassed()) {
                    break;
                }
                if (!known.contains(stream)) {
                    blocked.remove(stream);
                    continue;
                }
                visit(stream, reports, blocked);
                visited.add(stream);
            }
            String resumeAfter = at.resumeAfter();
            int start = firstAfter(streams, resumeAfter);
            int swept = 0;
            try {
                for (int k = 0; k < streams.size(); k++) {
                    String stream = streams.get((start + k) % streams.size());
                    if (deadline.hasPassed()) {
                        log.warn("sweep stopped at its deadline; the next sweep resumes at this stream",
                                "stream", stream, "swept", swept, "streams", streams.size());
                        break;
                    }
                    if (!visited.contains(stream)) {
                        visit(stream, reports, blocked);
                    }
                    resumeAfter = stream;
                    if (++swept % SAVE_EVERY == 0) {
                        // A sweep cut short without reaching its finally (its container killed) loses little.
                        cursor.save(new SweepCursor.Position(resumeAfter, blocked));
                    }
                }
            } finally {
                cursor.save(new SweepCursor.Position(resumeAfter, blocked));
            }
            metrics.add(Metrics.Name.BLOCKED_STREAMS, blocked.size());
        } finally {
            metrics.flush();
        }
        return reports;
    }

    private void visit(String stream, List<StreamReport> reports, SortedSet<String> blocked) {
        StreamReport report = reconcile(stream);
        reports.add(report);
        if (report.finding() == Finding.GAP) {
            if (blocked.size() < SweepCursor.MAX_REMEMBERED_BLOCKED || blocked.contains(stream)) {
                blocked.add(stream);
            }
        } else {
            blocked.remove(stream);
        }
    }

    /** The index of the first stream after {@code resumeAfter} in the sorted list (0: start of a new round). */
    private static int firstAfter(List<String> streams, String resumeAfter) {
        if (resumeAfter == null) {
            return 0;
        }
        for (int i = 0; i < streams.size(); i++) {
            if (streams.get(i).compareTo(resumeAfter) > 0) {
                return i;
            }
        }
        return 0;
    }

    /** Reconciles one stream, classified by {@link StreamState} exactly as {@code inorder status} shows it. */
    public StreamReport reconcile(String stream) {
        StreamState state = ledger.state(stream);
        long next = state.cursor().nextSeq();
        Instant now = clock.instant();
        switch (state.condition(now)) {
            case DRAINING:
                return new StreamReport(stream, Finding.DRAINING, next, OptionalLong.empty(), Optional.empty(), 0);
            case IDLE:
                return new StreamReport(stream, Finding.IDLE, next, OptionalLong.empty(), Optional.empty(), 0);
            case READY:
                metrics.increment(Metrics.Name.STREAMS_REDRIVEN);
                log.warn("stream re-driven: its next file was recorded but nobody was draining it (a continuation "
                        + "or retry that never ran)", "stream", stream, "seq", next, "inFileRecord",
                        state.cursor().inFileRecord());
                redrive.continueDraining(stream);
                return new StreamReport(stream, Finding.REDRIVEN, next, OptionalLong.empty(), Optional.empty(), 0);
            default:
                break;
        }
        Arrival waiting = state.firstWaiting().orElseThrow();
        int registered = registerLost(stream, next, waiting);
        if (registered > 0 && ledger.arrival(stream, next).isPresent()) {
            metrics.increment(Metrics.Name.STREAMS_REDRIVEN);
            redrive.continueDraining(stream);
            return new StreamReport(stream, Finding.FOUND_LOST_NOTIFICATION, next, OptionalLong.of(next),
                    Optional.empty(), registered);
        }
        long ageSeconds = state.gapAge(now).orElse(Duration.ZERO).toSeconds();
        metrics.publishFor("stream", stream, Metrics.Name.GAP_AGE, ageSeconds);
        log.warn("stream waits for a missing file that is not in the bucket: find it, or skip it with a recorded "
                + "reason (inorder skip)", "stream", stream, "missingSeq", next, "nextArrivedSeq", waiting.seq(),
                "waitingSeconds", ageSeconds);
        return new StreamReport(stream, Finding.GAP, next, OptionalLong.of(next), Optional.of(waiting.arrivedAt()),
                registered);
    }

    /**
     * Finds in the bucket the files from {@code fromSeq} up to (not including) the waiting file, and records the
     * arrival of each one there, as its lost notification would have. Lists only where those keys can be, read off the
     * waiting file's key ({@link #missingFiles}); the whole stream prefix only when the key pattern does not say.
     */
    private int registerLost(String stream, long fromSeq, Arrival waiting) {
        int registered = 0;
        for (S3Object o : missingFiles(stream, fromSeq, waiting)) {
            Optional<S3KeyPattern.Match> m = pattern.match(o.key());
            if (m.isEmpty() || !stream.equals(bucketOf(stream) + "/" + m.get().stream())) {
                continue;
            }
            long seq = m.get().seq();
            if (seq < fromSeq || seq >= waiting.seq()) {
                continue;
            }
            ArrivalOutcome outcome = ledger.recordArrival(stream, seq, o.key(), S3Ingest.bare(o.eTag()), o.size(),
                    clock.instant());
            if (outcome == ArrivalOutcome.NEW) {
                registered++;
                metrics.increment(Metrics.Name.LOST_NOTIFICATIONS);
                log.warn("lost S3 notification found: the object was in the bucket but never recorded; recorded now",
                        "stream", stream, "seq", seq, "key", o.key(), "eTag", o.eTag());
            }
        }
        return registered;
    }

    /**
     * The objects that may hold files {@code fromSeq} up to the waiting file, listed from where they can start rather
     * than from the start of the stream (which holds every applied file too). The waiting file's key shows where the
     * sequence number sits ({@link S3KeyPattern#place}) and how it is written:
     * <ul>
     *   <li>zero-padded ({@code _00012}): key order is number order, so one listing starts after the key of
     *       {@code fromSeq - 1} (S3 {@code StartAfter}) and stops at the waiting file;</li>
     *   <li>unpadded ({@code _12}, where {@code _9} sorts after {@code _10}): key order is not number order, so each
     *       missing number is looked up under its own prefix ({@code stream_12}), at most {@value #MAX_PROBES} per
     *       sweep (the stream needs only the first to move; the next sweep finds the next). A prefix also holds the
     *       longer numbers that start with it ({@code _120}..{@code _129}); when the key's tail sorts before digits
     *       (an extension, {@code .json}, or nothing) the exact key comes first and the listing stops there;</li>
     *   <li>a key pattern whose stream group does not start the key: the stream's whole prefix, as before.</li>
     * </ul>
     */
    private Iterable<S3Object> missingFiles(String stream, long fromSeq, Arrival waiting) {
        String bucket = bucketOf(stream);
        String prefix = stream.substring(bucket.length() + 1);
        Optional<S3KeyPattern.Place> place = pattern.place(waiting.key());
        if (place.isEmpty() || !place.get().head().startsWith(prefix)) {
            return s3.listObjectsV2Paginator(l -> l.bucket(bucket).prefix(prefix)).contents();
        }
        String head = place.get().head();
        String digits = place.get().digits();
        List<S3Object> found = new ArrayList<>();
        if (digits.length() > 1 && digits.charAt(0) == '0') {
            int width = digits.length();
            String startAfter = fromSeq == 0 ? null : head + padded(fromSeq - 1, width);
            for (S3Object o : s3.listObjectsV2Paginator(l -> l.bucket(bucket).prefix(head).startAfter(startAfter)
                    .maxKeys(PAGE))
                    .contents()) {
                Optional<S3KeyPattern.Place> p = pattern.place(o.key());
                if (p.isPresent() && p.get().digits().length() == width
                        && Long.parseLong(p.get().digits()) >= waiting.seq()) {
                    break;
                }
                found.add(o);
            }
            return found;
        }
        String tail = place.get().tail();
        boolean exactFirst = tail.isEmpty() || tail.charAt(0) < '0';
        for (long seq = fromSeq; seq < waiting.seq() && seq < fromSeq + MAX_PROBES; seq++) {
            Set<String> candidates = new LinkedHashSet<>();
            candidates.add(head + seq);
            // A fixed width the waiting number happens to fill (_12345 of width 5) looks unpadded: try both.
            if (Long.toString(seq).length() < digits.length()) {
                candidates.add(head + padded(seq, digits.length()));
            }
            for (String candidate : candidates) {
                for (S3Object o : s3.listObjectsV2Paginator(l -> l.bucket(bucket).prefix(candidate)
                        .maxKeys(PAGE)).contents()) {
                    String rest = o.key().substring(candidate.length());
                    if (exactFirst && !rest.isEmpty() && Character.isDigit(rest.charAt(0))) {
                        break;
                    }
                    found.add(o);
                }
            }
        }
        return found;
    }

    private static String padded(long seq, int width) {
        return String.format("%0" + width + "d", seq);
    }

    private static String bucketOf(String stream) {
        return stream.substring(0, stream.indexOf('/'));
    }
}
