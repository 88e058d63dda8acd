package io.inorder.writeapi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Client-side cap on write requests per second across all endpoints, so a small Virtual Instance (FREE: 1, NANO: 5
 * requests/s; rockset-write-api.md §6) is not driven into 429s. A token bucket of one token: requests are spaced
 * {@code 1/rate} apart. Retries count too, as they do on the server. Thread-safe; off when the rate is 0.
 */
final class WriteRateLimiter {

    private final long intervalNanos;
    private final Clock clock;
    private final Sleeper sleeper;
    private Instant nextFree = Instant.MIN;

    WriteRateLimiter(double requestsPerSecond, Clock clock, Sleeper sleeper) {
        this.intervalNanos = requestsPerSecond <= 0 ? 0 : (long) Math.ceil(1e9 / requestsPerSecond);
        this.clock = clock;
        this.sleeper = sleeper;
    }

    boolean enabled() {
        return intervalNanos > 0;
    }

    /** Waits for the next request slot; throws rather than wait past the deadline. */
    void acquire(Deadline deadline) {
        if (!enabled()) {
            return;
        }
        Duration wait;
        synchronized (this) {
            Instant now = clock.instant();
            Instant start = nextFree.isAfter(now) ? nextFree : now;
            wait = Duration.between(now, start);
            if (deadline.wouldPass(now, wait)) {
                throw new WriteApiUnavailableException("the write-rate limit of " + 1e9 / intervalNanos
                        + " requests/s leaves no request slot before the deadline " + deadline.at()
                        + "; checkpoint and continue in a new invocation");
            }
            nextFree = start.plusNanos(intervalNanos);
        }
        if (!wait.isZero()) {
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WriteApiUnavailableException("interrupted while waiting for a write-rate slot", e);
            }
        }
    }
}
