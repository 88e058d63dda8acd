package io.inorder.writeapi;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the n-th retry (n = 0, 1, ...) sleeps a uniformly random time in
 * {@code [0, min(cap, base·2^n)]}, so clients hit by the same 429 storm spread out instead of retrying in lockstep
 * (rockset-write-api.md §9.1, lesson 5). A server's {@code Retry-After} is a minimum on top of that.
 */
final class Backoff {

    private final long baseNanos;
    private final long capNanos;
    private final RandomGenerator random;

    Backoff(Duration base, Duration cap, RandomGenerator random) {
        this.baseNanos = base.toNanos();
        this.capNanos = cap.toNanos();
        this.random = random;
    }

    /** The largest sleep the n-th retry may draw. */
    Duration ceiling(int retry) {
        long c = baseNanos;
        for (int i = 0; i < retry && c < capNanos; i++) {
            c = c > capNanos / 2 ? capNanos : c * 2;
        }
        return Duration.ofNanos(Math.min(c, capNanos));
    }

    /** A sleep for the n-th retry, at least {@code retryAfter} when the server asked for one (null otherwise). */
    Duration next(int retry, Duration retryAfter) {
        long ceiling = ceiling(retry).toNanos();
        Duration jittered = Duration.ofNanos(ceiling == 0 ? 0 : random.nextLong(ceiling + 1));
        return retryAfter != null && retryAfter.compareTo(jittered) > 0 ? retryAfter : jittered;
    }
}
