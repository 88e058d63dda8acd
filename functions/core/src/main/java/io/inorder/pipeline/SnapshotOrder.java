package io.inorder.pipeline;

import io.inorder.arcion.BadRecord;
import io.inorder.arcion.ChangeEvent;
import io.inorder.arcion.Op;
import io.inorder.arcion.ReadResult;
import io.inorder.ledger.SnapshotGate;
import io.inorder.observe.Metrics;
import io.inorder.writeapi.Deadline;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Keeps every snapshot row of a table ahead of its changes when the two come from separate sources, each applied in
 * its own order by its own invocations: Arcion's default {@code split-topic: true} writes a table's snapshot to
 * {@code <db>_<table>} and its changes to {@code <db>_<table>_cdc_logs}, two topics with two event source mappings
 * (Kafka.md). A snapshot row is an unconditional upsert and the Write API has no conditional writes, so a row that
 * lands after a change of its document would overwrite the change (or bring back a deleted row), and a patch made
 * before its row exists would be lost under it. The only order that is right for every image format is the one Arcion
 * produced: the whole snapshot, then the changes.
 *
 * <p>So, per gated table, through its {@link SnapshotGate}: a source of snapshot rows writes under a writer lease
 * while the snapshot is loading; a change is applied only once the gate is complete — until then its source is held
 * (the caller stops before it and lets it be delivered again; nothing is applied out of order or skipped); once the
 * snapshot is complete, snapshot rows that still arrive are refused as bad records. The gate becomes complete only by
 * an operator's declaration, which the gate refuses while a snapshot writer may still be sending. Thread-safe; one
 * {@link Source} per source being applied.
 */
final class SnapshotOrder {

    /** A change that must wait until its table's snapshot is complete. */
    static final class Held extends Exception {
        private static final long serialVersionUID = 1L;

        private final String table;

        Held(String table) {
            super("held: the snapshot of table '" + table + "' is not complete, so its changes wait (once every "
                    + "snapshot row was applied: inorder snapshot complete " + table + " --stack <stack>)", null,
                    false, false);
            this.table = table;
        }

        String table() {
            return table;
        }
    }

    /** How long past its invocation's deadline a snapshot writer lease lasts: requests still on the wire land first. */
    static final Duration LEASE_MARGIN = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofSeconds(5);

    private final SnapshotGate gate;
    private final Predicate<String> gated;
    private final Duration holdWait;
    private final Metrics metrics;
    /** Tables seen complete: the state is final, so it is read from the ledger until it is, then never again. */
    private final Set<String> complete = ConcurrentHashMap.newKeySet();

    /**
     * @param gated    whether a table's snapshot and changes come from separate sources here (Kafka: the table's
     *                 {@code splitTopic})
     * @param holdWait how long a held source waits for the snapshot to complete before the caller gives up and lets
     *                 it be delivered again (bounded by the caller's deadline); zero to give up at once
     */
    SnapshotOrder(SnapshotGate gate, Predicate<String> gated, Duration holdWait, Metrics metrics) {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.gated = Objects.requireNonNull(gated, "gated");
        this.holdWait = Objects.requireNonNull(holdWait, "holdWait");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * Opens one source. {@code snapshotOf} is the table whose snapshot it carries (a snapshot topic), or null; such a
     * source takes the table's writer lease until {@code leaseUntil}. {@code tableHint} is the table of records that
     * name none.
     */
    Source open(String source, String snapshotOf, String tableHint, Instant leaseUntil) {
        boolean writing = false;
        boolean late = false;
        if (snapshotOf != null && gated.test(snapshotOf)) {
            writing = gate.enterSnapshot(snapshotOf, source, leaseUntil);
            late = !writing;
            if (late) {
                complete.add(snapshotOf);
            }
        }
        return new Source(source, snapshotOf, tableHint, writing, late);
    }

    /**
     * The end of a snapshot writer lease for work that must finish by {@code deadline}: the deadline plus
     * {@code extra} and {@link #LEASE_MARGIN}, or an hour from now when there is no deadline (a local run).
     */
    static Instant leaseUntil(Deadline deadline, Duration extra) {
        return deadline.at().equals(Instant.MAX) ? Instant.now().plus(Duration.ofHours(1))
                : deadline.at().plus(extra).plus(LEASE_MARGIN);
    }

    private static String lateReason(String table) {
        return "a snapshot row of table '" + table + "' arrived after the table's snapshot was declared complete: "
                + "applying it could overwrite a newer change, so it is refused. If the snapshot was not fully applied "
                + "when it was declared complete, reload the table (README, \"Snapshot and changes on separate "
                + "topics\")";
    }

    /**
     * Why {@code r} could not be applied now from a source carrying {@code snapshotOf}'s snapshot (or none): a change
     * that would be held, or a snapshot row that would be refused; empty when it could. Takes no lease: for dry runs.
     */
    Optional<String> refusal(ReadResult r, String snapshotOf) {
        if (!(r instanceof ChangeEvent e) || e.op() == Op.TOMBSTONE || e.table() == null) {
            return Optional.empty();
        }
        if (snapshotOf != null && gated.test(snapshotOf) && snapshotOf.equalsIgnoreCase(e.table())) {
            return isComplete(snapshotOf) ? Optional.of(lateReason(snapshotOf)) : Optional.empty();
        }
        return gated.test(e.table()) && !isComplete(e.table()) ? Optional.of(new Held(e.table()).getMessage())
                : Optional.empty();
    }

    private boolean isComplete(String table) {
        if (complete.contains(table)) {
            return true;
        }
        if (gate.isComplete(table)) {
            complete.add(table);
            return true;
        }
        return false;
    }

    /** One source being applied, in its own order. */
    final class Source {
        private final String name;
        private final String snapshotOf;
        private final String tableHint;
        private final boolean writing;
        private final boolean late;

        private Source(String name, String snapshotOf, String tableHint, boolean writing, boolean late) {
            this.name = name;
            this.snapshotOf = snapshotOf;
            this.tableHint = tableHint;
            this.writing = writing;
            this.late = late;
        }

        /**
         * The record as it may be applied now: itself, or a bad record for a snapshot row that comes after its
         * table's snapshot was declared complete ({@code raw} gives its bytes).
         *
         * @throws Held when it is a change of a gated table whose snapshot is not complete
         */
        ReadResult admit(ReadResult r, Supplier<byte[]> raw) throws Held {
            if (!(r instanceof ChangeEvent e) || e.op() == Op.TOMBSTONE) {
                return r;
            }
            String table = e.table() != null ? e.table() : tableHint;
            if (table == null) {
                return r;
            }
            if (snapshotOf != null && snapshotOf.equalsIgnoreCase(table)) {
                return late ? new BadRecord(r.origin(), lateReason(snapshotOf), raw.get()) : r;
            }
            if (gated.test(table) && !isComplete(table)) {
                throw new Held(table);
            }
            return r;
        }

        /**
         * Records the hold, then waits up to the hold wait (never past {@code deadline}) for the snapshot to complete.
         * True when it did: admit the record again. False: stop here, to be delivered again.
         */
        boolean await(Held held, Deadline deadline) {
            gate.held(held.table(), name);
            metrics.increment(Metrics.Name.SNAPSHOT_HOLDS);
            long until = System.nanoTime() + holdWait.toNanos();
            while (System.nanoTime() < until && !deadline.hasPassed()) {
                try {
                    Thread.sleep(Math.min(POLL.toMillis(), Math.max(1, (until - System.nanoTime()) / 1_000_000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                if (isComplete(held.table())) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Ends the writer lease when every window was acknowledged ({@code clean}); after an unclean stop the lease
         * runs out by itself, since a request may still be on the wire.
         */
        void close(boolean clean) {
            if (writing && clean) {
                gate.leaveSnapshot(snapshotOf, name);
            }
        }
    }
}
