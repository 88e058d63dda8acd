package io.inorder.ledger;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A stream as an operator sees it: its cursor, the arrival of the file it needs next (if recorded) and, when that file
 * is missing, the first later file that waits behind it. The one place the reconciler and {@code inorder status}
 * classify a stream, so they cannot disagree.
 */
public record StreamState(StreamCursor cursor, Optional<Arrival> next, Optional<Arrival> firstWaiting) {

    /** What a stream is doing. */
    public enum Condition {
        /** Nothing waits: every recorded file is applied. */
        IDLE,
        /** An invocation holds a live lease and is applying files. */
        DRAINING,
        /** The next file has arrived and nobody is draining it (for a moment between invocations, or stalled). */
        READY,
        /** The next file is missing and later files wait behind it: a gap. */
        BLOCKED
    }

    public StreamState {
        Objects.requireNonNull(cursor, "cursor");
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(firstWaiting, "firstWaiting");
    }

    public String stream() {
        return cursor.stream();
    }

    public Condition condition(Instant now) {
        if (cursor.liveLeaseOwner(now).isPresent()) {
            return Condition.DRAINING;
        }
        if (next.isPresent()) {
            return Condition.READY;
        }
        return firstWaiting.isPresent() ? Condition.BLOCKED : Condition.IDLE;
    }

    /** How long later files have waited behind the missing one (since the first of them arrived); empty if no gap. */
    public Optional<Duration> gapAge(Instant now) {
        if (next.isPresent()) {
            return Optional.empty();
        }
        return firstWaiting.map(a -> {
            Duration age = Duration.between(a.arrivedAt(), now);
            return age.isNegative() ? Duration.ZERO : age;
        });
    }
}
