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
    /** The sequence number is below the stream's {@code nextSeq}: that file was already applied. */
    ALREADY_APPLIED
}
