package io.inorder.pipeline;

import io.inorder.ledger.ArrivalOutcome;
import io.inorder.ledger.ConflictingUpload;
import io.inorder.ledger.FileLedger;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.writeapi.Deadline;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 side of Inorder, behind the thin {@code S3IngestHandler}: matches each notified key to its stream and
 * sequence, then runs the ordering protocol ({@link S3StreamDrain}) for it. One instance per container.
 */
public final class S3Ingest {

    /**
     * One S3 object-created notification, with the key already URL-decoded. The eTag may come quoted (PutObject,
     * HeadObject, listings) or bare (S3 event notifications); both name the same object.
     */
    public record Notification(String bucket, String key, String eTag, long size, Instant eventTime) { }

    private final S3KeyPattern pattern;
    private final FileLedger ledger;
    private final S3StreamDrain drain;
    private final Duration functionTimeout;
    private final Metrics metrics;
    private final Log log;
    private final Clock clock;

    public S3Ingest(S3KeyPattern pattern, FileLedger ledger, S3StreamDrain drain, Duration functionTimeout,
            Metrics metrics, Log log, Clock clock) {
        this.pattern = pattern;
        this.ledger = ledger;
        this.drain = drain;
        this.functionTimeout = functionTimeout;
        this.metrics = metrics;
        this.log = log;
        this.clock = clock;
    }

    /** The whole S3 path from a configuration, over the given clients and continuation. */
    public static S3Ingest create(IngestConfig config, IngestServices services, DynamoDbClient dynamoDb, S3Client s3,
            Continuation continuation, Clock clock) {
        FileLedger ledger = new FileLedger(dynamoDb, config.stateTable(), clock, config.firstSequence(),
                FileLedger.DEFAULT_ARRIVAL_RETENTION);
        DrainSettings settings = config.drainSettings();
        S3StreamDrain drain = new S3StreamDrain(ledger,
                new FileIngest(s3, services, new io.inorder.ledger.SnapshotGate(dynamoDb, config.stateTable(), clock),
                        config.format(), settings.stopMargin()), continuation, settings);
        return new S3Ingest(config.keyPattern(), ledger, drain, config.functionTimeout(), services.metrics(),
                services.log(), clock);
    }

    /**
     * Handles one invocation's notifications in order. {@code invocationId} owns any lease taken (the Lambda request
     * id); {@code remaining} is the invocation's remaining time.
     */
    public List<DrainSummary> handle(List<Notification> notifications, String invocationId, Duration remaining) {
        if (remaining.compareTo(functionTimeout.plusSeconds(1)) > 0) {
            throw new ConfigurationException(IngestConfig.FUNCTION_TIMEOUT_SECONDS.name() + " ("
                    + functionTimeout.toSeconds() + " s) is below this invocation's remaining time ("
                    + remaining.toSeconds() + " s): the stream lease would be shorter than the function timeout. Set "
                    + "it to the function's Timeout");
        }
        Deadline deadline = Deadline.after(clock, remaining);
        List<DrainSummary> summaries = new ArrayList<>();
        try {
            for (Notification n : notifications) {
                Optional<S3KeyPattern.Match> match = pattern.match(n.key());
                if (match.isEmpty()) {
                    metrics.increment(Metrics.Name.IGNORED_KEYS);
                    log.info("key ignored: it does not match S3_KEY_PATTERN", "bucket", n.bucket(), "key", n.key(),
                            "pattern", pattern.regex());
                    continue;
                }
                S3Arrival arrival = new S3Arrival(n.bucket(), n.key(), bare(n.eTag()), n.size(), match.get().stream(),
                        match.get().seq(), n.eventTime());
                metrics.increment(Metrics.Name.ARRIVALS);
                DrainSummary summary = drain.onArrival(arrival, invocationId, deadline);
                summaries.add(summary);
                report(arrival, summary);
            }
        } finally {
            metrics.flush();
        }
        return summaries;
    }

    /** Drains a stream without a new arrival (the reconciler's path). */
    public DrainSummary drain(String streamId, String invocationId, Duration remaining) {
        try {
            return drain.drain(streamId, invocationId, Deadline.after(clock, remaining));
        } finally {
            metrics.flush();
        }
    }

    /**
     * The eTag as S3 event notifications carry it, without the surrounding quotes: the ledger compares eTags as
     * strings, so a quoted and a bare form of the same object must not be taken for a conflicting upload.
     */
    static String bare(String eTag) {
        return eTag != null && eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")
                ? eTag.substring(1, eTag.length() - 1) : eTag;
    }

    /**
     * One WARN per conflicting re-upload, naming both objects by key and eTag (never their contents), and whether the
     * file under that number was already applied. Reads the recorded conflict back: one call, on this rare path only.
     */
    private void reportConflict(S3Arrival arrival, DrainSummary s) {
        boolean applied = s.arrival().filter(a -> a == ArrivalOutcome.CONFLICT_WITH_APPLIED).isPresent();
        Optional<ConflictingUpload> recorded = ledger.conflict(s.stream(), arrival.seq());
        String recordedKey = recorded.map(ConflictingUpload::recordedKey).orElse(null);
        String recordedETag = recorded.map(ConflictingUpload::recordedETag).orElse(null);
        log.warn(applied
                        ? "conflicting re-upload of an applied file: it is not applied, the applied file stays; replay "
                        + "it on purpose if it is a correction (README runbook, ConflictingUploadAlarm)"
                        : "conflicting re-upload: another object was recorded for this sequence number first; the "
                        + "first one is applied (README runbook, ConflictingUploadAlarm)",
                "stream", s.stream(), "seq", arrival.seq(), "key", arrival.key(), "eTag", arrival.eTag(),
                "alreadyApplied", applied,
                "recordedKey", recordedKey == null ? "unknown: its arrival expired from the ledger" : recordedKey,
                "recordedETag", recordedETag == null ? "unknown: its arrival expired from the ledger" : recordedETag,
                "conflicts", recorded.map(ConflictingUpload::count).orElse(1L));
    }

    private void report(S3Arrival arrival, DrainSummary s) {
        metrics.add(Metrics.Name.DUPLICATE_ARRIVALS, s.duplicates());
        metrics.add(Metrics.Name.CONFLICTING_UPLOADS, s.conflicts());
        if (s.conflicts() > 0) {
            reportConflict(arrival, s);
        }
        if (s.hasGap()) {
            long missing = s.waitingOnSeq().getAsLong();
            long waiting = s.gapBefore().getAsLong();
            Duration age = ledger.arrival(s.stream(), waiting)
                    .map(a -> Duration.between(a.arrivedAt(), clock.instant())).orElse(Duration.ZERO);
            metrics.add(Metrics.Name.GAP_AGE, Math.max(0, age.toSeconds()));
            log.warn("stream waits for a missing file: later files are held until it arrives (or an operator skips "
                    + "it)", "stream", s.stream(), "missingSeq", missing, "nextArrivedSeq", waiting,
                    "waitingSeconds", age.toSeconds());
        }
        if (s.stoppedForTime()) {
            metrics.increment(Metrics.Name.CONTINUATIONS);
        }
        s.heldFor().ifPresent(reason -> log.warn("stream held until its table's snapshot is complete: it resumes at "
                + "its next notification or reconciler sweep after that", "stream", s.stream(), "reason", reason));
        log.info("arrival handled", "stream", s.stream(), "seq", arrival.seq(), "key", arrival.key(),
                "outcome", s.arrival().map(Enum::name).orElse("none"), "filesApplied", s.filesApplied(),
                "leaseBusy", s.leaseBusy(), "stoppedForTime", s.stoppedForTime(),
                "waitingOnSeq", s.waitingOnSeq().isPresent() ? s.waitingOnSeq().getAsLong() : null);
    }
}
