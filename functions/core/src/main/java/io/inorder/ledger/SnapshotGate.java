package io.inorder.ledger;

import static io.inorder.ledger.Items.key;
import static io.inorder.ledger.Items.longOr;
import static io.inorder.ledger.Items.n;
import static io.inorder.ledger.Items.present;
import static io.inorder.ledger.Items.s;
import static io.inorder.ledger.Items.stringOrNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Per source table whose snapshot and changes arrive as separate sources (Arcion's default {@code split-topic: true}
 * on Kafka, or snapshot files in an S3 stream of their own): whether its snapshot is complete, so that its changes
 * may be applied (item {@code pk = TABLE#<table>}, {@code sk = SNAPSHOT}).
 *
 * <p>States: {@link State#LOADING} (also when no item exists) until an operator declares the snapshot complete
 * ({@link #complete}); {@link State#COMPLETE} is final. While loading, every source of snapshot rows writes under a
 * <em>writer lease</em> ({@link #enterSnapshot}, {@link #leaveSnapshot}) and changes are held; once complete, changes
 * flow and snapshot rows are refused.
 *
 * <p>Why no snapshot row can land after a change of its row: a change is applied only after a consistent read saw
 * COMPLETE. {@link #complete} succeeds only by a write conditional on the version it read together with no live
 * writer lease, and entering as a writer bumps that version in a write conditional on LOADING; so when COMPLETE is
 * written, no snapshot writer is in flight and none can start. A writer lease lasts past its invocation's deadline
 * (the caller adds a margin for requests still on the wire), and a writer that stopped uncleanly leaves its lease to
 * expire rather than removing it. Thread-safe.
 */
public final class SnapshotGate {

    /** Where a table's snapshot stands. */
    public enum State {
        /** Snapshot rows are applied, changes wait. The state of a table nothing was recorded for. */
        LOADING,
        /** The snapshot was declared complete: changes are applied, snapshot rows refused. */
        COMPLETE
    }

    /**
     * A table's gate, read consistently.
     *
     * @param writers    snapshot sources writing now (a topic-partition or an S3 stream) and when their lease ends
     * @param held       change sources held because the snapshot is not complete, and since when
     * @param completedAt when it was declared complete, or null
     * @param completedBy who declared it, or null
     */
    public record Status(String table, State state, Map<String, Instant> writers, Map<String, Instant> held,
                         Instant completedAt, String completedBy) {

        public Status {
            writers = Map.copyOf(writers);
            held = Map.copyOf(held);
        }
    }

    /** How a {@link #complete} call ended. */
    public sealed interface Completion permits Completed, AlreadyComplete, WritersActive { }

    /** The snapshot is now complete. */
    public record Completed(Instant at) implements Completion { }

    /** It already was (completion is idempotent). */
    public record AlreadyComplete(Instant at, String by) implements Completion { }

    /** Snapshot rows are being written now: retry once these leases are gone. */
    public record WritersActive(Map<String, Instant> writers) implements Completion {
        public WritersActive {
            writers = Map.copyOf(writers);
        }
    }

    static final String SORT_KEY = "SNAPSHOT";
    private static final String STATE = "gateState";
    private static final String VERSION = "gateVersion";
    private static final String TABLE_NAME = "tableName";
    private static final String COMPLETED_AT = "completedAt";
    private static final String COMPLETED_BY = "completedBy";
    /** Writer leases and holds are top-level attributes named with these prefixes and the source's name. */
    private static final String WRITER = "writer#";
    private static final String HELD = "held#";
    /**
     * How long after a writer lease's end it still counts as live when {@link #complete} runs elsewhere: covers a
     * clock that runs ahead of the function's.
     */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(2);

    private final DynamoDbClient db;
    private final String table;
    private final Clock clock;

    public SnapshotGate(DynamoDbClient db, String table, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.table = Objects.requireNonNull(table, "table");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The table's gate, read consistently ({@link State#LOADING} with nothing else when none was recorded). */
    public Status status(String sourceTable) {
        return status(sourceTable, read(sourceTable));
    }

    /** Whether the table's snapshot is complete (consistent read). */
    public boolean isComplete(String sourceTable) {
        Map<String, AttributeValue> item = read(sourceTable);
        return item != null && State.COMPLETE.name().equals(stringOrNull(item, STATE));
    }

    /**
     * Registers {@code source} as writing the table's snapshot until {@code leaseUntil}. False when the snapshot is
     * already complete: the caller must then refuse its rows.
     */
    public boolean enterSnapshot(String sourceTable, String source, Instant leaseUntil) {
        try {
            db.updateItem(b -> b.tableName(table).key(gateKey(sourceTable))
                    .updateExpression("SET #w = :until, " + STATE + " = if_not_exists(" + STATE + ", :loading), "
                            + TABLE_NAME + " = :table, " + LedgerTable.CURSOR_KIND + " = :kind ADD " + VERSION
                            + " :one")
                    .conditionExpression("attribute_not_exists(" + STATE + ") OR " + STATE + " = :loading")
                    .expressionAttributeNames(Map.of("#w", WRITER + source))
                    .expressionAttributeValues(Map.of(":until", n(leaseUntil.toEpochMilli()),
                            ":loading", s(State.LOADING.name()), ":table", s(sourceTable),
                            ":kind", s(CursorKind.SNAPSHOT.name()), ":one", n(1))));
            return true;
        } catch (ConditionalCheckFailedException complete) {
            return false;
        }
    }

    /**
     * Ends {@code source}'s writer lease. Call only when every window it sent was acknowledged; after an unclean stop
     * let the lease expire, since a request may still be on its way.
     */
    public void leaveSnapshot(String sourceTable, String source) {
        db.updateItem(b -> b.tableName(table).key(gateKey(sourceTable)).updateExpression("REMOVE #w")
                .expressionAttributeNames(Map.of("#w", WRITER + source)));
    }

    /** Records that {@code source} holds changes of the table (kept from the first time; for status). */
    public void held(String sourceTable, String source) {
        try {
            db.updateItem(b -> b.tableName(table).key(gateKey(sourceTable))
                    .updateExpression("SET #h = if_not_exists(#h, :now), " + STATE + " = if_not_exists(" + STATE
                            + ", :loading), " + TABLE_NAME + " = :table, " + LedgerTable.CURSOR_KIND + " = :kind")
                    .conditionExpression("attribute_not_exists(" + STATE + ") OR " + STATE + " = :loading")
                    .expressionAttributeNames(Map.of("#h", HELD + source))
                    .expressionAttributeValues(Map.of(":now", n(clock.millis()), ":loading",
                            s(State.LOADING.name()), ":table", s(sourceTable), ":kind", s(CursorKind.SNAPSHOT.name()))));
        } catch (ConditionalCheckFailedException completeMeanwhile) {
            // Completed since the caller looked: nothing is held any more.
        }
    }

    /**
     * Declares the table's snapshot complete, on {@code by}'s word that every snapshot row reached Inorder (see the
     * README's operator steps). Refused while a snapshot writer lease is live; retried when a writer enters during the
     * call.
     */
    public Completion complete(String sourceTable, String by) {
        Objects.requireNonNull(by, "by");
        for (int attempt = 0; ; attempt++) {
            Map<String, AttributeValue> item = read(sourceTable);
            Status now = status(sourceTable, item);
            if (now.state() == State.COMPLETE) {
                return new AlreadyComplete(now.completedAt(), now.completedBy());
            }
            Instant liveAfter = clock.instant().minus(CLOCK_SKEW);
            Map<String, Instant> live = new TreeMap<>();
            now.writers().forEach((source, until) -> {
                if (until.isAfter(liveAfter)) {
                    live.put(source, until);
                }
            });
            if (!live.isEmpty()) {
                return new WritersActive(live);
            }
            Instant at = clock.instant();
            List<String> stale = new ArrayList<>();
            Map<String, String> names = new HashMap<>();
            int i = 0;
            for (String attribute : item == null ? List.<String>of() : item.keySet()) {
                if (attribute.startsWith(WRITER) || attribute.startsWith(HELD)) {
                    names.put("#x" + i, attribute);
                    stale.add("#x" + i++);
                }
            }
            Map<String, AttributeValue> values = new HashMap<>();
            values.put(":complete", s(State.COMPLETE.name()));
            values.put(":at", n(at.toEpochMilli()));
            values.put(":by", s(by));
            values.put(":table", s(sourceTable));
            values.put(":kind", s(CursorKind.SNAPSHOT.name()));
            String condition;
            if (present(item)) {
                condition = "(attribute_not_exists(" + STATE + ") OR " + STATE + " = :loading) AND ("
                        + (item.containsKey(VERSION) ? VERSION + " = :version" : "attribute_not_exists(" + VERSION + ")")
                        + ")";
                values.put(":loading", s(State.LOADING.name()));
                if (item.containsKey(VERSION)) {
                    values.put(":version", item.get(VERSION));
                }
            } else {
                condition = "attribute_not_exists(" + LedgerTable.PARTITION_KEY + ")";
            }
            String update = "SET " + STATE + " = :complete, " + COMPLETED_AT + " = :at, " + COMPLETED_BY + " = :by, "
                    + TABLE_NAME + " = :table, " + LedgerTable.CURSOR_KIND + " = :kind"
                    + (stale.isEmpty() ? "" : " REMOVE " + String.join(", ", stale));
            try {
                db.updateItem(b -> {
                    b.tableName(table).key(gateKey(sourceTable)).updateExpression(update)
                            .conditionExpression(condition).expressionAttributeValues(values);
                    if (!names.isEmpty()) {
                        b.expressionAttributeNames(names);
                    }
                });
                return new Completed(at);
            } catch (ConditionalCheckFailedException changed) {
                if (attempt >= 20) {
                    throw new IllegalStateException("the snapshot gate of table " + sourceTable + " keeps changing "
                            + "while it is being completed; retry", changed);
                }
            }
        }
    }

    private Map<String, AttributeValue> read(String sourceTable) {
        Map<String, AttributeValue> item = db.getItem(b -> b.tableName(table).key(gateKey(sourceTable))
                .consistentRead(true)).item();
        return present(item) ? item : null;
    }

    private static Status status(String sourceTable, Map<String, AttributeValue> item) {
        if (item == null) {
            return new Status(sourceTable, State.LOADING, Map.of(), Map.of(), null, null);
        }
        Map<String, Instant> writers = new TreeMap<>();
        Map<String, Instant> held = new TreeMap<>();
        item.forEach((name, v) -> {
            if (name.startsWith(WRITER) && v.n() != null) {
                writers.put(name.substring(WRITER.length()), Instant.ofEpochMilli(Long.parseLong(v.n())));
            } else if (name.startsWith(HELD) && v.n() != null) {
                held.put(name.substring(HELD.length()), Instant.ofEpochMilli(Long.parseLong(v.n())));
            }
        });
        State state = State.COMPLETE.name().equals(stringOrNull(item, STATE)) ? State.COMPLETE : State.LOADING;
        long at = longOr(item, COMPLETED_AT, -1);
        return new Status(sourceTable, state, writers, held, at < 0 ? null : Instant.ofEpochMilli(at),
                stringOrNull(item, COMPLETED_BY));
    }

    private static Map<String, AttributeValue> gateKey(String sourceTable) {
        if (sourceTable == null || sourceTable.isEmpty()) {
            throw new IllegalArgumentException("source table name must not be empty");
        }
        return key("TABLE#" + sourceTable, SORT_KEY);
    }
}
