package io.inorder.pipeline;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing of the S3 ordering protocol.
 *
 * <p>The lease rule: {@code leaseDuration} must exceed {@code functionTimeout}. A lease is taken during an
 * invocation, so it outlives that invocation; a holder whose lease has expired is therefore already dead and
 * can never write behind its successor's back. {@code stopMargin} is how long before the invocation's deadline the
 * drain stops at the next window boundary (it must leave room to finish one window, checkpoint, release and
 * invoke the continuation).
 */
public record DrainSettings(Duration functionTimeout, Duration leaseDuration, Duration stopMargin) {

    /** Added to the function timeout to form the lease: covers clock skew between Lambda hosts. */
    public static final Duration LEASE_MARGIN = Duration.ofSeconds(60);

    public DrainSettings {
        Objects.requireNonNull(functionTimeout, "functionTimeout");
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(stopMargin, "stopMargin");
        if (functionTimeout.isNegative() || functionTimeout.isZero()) {
            throw new IllegalArgumentException("function timeout must be positive, got " + functionTimeout);
        }
        if (leaseDuration.compareTo(functionTimeout) <= 0) {
            throw new IllegalArgumentException("lease duration " + leaseDuration + " must exceed the function timeout "
                    + functionTimeout + ", or a timed-out holder could still be writing when another takes over");
        }
        if (stopMargin.isNegative() || stopMargin.compareTo(functionTimeout) >= 0) {
            throw new IllegalArgumentException("stop margin " + stopMargin + " must be >= 0 and below the function "
                    + "timeout " + functionTimeout);
        }
    }

    /**
     * Defaults for a function timeout: lease = timeout + 60 s; stop margin = a fifth of the timeout, between 5 s
     * and 60 s (900 s timeout → 960 s lease, 60 s margin; 60 s → 120 s lease, 12 s margin).
     */
    public static DrainSettings forFunctionTimeout(Duration functionTimeout) {
        Duration fifth = functionTimeout.dividedBy(5);
        Duration margin = fifth.compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5)
                : fifth.compareTo(Duration.ofSeconds(60)) > 0 ? Duration.ofSeconds(60) : fifth;
        if (margin.compareTo(functionTimeout) >= 0) {
            margin = functionTimeout.dividedBy(2);
        }
        return new DrainSettings(functionTimeout, functionTimeout.plus(LEASE_MARGIN), margin);
    }
}
