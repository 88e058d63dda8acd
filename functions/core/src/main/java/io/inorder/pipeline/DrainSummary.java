package io.inorder.pipeline;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import io.inorder.ledger.ArrivalOutcome;

/**
 * What one call of {@link S3StreamDrain} did, for logs and metrics.
 *
 * @param arrival        how the triggering arrival was recorded (empty on the continuation/reconciler path)
 * @param filesApplied   files completed by this call
 * @param leaseBusy      another invocation held the lease (it will apply what was recorded)
 * @param stoppedForTime stopped at a window boundary because the deadline neared; the continuation was invoked
 * @param leaseLost      the lease was lost mid-drain; this call stopped writing at once
 * @param waitingOnSeq   the stream ended idle waiting for this sequence number
 * @param gapBefore      when later files are already recorded: the lowest of them (so {@code waitingOnSeq} is a gap)
 * @param heldFor        why the stream stopped before a change that waits for its table's snapshot, if it did
 */
public record DrainSummary(String stream, Optional<ArrivalOutcome> arrival, int filesApplied, boolean leaseBusy,
                           boolean stoppedForTime, boolean leaseLost, OptionalLong waitingOnSeq,
                           OptionalLong gapBefore, Optional<String> heldFor) {

    public DrainSummary {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(arrival, "arrival");
        Objects.requireNonNull(waitingOnSeq, "waitingOnSeq");
        Objects.requireNonNull(gapBefore, "gapBefore");
        Objects.requireNonNull(heldFor, "heldFor");
    }

    /** 1 when the triggering notification was a redelivery of a recorded or applied file. */
    public int duplicates() {
        return arrival.filter(a -> a == ArrivalOutcome.DUPLICATE || a == ArrivalOutcome.ALREADY_APPLIED)
                .isPresent() ? 1 : 0;
    }

    /**
     * 1 when the triggering object conflicts with the recorded (or applied) file of the same sequence number: flag
     * it.
     */
    public int conflicts() {
        return arrival.filter(a -> a == ArrivalOutcome.CONFLICT || a == ArrivalOutcome.CONFLICT_WITH_APPLIED)
                .isPresent() ? 1 : 0;
    }

    /** True when the stream is blocked: files after {@code waitingOnSeq} wait for it. */
    public boolean hasGap() {
        return gapBefore.isPresent();
    }
}
