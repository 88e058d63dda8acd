package io.inorder.pipeline;

import io.inorder.ledger.Arrival;
import io.inorder.ledger.ArrivalOutcome;
import io.inorder.ledger.FileLedger;
import io.inorder.ledger.LedgerIndex;
import io.inorder.ledger.StreamState;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.writeapi.Deadline;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
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

    public Reconciler(FileLedger ledger, LedgerIndex index, S3Client s3, S3KeyPattern pattern, Continuation redrive,
            Metrics metrics, Log log, Clock clock) {
        this.ledger = ledger;
        this.index = index;
        this.s3 = s3;
        this.pattern = pattern;
        this.redrive = redrive;
        this.metrics = metrics;
        this.log = log;
        this.clock = clock;
    }

    /** Sweeps every stream, stopping early (the next sweep goes on) when {@code deadline} passes. */
    public List<StreamReport> sweep(Deadline deadline) {
        List<StreamReport> reports = new ArrayList<>();
        try {
            for (String stream : index.streams()) {
                if (deadline.hasPassed()) {
                    log.warn("sweep stopped at its deadline; the next sweep covers the remaining streams",
                            "stream", stream, "swept", reports.size());
                    break;
                }
                reports.add(reconcile(stream));
            }
            metrics.add(Metrics.Name.BLOCKED_STREAMS,
                    reports.stream().filter(r -> r.finding() == Finding.GAP).count());
        } finally {
            metrics.flush();
        }
        return reports;
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
        int registered = registerLost(stream, next, waiting.seq());
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
     * Lists the stream's objects and records the arrival of every file from {@code fromSeq} up to (not including)
     * {@code toSeq} that is in the bucket, as its lost notification would have. Keys are found under the stream name
     * as prefix, which holds for any key pattern whose {@code stream} group starts the key (the default does).
     */
    private int registerLost(String stream, long fromSeq, long toSeq) {
        int slash = stream.indexOf('/');
        String bucket = stream.substring(0, slash);
        String prefix = stream.substring(slash + 1);
        int registered = 0;
        for (S3Object o : s3.listObjectsV2Paginator(l -> l.bucket(bucket).prefix(prefix)).contents()) {
            Optional<S3KeyPattern.Match> m = pattern.match(o.key());
            if (m.isEmpty() || !m.get().stream().equals(prefix)) {
                continue;
            }
            long seq = m.get().seq();
            if (seq < fromSeq || seq >= toSeq) {
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
}
