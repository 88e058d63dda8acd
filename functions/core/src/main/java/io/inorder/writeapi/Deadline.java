package io.inorder.writeapi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The instant by which a caller needs the writer to give up: for a Lambda invocation, its remaining time minus a
 * margin for checkpointing. The client never starts a request, a backoff sleep or a rate-limit wait that would end
 * after it; it throws {@link WriteApiUnavailableException} instead so the caller can checkpoint and stop cleanly.
 */
public record Deadline(Instant at) {

    public Deadline {
        Objects.requireNonNull(at, "at");
    }

    /** No deadline: retries go on until {@link WriteApiSettings#maxAttempts()} (local runs, tests). */
    public static Deadline none() {
        return new Deadline(Instant.MAX);
    }

    /** {@code remaining - margin} from now, e.g. {@code Deadline.in(clock, ofMillis(ctx.getRemainingTimeInMillis()), ofSeconds(10))}. */
    public static Deadline in(Clock clock, Duration remaining, Duration margin) {
        return new Deadline(clock.instant().plus(remaining).minus(margin));
    }

    /** Time left at {@code now}; zero or negative once passed. */
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
}
