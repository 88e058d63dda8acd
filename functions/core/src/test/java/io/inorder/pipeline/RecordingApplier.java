package io.inorder.pipeline;

import io.inorder.writeapi.Deadline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.inorder.ledger.Arrival;
import io.inorder.ledger.Counters;
import io.inorder.ledger.TestClock;

/**
 * An in-memory {@link FileApplier} for protocol tests. File {@code seq} holds {@code sizes.get(seq)} records; it
 * "sends" them window by window, checkpoints each window and only then counts the window's records as applied
 * (acknowledged). It can crash at planned points, spend clock time per window, and it checks on every call that
 * it is asked to resume exactly where the acknowledged records end (nothing skipped, nothing applied twice).
 */
final class RecordingApplier implements FileApplier {

    /** A planned failure: before sending {@code record} of file {@code seq}, or right after acknowledging it. */
    record CrashPoint(long seq, long record, boolean afterAcknowledge) {
    }

    static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Crash(CrashPoint at) {
            super("planned crash at " + at);
        }
    }

    private final Map<Long, Integer> sizes;
    private final int window;
    private final Set<CrashPoint> crashes = ConcurrentHashMap.newKeySet();
    private final TestClock clock;
    private final Duration perWindow;

    final List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
    final List<String> sent = Collections.synchronizedList(new ArrayList<>());
    final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    final List<String> eTagsApplied = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger active = new AtomicInteger();
    final AtomicInteger maxActive = new AtomicInteger();
    volatile Runnable beforeEachCheckpoint = () -> { };
    volatile java.util.function.Consumer<CrashPoint> onCrash = point -> { };

    RecordingApplier(Map<Long, Integer> sizes, int window, TestClock clock, Duration perWindow) {
        this.sizes = Map.copyOf(sizes);
        this.window = window;
        this.clock = clock;
        this.perWindow = perWindow;
    }

    void crashAt(CrashPoint point) {
        crashes.add(point);
    }

    static String record(long seq, long index) {
        return seq + ":" + index;
    }

    /** Every record of files {@code first..} in order: what the acknowledged log must equal. */
    static List<String> inOrder(Map<Long, Integer> sizes) {
        List<String> all = new ArrayList<>();
        sizes.keySet().stream().sorted().forEach(seq -> {
            for (int i = 0; i < sizes.get(seq); i++) {
                all.add(record(seq, i));
            }
        });
        return all;
    }

    long acknowledgedOf(long seq) {
        synchronized (acknowledged) {
            return acknowledged.stream().filter(r -> r.startsWith(seq + ":")).count();
        }
    }

    @Override
    public Progress apply(Arrival arrival, long fromRecord, Checkpointer checkpointer, Deadline deadline) {
        int now = active.incrementAndGet();
        maxActive.accumulateAndGet(now, Math::max);
        try {
            long seq = arrival.seq();
            checkResumePoint(seq, fromRecord);
            if (fromRecord == 0) {
                eTagsApplied.add(seq + "=" + arrival.eTag());
            }
            int size = sizes.get(seq);
            long next = fromRecord;
            while (next < size) {
                long end = Math.min(size, next + window);
                for (long i = next; i < end; i++) {
                    crashIfPlanned(new CrashPoint(seq, i, false));
                    sent.add(record(seq, i));
                }
                beforeEachCheckpoint.run();
                checkpointer.windowAcknowledged(end, new Counters(end - next, end - next, 1),
                        "pos-" + seq + "-" + (end - 1));
                for (long i = next; i < end; i++) {
                    acknowledged.add(record(seq, i));
                }
                crashIfPlanned(new CrashPoint(seq, end - 1, true));
                next = end;
                clock.advance(perWindow);
                if (next < size && deadline.hasPassed()) {
                    return Progress.stoppedAtWindowBoundary();
                }
            }
            return Progress.complete(size);
        } finally {
            active.decrementAndGet();
        }
    }

    private void crashIfPlanned(CrashPoint point) {
        if (crashes.remove(point)) {
            onCrash.accept(point);
            throw new Crash(point);
        }
    }

    private void checkResumePoint(long seq, long fromRecord) {
        for (Map.Entry<Long, Integer> file : sizes.entrySet()) {
            if (file.getKey() < seq && acknowledgedOf(file.getKey()) != file.getValue()) {
                violations.add("file " + seq + " started while file " + file.getKey() + " had only "
                        + acknowledgedOf(file.getKey()) + " of " + file.getValue() + " records applied");
            }
        }
        if (acknowledgedOf(seq) != fromRecord) {
            violations.add("file " + seq + " resumed at " + fromRecord + " but " + acknowledgedOf(seq)
                    + " records were acknowledged");
        }
    }
}
