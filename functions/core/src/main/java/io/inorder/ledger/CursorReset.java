package io.inorder.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * An operator's reset of a Kafka partition cursor: who, when, why, and where it moved. After it, records above
 * {@code lastOffset} are applied again (offset {@code lastOffset + 1} first).
 *
 * @param previousOffset the last applied offset before the reset
 * @param lastOffset     the last applied offset after it ({@code -1}: every offset from 0 applies)
 */
public record CursorReset(String topic, int partition, long previousOffset, long lastOffset, String reason,
                          String resetBy, Instant resetAt) {

    public CursorReset {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(resetAt, "resetAt");
    }

    /** The first offset applied again after the reset. */
    public long fromOffset() {
        return lastOffset + 1;
    }
}
