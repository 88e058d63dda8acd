package io.inorder.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A point in time work must be done by, read against an injected clock (so tests move time without sleeping).
 * Immutable and thread-safe.
 */
public final class Deadline {

    private final Clock clock;
    private final Instant at;

    private Deadline(Clock clock, Instant at) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.at = Objects.requireNonNull(at, "at");
    }

    public static Deadline at(Clock clock, Instant at) {
        return new Deadline(clock, at);
    }

    /** {@code remaining} from now, e.g. the Lambda context's remaining time. */
    public static Deadline after(Clock clock, Duration remaining) {
        return new Deadline(clock, clock.instant().plus(remaining));
    }

    public Instant instant() {
        return at;
    }

    /** Time left, never negative. */
    public Duration remaining() {
        Duration left = Duration.between(clock.instant(), at);
        return left.isNegative() ? Duration.ZERO : left;
    }

    public boolean hasPassed() {
        return !clock.instant().isBefore(at);
    }

    /** The same deadline moved {@code margin} earlier. */
    public Deadline earlier(Duration margin) {
        return new Deadline(clock, at.minus(margin));
    }

    @Override
    public String toString() {
        return "Deadline[" + at + "]";
    }
}
