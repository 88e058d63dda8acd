package io.inorder.ledger;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How far a source table got: {@code applied} is the newest change the Write API acknowledged, {@code visible} the
 * newest change known queryable (the commit fence passed), plus the running totals. For lag and status.
 */
public record TableProgress(String sourceTable, Optional<Mark> applied, Optional<Mark> visible, Counters totals) {

    public TableProgress {
        Objects.requireNonNull(sourceTable, "sourceTable");
        Objects.requireNonNull(applied, "applied");
        Objects.requireNonNull(visible, "visible");
        Objects.requireNonNull(totals, "totals");
    }

    /** A point in the source: its position (Arcion cursor or Kafka offset, as text), its time, when recorded. */
    public record Mark(String position, long sourceTimeMillis, Instant recordedAt) {
    }
}
