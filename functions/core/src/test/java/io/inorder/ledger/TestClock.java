package io.inorder.ledger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A clock tests move by hand, shared safely between threads: either standing still at a start instant, or following
 * the system clock, so real waits still pass while a test jumps over a deadline without sleeping.
 */
public final class TestClock extends Clock {

    private final LongSupplier base;
    private final AtomicLong offset = new AtomicLong();

    private TestClock(LongSupplier base) {
        this.base = base;
    }

    /** Stands still at {@code start} until advanced. */
    public TestClock(Instant start) {
        this(() -> start.toEpochMilli());
    }

    public static TestClock atEpochPlusDays(int days) {
        return new TestClock(Instant.parse("2026-01-01T00:00:00Z").plus(Duration.ofDays(days)));
    }

    /** The system clock plus whatever the test advanced it by. */
    public static TestClock followingSystemTime() {
        return new TestClock(System::currentTimeMillis);
    }

    public void advance(Duration by) {
        offset.addAndGet(by.toMillis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public long millis() {
        return base.getAsLong() + offset.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }
}
