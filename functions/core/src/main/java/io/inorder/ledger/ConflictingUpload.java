package io.inorder.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * The conflicting re-uploads of one file of a stream: objects with another eTag uploaded under a sequence number that
 * was already recorded (and possibly applied). The recorded file stays the one applied; this is what the operator
 * needs to decide whether to replay the other object on purpose.
 *
 * @param recordedKey  the key of the file recorded (and applied) under {@code seq}; null when its arrival is no longer
 *                     held (expired after it was applied, or the file was skipped) and so cannot be compared
 * @param recordedETag that file's eTag; null in the same case
 * @param count        conflicting uploads recorded (a redelivered notification of the same object counts once)
 * @param lastKey      the key of the latest conflicting object
 * @param lastETag     its eTag
 * @param lastAt       when its notification said it was created
 */
public record ConflictingUpload(String stream, long seq, String recordedKey, String recordedETag, long count,
                                String lastKey, String lastETag, Instant lastAt) {

    public ConflictingUpload {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(lastAt, "lastAt");
    }

    /** Whether the recorded file's eTag is still known (its arrival not yet expired). */
    public boolean recordedKnown() {
        return recordedETag != null;
    }
}
