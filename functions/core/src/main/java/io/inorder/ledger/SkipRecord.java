package io.inorder.ledger;

import java.time.Instant;
import java.util.Objects;

/** An operator's skip of missing files {@code fromSeq} to {@code toSeq - 1} of a stream: who, when and why. */
public record SkipRecord(String stream, long fromSeq, long toSeq, String reason, String skippedBy,
                         Instant skippedAt) {

    public SkipRecord {
        Objects.requireNonNull(stream, "stream");
    }

    /** How many files were skipped. */
    public long files() {
        return toSeq - fromSeq;
    }
}
