package io.inorder.pipeline;

import io.inorder.writeapi.Deadline;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import io.inorder.ledger.Arrival;
import io.inorder.ledger.ArrivalOutcome;
import io.inorder.ledger.FileLedger;
import io.inorder.ledger.Lease;
import io.inorder.ledger.LeaseLostException;
import io.inorder.ledger.StreamCursor;
import io.inorder.ledger.StreamState;

/**
 * The S3 ordering protocol (architecture §3): applies the files of a stream strictly in sequence order, each exactly
 * once in effect, whatever the order, duplication and timing of the notifications, independent of how a file is
 * applied ({@link FileApplier}).
 *
 * <ol>
 *   <li>Record the arrival; a sequence number below {@code nextSeq} is a duplicate (or, with another eTag, a
 *       conflicting re-upload, recorded and never applied): done, unless the file for {@code nextSeq} is ready (the
 *       redelivery may be the retry of an invocation that failed on a later file).</li>
 *   <li>Try the stream's lease; if another invocation holds it, done: it will see the recorded arrival
 *       (record-then-try).</li>
 *   <li>With the lease, while the arrival for {@code nextSeq} exists and time remains, apply it from
 *       {@code inFileRecord}; the applier checkpoints after each acknowledged window; at the end of the file
 *       {@code nextSeq} advances. Every ledger write is conditional on the lease.</li>
 *   <li>Release the lease, then look for the {@code nextSeq} arrival again and retake the lease if it is there
 *       (release-then-recheck): an arrival recorded while the holder was releasing is never stranded.</li>
 *   <li>Near the deadline ({@link DrainSettings#stopMargin()} before it), stop at a window boundary, release, and
 *       invoke the {@link Continuation}.</li>
 *   <li>When the applier stops before a change that must wait for its table's snapshot ({@link SnapshotOrder}),
 *       release and stop: the stream resumes at its next notification or reconciler sweep.</li>
 * </ol>
 *
 * <p>If the applier throws, the lease is released and the exception propagates (the invocation fails and is
 * retried; the retry resumes from the last checkpoint). If the lease is lost, the drain stops without writing
 * anything more. Lease owners must be unique per invocation (use the Lambda request id). Thread-safe if the
 * applier and continuation are.
 */
public final class S3StreamDrain {

    private final FileLedger ledger;
    private final FileApplier applier;
    private final Continuation continuation;
    private final DrainSettings settings;

    public S3StreamDrain(FileLedger ledger, FileApplier applier, Continuation continuation, DrainSettings settings) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.applier = Objects.requireNonNull(applier, "applier");
        this.continuation = Objects.requireNonNull(continuation, "continuation");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Handles one S3 notification: record it, then drain the stream if this invocation can take the lease. */
    public DrainSummary onArrival(S3Arrival arrival, String owner, Deadline deadline) {
        String stream = arrival.streamId();
        ArrivalOutcome outcome = ledger.recordArrival(stream, arrival.seq(), arrival.key(), arrival.eTag(),
                arrival.size(), arrival.eventTime());
        Tally tally = new Tally(stream, outcome);
        // Redeliveries still drain when there is ready work: an invocation that failed while applying a later
        // file is retried with its own (by then applied) arrival, and that retry is what resumes the stream.
        // A conflicting upload below the cursor is not applied either: it drains only for the same reason.
        boolean belowCursor = outcome == ArrivalOutcome.ALREADY_APPLIED
                || outcome == ArrivalOutcome.CONFLICT_WITH_APPLIED;
        if (belowCursor && !readyWork(stream)) {
            return tally.done();
        }
        return drain(tally, owner, deadline);
    }

    /** Drains {@code stream} without a new arrival: the continuation and reconciler path. */
    public DrainSummary drain(String stream, String owner, Deadline deadline) {
        return drain(new Tally(stream, null), owner, deadline);
    }

    private DrainSummary drain(Tally tally, String owner, Deadline deadline) {
        Deadline stopAt = deadline.earlier(settings.stopMargin());
        FileApplier.Unit unit = applier.open(tally.stream, stopAt);
        DrainSummary summary;
        try {
            summary = drain(tally, owner, stopAt, unit);
        } catch (RuntimeException | Error failure) {
            unit.abandon(failure);
            throw failure;
        }
        // After the lease is released: the unit's last wait on the commit fence never holds up another drain.
        unit.end();
        return summary;
    }

    private DrainSummary drain(Tally tally, String owner, Deadline stopAt, FileApplier.Unit unit) {
        while (true) {
            Optional<Lease> acquired = ledger.tryAcquireLease(tally.stream, owner, settings.leaseDuration());
            if (acquired.isEmpty()) {
                tally.leaseBusy = true;
                return tally.done();
            }
            Lease lease = acquired.get();
            Stop stop;
            try {
                stop = drainHeld(lease, stopAt, tally, unit);
            } catch (LeaseLostException lost) {
                tally.leaseLost = true;
                return tally.done();
            } catch (RuntimeException | Error failure) {
                releaseAfter(lease, failure);
                throw failure;
            }
            ledger.release(lease);
            if (stop == Stop.HELD) {
                return tally.done();
            }
            if (stop == Stop.TIME) {
                tally.stoppedForTime = true;
                continuation.continueDraining(tally.stream);
                return tally.done();
            }
            // Release-then-recheck: an arrival recorded after our last look, whose invocation found the lease
            // still taken, is ours to apply.
            // One query answers both whether the next file is there and, when not, which later file waits behind it.
            StreamState state = ledger.state(ledger.cursor(tally.stream));
            if (state.next().isEmpty()) {
                tally.waitingOnSeq = OptionalLong.of(state.cursor().nextSeq());
                tally.gapBefore = state.firstWaiting().map(a -> OptionalLong.of(a.seq())).orElse(OptionalLong.empty());
                return tally.done();
            }
            if (stopAt.hasPassed()) {
                tally.stoppedForTime = true;
                continuation.continueDraining(tally.stream);
                return tally.done();
            }
        }
    }

    private boolean readyWork(String stream) {
        return ledger.arrival(stream, ledger.cursor(stream).nextSeq()).isPresent();
    }

    /** Applies ready files in order while holding {@code lease}; returns why it stopped. */
    private Stop drainHeld(Lease lease, Deadline stopAt, Tally tally, FileApplier.Unit unit) {
        // Checked before the first file, not only at checkpoints: an applier must not send a single window for a
        // stream whose lease is gone. After that the cursor is known without reading it: each file ends with a
        // completion conditional on the lease, and a lease outlives the invocation that took it
        // (DrainSettings), so it cannot have passed to anyone else since.
        StreamCursor cursor = ledger.cursorUnder(lease);
        long seq = cursor.nextSeq();
        long fromRecord = cursor.inFileRecord();
        while (true) {
            long fileSeq = seq;
            Optional<Arrival> ready = ledger.arrival(lease.stream(), fileSeq);
            if (ready.isEmpty()) {
                return Stop.GAP;
            }
            if (stopAt.hasPassed()) {
                return Stop.TIME;
            }
            FileApplier.Checkpointer checkpointer = (nextRecord, delta, lastPosition) ->
                    ledger.checkpoint(lease, fileSeq, nextRecord, delta, lastPosition);
            FileApplier.Progress progress = unit.apply(ready.get(), fromRecord, checkpointer, stopAt);
            if (progress.heldFor() != null) {
                tally.heldFor = progress.heldFor();
                return Stop.HELD;
            }
            if (!progress.complete()) {
                return Stop.TIME;
            }
            ledger.completeFile(lease, fileSeq, progress.recordCount());
            tally.filesApplied++;
            seq = fileSeq + 1;
            fromRecord = 0;
            // A holder that stalled past its lease's expiry (by its own clock) reads the cursor to learn who has it.
            ledger.requireUnexpired(lease);
        }
    }

    private void releaseAfter(Lease lease, Throwable failure) {
        try {
            ledger.release(lease);
        } catch (RuntimeException releaseFailed) {
            // The lease then simply expires; the original failure is the one to report.
            failure.addSuppressed(releaseFailed);
        }
    }

    private enum Stop { GAP, TIME, HELD }

    /** Mutable per-call counts, turned into the immutable summary at the end. */
    private static final class Tally {
        final String stream;
        final ArrivalOutcome outcome;
        int filesApplied;
        boolean leaseBusy;
        boolean stoppedForTime;
        boolean leaseLost;
        OptionalLong waitingOnSeq = OptionalLong.empty();
        OptionalLong gapBefore = OptionalLong.empty();
        String heldFor;

        Tally(String stream, ArrivalOutcome outcome) {
            this.stream = stream;
            this.outcome = outcome;
        }

        DrainSummary done() {
            return new DrainSummary(stream, Optional.ofNullable(outcome), filesApplied, leaseBusy, stoppedForTime,
                    leaseLost, waitingOnSeq, gapBefore, Optional.ofNullable(heldFor));
        }
    }
}
