package io.inorder.ledger;

/** What recording an S3 arrival found. None of these is an error; each tells the caller what to do next. */
public enum ArrivalOutcome {
    /** First notification for this sequence number: recorded. */
    NEW,
    /** The same object (same eTag) was already recorded and is not applied yet: nothing new to record. */
    DUPLICATE,
    /**
     * A different object (other eTag) was uploaded under an already recorded sequence number. The first one stays
     * the one that is applied; the conflicting key and eTag are kept on the arrival for the operator. Flag it.
     */
    CONFLICT,
    /**
     * The sequence number is below the stream's {@code nextSeq} (that file was already applied, or skipped) and the
     * object is the applied one, or a conflicting one already recorded: a redelivery.
     */
    ALREADY_APPLIED,
    /**
     * A different object under a sequence number below {@code nextSeq}: a corrected or renumbered file uploaded under
     * a number that was already applied (or skipped). It is not applied: the applied file stays the applied one. The
     * conflict is recorded ({@link FileLedger#conflict}); when the applied file's arrival has expired its eTag is
     * unknown, and any new upload under the number is taken for a conflict. Flag it; replay on purpose if wanted.
     */
    CONFLICT_WITH_APPLIED
}
