package io.inorder.pipeline;

import io.inorder.ledger.Counters;
import io.inorder.ledger.TableCursor;
import io.inorder.observe.Metrics;
import io.inorder.writeapi.CommitFence;
import io.inorder.writeapi.Deadline;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The table marks of one ordered unit of work — one drain of an S3 stream (its files one after another), or one Kafka
 * partition in one invocation — and the commit fence that moves their {@code visibleThrough}, kept off the unit's
 * critical path (architecture §3, CommitFence).
 *
 * <p>The writer calls {@link #acknowledged} after each window's checkpoint; the window's offsets and table marks join
 * the pending group. At most one fence is in flight per unit, on a background thread of the unit's own ({@link
 * CommitFence} is thread-safe): when none is, the pending group's offsets go out in a new one. A background thread
 * rather than polls at window boundaries because the fence then keeps its own poll schedule whatever the windows take
 * (one large window may take seconds), and {@link CommitFence} stays the only code that speaks the protocol. The
 * thread is made lazily, so never during SnapStart's init, is a daemon, and is shut down when the unit ends
 * ({@link #finish} or {@link #abandon}), so nothing runs while Lambda freezes the container.
 *
 * <p>Guarantees: a fence covers only windows acknowledged before it started, and a table's visible mark moves only to
 * a mark of a window a passed fence covered, so {@code visibleThrough} never passes a write that is not yet visible;
 * the table cursor's own condition keeps it monotonic. A fence that does not pass within {@code COMMIT_WAIT_MS} hands
 * its windows back to the pending group, so the next one covers them. Table marks are aggregated: written once when
 * the unit ends and at most once per fence that passed, never per window, and only from acknowledged windows, so
 * {@code appliedThrough} never passes an unacknowledged write. The metric CommitWait counts only the time the unit
 * was blocked on the fence (its final wait in {@link #finish}). A fence failure (configuration or protocol) is thrown
 * on the unit's thread at its next window or at {@link #finish}. Not thread-safe: one unit, one thread.
 */
public final class Visibility {

    private final IngestServices services;
    private final Deadline deadline;

    /** Acknowledged work per table not yet written to its cursor. */
    private final Map<String, Applied> applied = new LinkedHashMap<>();
    /** Per table, the newest mark a passed fence covered, not yet written. */
    private final Map<String, TableCursor.Point> visible = new LinkedHashMap<>();
    /** Windows acknowledged since the fence in flight started (or since the last one): their newest marks. */
    private Map<String, TableCursor.Point> pendingMarks = new LinkedHashMap<>();
    /** ...and their offsets per collection. */
    private Map<String, Set<String>> pendingOffsets = new LinkedHashMap<>();
    private InFlight inFlight;
    private ExecutorService executor;

    private static final class Applied {
        TableCursor.Point point;
        long records;
        long operations;
    }

    /** A fence under way and what it covers. */
    private record InFlight(Future<Passage> answer, Map<String, TableCursor.Point> covers,
                            Map<String, Set<String>> offsets) { }

    /** A fence's outcome and the wall time it was seen, for the source-to-visible lag. */
    private record Passage(boolean passed, long atMillis) { }

    /**
     * @param deadline the unit's soft deadline: no fence, background or final, waits past it
     */
    public Visibility(IngestServices services, Deadline deadline) {
        this.services = services;
        this.deadline = deadline;
    }

    /** A table's share of one acknowledged window. */
    void applied(String table, String position, long sourceTimeMillis, long records, long operations) {
        TableCursor.Point point = new TableCursor.Point(position, sourceTimeMillis);
        Applied a = applied.computeIfAbsent(table, t -> new Applied());
        a.point = point;
        a.records += records;
        a.operations += operations;
        if (services.fence() != null) {
            pendingMarks.put(table, point);
        }
    }

    /**
     * Called after a window's checkpoint, once its tables were given to {@link #applied}: its offsets join the
     * pending group; a fence that answered is taken in; a new one starts when none is in flight.
     */
    void acknowledged(Map<String, ? extends Collection<String>> offsets) {
        if (services.fence() == null) {
            return;
        }
        offsets.forEach((collection, o) -> pendingOffsets.computeIfAbsent(collection, c -> new LinkedHashSet<>())
                .addAll(o));
        if (inFlight != null && inFlight.answer().isDone()) {
            takeIn(answer(inFlight.answer()));
        }
        if (inFlight == null) {
            start();
        }
        if (!visible.isEmpty()) {
            write();
        }
    }

    /**
     * Ends the unit: waits once more for the fence in flight and for the windows acknowledged after it started, both
     * within {@code COMMIT_WAIT_MS} and the deadline, then writes the table marks and stops the fence thread.
     *
     * @throws io.inorder.writeapi.WriteApiConfigurationException when the fence was refused for configuration
     * @throws io.inorder.writeapi.WriteApiProtocolException      when the server refused the offsets
     */
    public void finish() {
        RuntimeException failure = null;
        try {
            if (services.fence() != null && (inFlight != null || !pendingMarks.isEmpty())) {
                finalWait();
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            // The acknowledged work is recorded even when the fence failed: it was applied either way.
            write();
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        } finally {
            stop();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Ends the unit after a failure: no more waiting, the fence thread is stopped, and the acknowledged work is still
     * written to the table marks (best effort: a failure here is added to {@code failure}).
     */
    public void abandon(Throwable failure) {
        stop();
        try {
            write();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private void finalWait() {
        Duration left = deadline.remaining();
        if (left.isNegative() || left.isZero()) {
            // Out of time: only a fence that has answered already counts.
            if (inFlight != null && inFlight.answer().isDone()) {
                takeIn(answer(inFlight.answer()));
            }
            return;
        }
        Duration wait = services.client().settings().commitWait();
        Deadline bound = left.compareTo(wait) > 0 ? deadline.earlier(left.minus(wait)) : deadline;
        long began = System.nanoTime();
        if (inFlight != null) {
            Passage p;
            try {
                Duration remaining = bound.remaining();
                p = remaining.isNegative() ? null : answer(inFlight.answer(), remaining);
            } catch (TimeoutException stillWaiting) {
                p = null;
            }
            if (p == null) {
                // Not passed in time: its windows rejoin the pending group (a later fence alone would not cover
                // the partitions only they wrote to), and with the bound gone no further fence starts.
                inFlight.answer().cancel(true);
                p = new Passage(false, System.currentTimeMillis());
            }
            takeIn(p);
        }
        if (inFlight == null && !pendingOffsets.isEmpty() && !bound.hasPassed()) {
            // The windows acknowledged after the last fence started: one more, on this thread, as the unit ends.
            Map<String, TableCursor.Point> covers = pendingMarks;
            Map<String, Set<String>> offsets = pendingOffsets;
            pendingMarks = new LinkedHashMap<>();
            pendingOffsets = new LinkedHashMap<>();
            CommitFence.Outcome outcome = services.fence().await(offsets, bound);
            inFlight = new InFlight(null, covers, offsets);
            takeIn(new Passage(outcome.passed(), System.currentTimeMillis()));
        } else if (inFlight == null && pendingOffsets.isEmpty() && !pendingMarks.isEmpty()) {
            // Windows that wrote nothing: visible as soon as everything before them is.
            visible.putAll(pendingMarks);
            pendingMarks = new LinkedHashMap<>();
        }
        services.metrics().add(Metrics.Name.COMMIT_WAIT, (System.nanoTime() - began) / 1_000_000);
    }

    private void start() {
        if (pendingOffsets.isEmpty()) {
            if (!pendingMarks.isEmpty()) {
                // Windows without writes of their own (all bad records): every write before them is covered by a
                // fence that passed, so they are visible now.
                visible.putAll(pendingMarks);
                pendingMarks = new LinkedHashMap<>();
            }
            return;
        }
        Map<String, TableCursor.Point> covers = pendingMarks;
        Map<String, Set<String>> offsets = pendingOffsets;
        pendingMarks = new LinkedHashMap<>();
        pendingOffsets = new LinkedHashMap<>();
        CommitFence fence = services.fence();
        Deadline bound = deadline;
        Future<Passage> answer = executor().submit(() -> {
            CommitFence.Outcome outcome = fence.await(offsets, bound);
            return new Passage(outcome.passed(), System.currentTimeMillis());
        });
        inFlight = new InFlight(answer, covers, offsets);
    }

    /** Takes in the answer of the fence in flight. */
    private void takeIn(Passage passage) {
        InFlight done = inFlight;
        inFlight = null;
        if (passage.passed()) {
            for (Map.Entry<String, TableCursor.Point> m : done.covers().entrySet()) {
                visible.put(m.getKey(), m.getValue());
                long sourceTime = m.getValue().sourceTimeMillis();
                if (sourceTime >= 0) {
                    services.metrics().add(Metrics.Name.SOURCE_TO_VISIBLE_LAG,
                            Math.max(0, passage.atMillis() - sourceTime));
                }
            }
            if (pendingOffsets.isEmpty() && !pendingMarks.isEmpty()) {
                visible.putAll(pendingMarks);
                pendingMarks = new LinkedHashMap<>();
            }
            return;
        }
        // Not seen passing within COMMIT_WAIT_MS: its windows wait in the pending group for the next fence, which
        // sends their offsets too. Newer marks of a table stay ahead of the returned ones.
        Map<String, TableCursor.Point> marks = new LinkedHashMap<>(done.covers());
        marks.putAll(pendingMarks);
        pendingMarks = marks;
        Map<String, Set<String>> offsets = new LinkedHashMap<>();
        done.offsets().forEach((c, o) -> offsets.put(c, new LinkedHashSet<>(o)));
        pendingOffsets.forEach((c, o) -> offsets.computeIfAbsent(c, k -> new LinkedHashSet<>()).addAll(o));
        pendingOffsets = offsets;
    }

    /** Writes what is new of each table: its applied work and, when a fence passed, its visible mark. */
    private void write() {
        Set<String> tables = new LinkedHashSet<>(applied.keySet());
        tables.addAll(visible.keySet());
        for (String table : tables) {
            Applied a = applied.get(table);
            // Each table is credited with its own records and operations only; requests serve whole windows and are
            // counted on the stream or partition cursor, not split between tables.
            services.tables().recordProgress(table, a == null ? null : a.point,
                    a == null ? Counters.ZERO : new Counters(a.records, a.operations, 0), visible.get(table));
            applied.remove(table);
            visible.remove(table);
        }
    }

    private ExecutorService executor() {
        if (executor == null) {
            executor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "inorder-commit-fence");
                t.setDaemon(true);
                return t;
            });
        }
        return executor;
    }

    private void stop() {
        if (executor == null) {
            return;
        }
        executor.shutdownNow();
        try {
            // The fence's sleep ends on the interrupt; an HTTP exchange under way ends within its own bound.
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor = null;
    }

    private static Passage answer(Future<Passage> answer) {
        try {
            return answer(answer, Duration.ZERO);
        } catch (TimeoutException notDone) {
            throw new IllegalStateException("a fence reported done had no answer", notDone);
        }
    }

    private static Passage answer(Future<Passage> answer, Duration wait) throws TimeoutException {
        try {
            return answer.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (CancellationException cancelled) {
            return new Passage(false, System.currentTimeMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Passage(false, System.currentTimeMillis());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("the commit fence failed", e.getCause());
        }
    }
}
