package io.inorder.writeapi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The instant by which work must stop, read against a clock (injected, so tests move time without sleeping): for a
 * Lambda invocation, its remaining time minus a margin for checkpointing. The client never starts a request, a
 * backoff sleep or a rate-limit wait that would end after it; it throws {@link WriteApiUnavailableException} instead
 * so the caller can checkpoint and stop cleanly. The ingest loop checks {@link #hasPassed()} at window boundaries.
 * Immutable and thread-safe.
 */
public final class Deadline {

    private final Clock clock;
    private final Instant at;

    private Deadline(Clock clock, Instant at) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.at = Objects.requireNonNull(at, "at");
    }

    /** No deadline: retries go on until {@link WriteApiSettings#maxAttempts()} (local runs, tests). */
    public static Deadline none() {
        return new Deadline(Clock.systemUTC(), Instant.MAX);
    }

    public static Deadline at(Clock clock, Instant at) {
        return new Deadline(clock, at);
    }

    /** {@code remaining} from now, e.g. the Lambda context's remaining time. */
    public static Deadline after(Clock clock, Duration remaining) {
        return new Deadline(clock, clock.instant().plus(remaining));
    }

    public Instant at() {
        return at;
    }

    /** Time left, never negative. */
    public Duration remaining() {
        Duration left = remaining(clock.instant());
        return left.isNegative() ? Duration.ZERO : left;
    }

    public boolean hasPassed() {
        return !at.equals(Instant.MAX) && !clock.instant().isBefore(at);
    }

    /** The same deadline moved {@code margin} earlier. */
    public Deadline earlier(Duration margin) {
        return at.equals(Instant.MAX) ? this : new Deadline(clock, at.minus(margin));
    }

    /** Time left at {@code now} (the client's own clock); zero or negative once passed. */
    Duration remaining(Instant now) {
        if (at.equals(Instant.MAX)) {
            return Duration.ofSeconds(Long.MAX_VALUE);
        }
        return Duration.between(now, at);
    }

    /** Whether something starting at {@code now} and lasting {@code d} would end after the deadline. */
    boolean wouldPass(Instant now, Duration d) {
        return !at.equals(Instant.MAX) && now.plus(d).isAfter(at);
    }

    @Override
    public String toString() {
        return at.equals(Instant.MAX) ? "Deadline[none]" : "Deadline[" + at + "]";
    }
}
