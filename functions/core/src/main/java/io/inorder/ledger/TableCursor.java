package io.inorder.ledger;

import static io.inorder.ledger.Items.key;
import static io.inorder.ledger.Items.longOr;
import static io.inorder.ledger.Items.n;
import static io.inorder.ledger.Items.present;
import static io.inorder.ledger.Items.s;
import static io.inorder.ledger.Items.stringOrNull;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Per source table ({@code pk = TABLE#<table>}, {@code sk = CURSOR}): {@code appliedThrough} and
 * {@code visibleThrough} marks and running counters, for lag metrics and status.
 *
 * <p>Ordering rule: a mark moves only to a source time at or after the stored one (conditional write). Source
 * positions are not comparable across formats, source time is; when one table is fed by several streams or
 * partitions the mark is therefore the newest change seen, not a watermark below which everything is applied (the
 * per-stream and per-partition cursors are the exact ones). Counters are added whether or not the mark moved, since
 * the work was done either way.
 *
 * <p>Writers aggregate: the pipeline writes a table's marks once per stream or partition unit and at most once per
 * commit fence that passed ({@link #recordProgress}), not after every window, so a table fed by many streams is not
 * one hot item. Thread-safe.
 */
public final class TableCursor {

    private static final String APPLIED_POSITION = "appliedPosition";
    private static final String APPLIED_TIME = "appliedSourceTime";
    private static final String APPLIED_AT = "appliedRecordedAt";
    private static final String VISIBLE_POSITION = "visiblePosition";
    private static final String VISIBLE_TIME = "visibleSourceTime";
    private static final String VISIBLE_AT = "visibleRecordedAt";
    private static final String RECORDS = "recordsApplied";
    private static final String DOCUMENTS = "documentsWritten";
    private static final String REQUESTS = "requestsSent";
    private static final String COUNT = " ADD " + RECORDS + " :records, " + DOCUMENTS + " :documents, " + REQUESTS
            + " :requests";

    private final DynamoDbClient db;
    private final String table;
    private final Clock clock;

    public TableCursor(DynamoDbClient db, String table, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.table = Objects.requireNonNull(table, "table");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Records that changes of {@code sourceTable} through {@code position} (at {@code sourceTimeMillis}) were
     * acknowledged, adding {@code counts}. Returns whether the applied mark moved (false: a newer one is stored).
     */
    public boolean recordApplied(String sourceTable, String position, long sourceTimeMillis, Counters counts) {
        Objects.requireNonNull(counts, "counts");
        Map<String, AttributeValue> countValues = Map.of(":records", n(counts.records()),
                ":documents", n(counts.documents()), ":requests", n(counts.requests()));
        boolean moved = moveMark(sourceTable, position, sourceTimeMillis, APPLIED_POSITION, APPLIED_TIME, APPLIED_AT,
                COUNT, countValues);
        if (!moved) {
            Map<String, AttributeValue> values = new HashMap<>(countValues);
            values.put(":kind", s(CursorKind.TABLE.name()));
            db.updateItem(b -> b.tableName(table).key(cursorKey(sourceTable))
                    .updateExpression("SET " + LedgerTable.CURSOR_KIND + " = :kind" + COUNT)
                    .expressionAttributeValues(values));
        }
        return moved;
    }

    /** Records that changes through {@code position} are visible to queries; false when a newer mark is stored. */
    public boolean recordVisible(String sourceTable, String position, long sourceTimeMillis) {
        return moveMark(sourceTable, position, sourceTimeMillis, VISIBLE_POSITION, VISIBLE_TIME, VISIBLE_AT, "",
                Map.of());
    }

    /**
     * Records both marks and the counters in one write when both may move (the common case: one stream or partition
     * feeds the table); otherwise falls back to one write per mark, each under its own ordering rule. Either argument
     * may be {@code null} (nothing new of that kind); {@code counts} go with {@code applied}.
     */
    public void recordProgress(String sourceTable, Point applied, Counters counts, Point visible) {
        if (applied == null && visible == null) {
            return;
        }
        if (visible == null) {
            recordApplied(sourceTable, applied.position(), applied.sourceTimeMillis(), counts);
            return;
        }
        if (applied == null) {
            recordVisible(sourceTable, visible.position(), visible.sourceTimeMillis());
            return;
        }
        Objects.requireNonNull(counts, "counts");
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":records", n(counts.records()));
        values.put(":documents", n(counts.documents()));
        values.put(":requests", n(counts.requests()));
        values.put(":applied", s(applied.position()));
        values.put(":appliedTime", n(applied.sourceTimeMillis()));
        values.put(":visible", s(visible.position()));
        values.put(":visibleTime", n(visible.sourceTimeMillis()));
        values.put(":now", n(clock.millis()));
        values.put(":kind", s(CursorKind.TABLE.name()));
        try {
            db.updateItem(b -> b.tableName(table).key(cursorKey(sourceTable))
                    .updateExpression("SET " + APPLIED_POSITION + " = :applied, " + APPLIED_TIME + " = :appliedTime, "
                            + APPLIED_AT + " = :now, " + VISIBLE_POSITION + " = :visible, " + VISIBLE_TIME
                            + " = :visibleTime, " + VISIBLE_AT + " = :now, " + LedgerTable.CURSOR_KIND + " = :kind"
                            + COUNT)
                    .conditionExpression("(attribute_not_exists(" + APPLIED_TIME + ") OR " + APPLIED_TIME
                            + " <= :appliedTime) AND (attribute_not_exists(" + VISIBLE_TIME + ") OR " + VISIBLE_TIME
                            + " <= :visibleTime)")
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException oneIsNewer) {
            // Another stream of the table stored a newer mark of one kind: move each mark on its own rule.
            recordApplied(sourceTable, applied.position(), applied.sourceTimeMillis(), counts);
            recordVisible(sourceTable, visible.position(), visible.sourceTimeMillis());
        }
    }

    /** A source point of a table: a change's position and its source time. */
    public record Point(String position, long sourceTimeMillis) {

        public Point {
            Objects.requireNonNull(position, "position");
        }
    }

    /** The table's marks and totals, read consistently; empty when nothing was recorded for it. */
    public Optional<TableProgress> progress(String sourceTable) {
        Map<String, AttributeValue> item = db.getItem(b -> b.tableName(table).key(cursorKey(sourceTable))
                .consistentRead(true)).item();
        if (!present(item)) {
            return Optional.empty();
        }
        return Optional.of(new TableProgress(sourceTable,
                mark(item, APPLIED_POSITION, APPLIED_TIME, APPLIED_AT),
                mark(item, VISIBLE_POSITION, VISIBLE_TIME, VISIBLE_AT),
                new Counters(longOr(item, RECORDS, 0), longOr(item, DOCUMENTS, 0), longOr(item, REQUESTS, 0))));
    }

    private boolean moveMark(String sourceTable, String position, long sourceTimeMillis, String positionAttr,
                             String timeAttr, String atAttr, String extraUpdate,
                             Map<String, AttributeValue> extraValues) {
        Objects.requireNonNull(position, "position");
        Map<String, AttributeValue> values = new HashMap<>(extraValues);
        values.put(":position", s(position));
        values.put(":time", n(sourceTimeMillis));
        values.put(":now", n(clock.millis()));
        values.put(":kind", s(CursorKind.TABLE.name()));
        try {
            db.updateItem(b -> b.tableName(table).key(cursorKey(sourceTable))
                    .updateExpression("SET " + positionAttr + " = :position, " + timeAttr + " = :time, " + atAttr
                            + " = :now, " + LedgerTable.CURSOR_KIND + " = :kind" + extraUpdate)
                    .conditionExpression("attribute_not_exists(" + timeAttr + ") OR " + timeAttr + " <= :time")
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException newerStored) {
            return false;
        }
    }

    private static Optional<TableProgress.Mark> mark(Map<String, AttributeValue> item, String positionAttr,
                                                     String timeAttr, String atAttr) {
        String position = stringOrNull(item, positionAttr);
        return position == null ? Optional.empty() : Optional.of(new TableProgress.Mark(position,
                longOr(item, timeAttr, 0), Instant.ofEpochMilli(longOr(item, atAttr, 0))));
    }

    private static Map<String, AttributeValue> cursorKey(String sourceTable) {
        if (sourceTable == null || sourceTable.isEmpty()) {
            throw new IllegalArgumentException("source table name must not be empty");
        }
        return key("TABLE#" + sourceTable, FileLedger.CURSOR);
    }
}
