package io.inorder.writeapi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** A clock that only moves when the code under test sleeps, recording every sleep: deterministic backoff tests. */
final class ManualTime extends Clock implements Sleeper {

    private Instant now;
    private final List<Duration> sleeps = new ArrayList<>();

    ManualTime(Instant start) {
        this.now = start;
    }

    ManualTime() {
        this(Instant.parse("2026-11-23T20:00:00Z"));
    }

    @Override
    public synchronized void sleep(Duration d) {
        if (d.isNegative()) {
            throw new AssertionError("negative sleep " + d);
        }
        sleeps.add(d);
        now = now.plus(d);
    }

    synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    synchronized void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public synchronized Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}
