package io.inorder.ledger;

import static io.inorder.ledger.Items.key;
import static io.inorder.ledger.Items.n;
import static io.inorder.ledger.Items.present;
import static io.inorder.ledger.Items.s;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The MSK side of the ledger: per topic-partition, the last offset whose change was acknowledged by the Write API
 * (item {@code pk = KAFKA#<topic>#<partition>}, {@code sk = CURSOR}). Records at or below it are skipped on
 * redelivery. The offset only grows: {@link #advance} is conditional on the stored offset being lower, so a slow
 * or replayed invocation can never move it back. Only an operator moves it back ({@link #reset}, for a recreated
 * topic or a deliberate replay), and every reset is recorded beside the cursor ({@code sk = RESET#<epoch ms>}: who,
 * when, why, from where to where) and summarized on the cursor item. Thread-safe.
 */
public final class PartitionCursor {

    private static final String LAST_OFFSET = "lastOffset";
    private static final String TOPIC = "topicName";
    private static final String PARTITION_NUMBER = "partitionNumber";
    private static final String UPDATED_AT = "updatedAt";
    private static final String QUARANTINED = "recordsQuarantined";
    private static final String RESET_PREFIX = "RESET#";
    private static final String PREVIOUS_OFFSET = "previousOffset";
    private static final String RESET_REASON = "reason";
    private static final String RESET_BY = "resetBy";
    private static final String RESET_AT = "resetAt";
    private static final String LAST_RESET_FROM = "lastResetFrom";
    private static final String LAST_RESET_TO = "lastResetTo";
    private static final String LAST_RESET_REASON = "lastResetReason";
    private static final String LAST_RESET_BY = "lastResetBy";
    private static final String LAST_RESET_AT = "lastResetAt";
    private static final String RESETS = "resets";

    private final DynamoDbClient db;
    private final String table;
    private final Clock clock;

    public PartitionCursor(DynamoDbClient db, String table, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.table = Objects.requireNonNull(table, "table");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The last applied offset, read consistently; empty when nothing of this partition was applied yet. */
    public OptionalLong lastOffset(String topic, int partition) {
        Map<String, AttributeValue> item = db.getItem(b -> b.tableName(table).key(cursorKey(topic, partition))
                .consistentRead(true)).item();
        return present(item) && item.containsKey(LAST_OFFSET)
                ? OptionalLong.of(Long.parseLong(item.get(LAST_OFFSET).n())) : OptionalLong.empty();
    }

    /**
     * Where a partition stands: its last applied offset ({@code -1} after a reset to offset 0: nothing applied yet),
     * when it moved there, how many of its records were quarantined (counted with the offset moves that passed them),
     * and the operator's last reset of it, if any.
     */
    public record Progress(String topic, int partition, long lastOffset, Instant updatedAt, long quarantined,
                           Optional<CursorReset> lastReset) {

        public Progress {
            Objects.requireNonNull(lastReset, "lastReset");
        }
    }

    /** The partition's progress, read consistently; empty when nothing of it was applied yet. */
    public Optional<Progress> progress(String topic, int partition) {
        Map<String, AttributeValue> item = db.getItem(b -> b.tableName(table).key(cursorKey(topic, partition))
                .consistentRead(true)).item();
        if (!present(item) || !item.containsKey(LAST_OFFSET)) {
            return Optional.empty();
        }
        Optional<CursorReset> lastReset = item.containsKey(LAST_RESET_AT)
                ? Optional.of(new CursorReset(topic, partition, Items.longOr(item, LAST_RESET_FROM, -1),
                        Items.longOr(item, LAST_RESET_TO, -1), Items.stringOrNull(item, LAST_RESET_REASON),
                        Items.stringOrNull(item, LAST_RESET_BY),
                        Instant.ofEpochMilli(Items.longOr(item, LAST_RESET_AT, 0))))
                : Optional.empty();
        return Optional.of(new Progress(topic, partition, Items.longOr(item, LAST_OFFSET, -1),
                Instant.ofEpochMilli(Items.longOr(item, UPDATED_AT, 0)), Items.longOr(item, QUARANTINED, 0),
                lastReset));
    }

    /**
     * Moves the cursor to {@code offset} (call after the window holding it was acknowledged). False when the cursor
     * is already at or past it: another invocation went further, which is expected and not an error.
     */
    public boolean advance(String topic, int partition, long offset) {
        return advance(topic, partition, offset, 0);
    }

    /**
     * Moves the cursor to {@code offset} and adds {@code quarantined} (records of the window sent to the quarantine)
     * to the partition's count in the same conditional write, so a window is counted exactly when the cursor passes
     * it. False, counting nothing, when the cursor is already at or past {@code offset}.
     */
    public boolean advance(String topic, int partition, long offset, long quarantined) {
        if (quarantined < 0) {
            throw new IllegalArgumentException("quarantined must be >= 0, got " + quarantined);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + offset + " for " + topic + "/"
                    + partition);
        }
        try {
            db.updateItem(b -> b.tableName(table).key(cursorKey(topic, partition))
                    .updateExpression("SET " + LAST_OFFSET + " = :offset, " + TOPIC + " = :topic, "
                            + PARTITION_NUMBER + " = :partition, " + UPDATED_AT + " = :now, "
                            + LedgerTable.CURSOR_KIND + " = :kind ADD " + QUARANTINED + " :quarantined")
                    .conditionExpression("attribute_not_exists(" + LAST_OFFSET + ") OR " + LAST_OFFSET + " < :offset")
                    .expressionAttributeValues(Map.of(":offset", n(offset), ":topic", s(topic),
                            ":partition", n(partition), ":now", n(clock.millis()),
                            ":kind", s(CursorKind.KAFKA.name()), ":quarantined", n(quarantined))));
            return true;
        } catch (ConditionalCheckFailedException alreadyFurther) {
            return false;
        }
    }

    /**
     * Moves the cursor back so that records from {@code toOffset} on are applied again — after the topic was recreated
     * (its offsets restarted at 0) or to replay a range on purpose — and records the reset (who, when, why, the
     * previous and the new last offset) beside the cursor, in one transaction. Refused, with nothing changed, without
     * a reason, when the partition has no cursor, when {@code toOffset} is not below what the cursor lets through
     * (a reset never skips a record: move the consumer group for that), and when the cursor is no longer at
     * {@code expectedLastOffset} (the partition is being consumed: disable its event source mapping first).
     *
     * @param toOffset           the first offset to apply again; the cursor becomes {@code toOffset - 1}
     * @param expectedLastOffset the last offset the operator saw (the reset is conditional on it)
     * @throws CursorResetRefusedException saying which condition failed
     */
    public CursorReset reset(String topic, int partition, long toOffset, long expectedLastOffset, String reason,
            String resetBy) {
        Map<String, AttributeValue> cursorKey = cursorKey(topic, partition);
        if (reason == null || reason.isBlank()) {
            throw new CursorResetRefusedException("a reset needs a reason: it is recorded in the ledger for whoever "
                    + "asks later why offsets of " + topic + "/" + partition + " were applied again");
        }
        Objects.requireNonNull(resetBy, "resetBy");
        if (toOffset < 0) {
            throw new CursorResetRefusedException("the offset to apply from must be >= 0, got " + toOffset);
        }
        if (toOffset > expectedLastOffset) {
            throw new CursorResetRefusedException("a reset only moves a cursor back: offset " + toOffset + " of "
                    + topic + "/" + partition + " is not applied yet (the cursor is at " + expectedLastOffset
                    + "), so there is nothing to apply again; to skip records, move the consumer group instead");
        }
        long now = clock.millis();
        CursorReset reset = new CursorReset(topic, partition, expectedLastOffset, toOffset - 1, reason.strip(),
                resetBy, Instant.ofEpochMilli(now));
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":to", n(reset.lastOffset()));
        values.put(":from", n(expectedLastOffset));
        values.put(":now", n(now));
        values.put(":reason", s(reset.reason()));
        values.put(":by", s(resetBy));
        values.put(":one", n(1));
        TransactWriteItem cursor = TransactWriteItem.builder().update(u -> u.tableName(table).key(cursorKey)
                .updateExpression("SET " + LAST_OFFSET + " = :to, " + UPDATED_AT + " = :now, " + LAST_RESET_FROM
                        + " = :from, " + LAST_RESET_TO + " = :to, " + LAST_RESET_REASON + " = :reason, "
                        + LAST_RESET_BY + " = :by, " + LAST_RESET_AT + " = :now ADD " + RESETS + " :one")
                .conditionExpression(LAST_OFFSET + " = :from")
                .expressionAttributeValues(values)).build();
        Map<String, AttributeValue> record = new HashMap<>(key(partitionKey(topic, partition),
                RESET_PREFIX + String.format("%020d", now)));
        record.put(TOPIC, s(topic));
        record.put(PARTITION_NUMBER, n(partition));
        record.put(PREVIOUS_OFFSET, n(expectedLastOffset));
        record.put(LAST_OFFSET, n(reset.lastOffset()));
        record.put(RESET_REASON, s(reset.reason()));
        record.put(RESET_BY, s(resetBy));
        record.put(RESET_AT, n(now));
        TransactWriteItem audit = TransactWriteItem.builder().put(p -> p.tableName(table).item(record)
                .conditionExpression("attribute_not_exists(" + LedgerTable.PARTITION_KEY + ")")).build();
        try {
            db.transactWriteItems(t -> t.transactItems(cursor, audit));
            return reset;
        } catch (TransactionCanceledException refused) {
            OptionalLong current = lastOffset(topic, partition);
            if (current.isEmpty()) {
                throw new CursorResetRefusedException(topic + "/" + partition + " has no cursor: nothing of it was "
                        + "applied, so nothing is skipped there; check the topic and partition ('inorder status')");
            }
            if (current.getAsLong() != expectedLastOffset) {
                throw new CursorResetRefusedException("the cursor of " + topic + "/" + partition + " moved from "
                        + expectedLastOffset + " to " + current.getAsLong() + " meanwhile: the partition is being "
                        + "consumed. Disable its event source mapping, then reset again");
            }
            throw new CursorResetRefusedException("the reset of " + topic + "/" + partition + " was refused by "
                    + "DynamoDB (" + refused.getMessage() + "); try again");
        }
    }

    /** The partition's resets, oldest first. */
    public List<CursorReset> resets(String topic, int partition) {
        List<CursorReset> out = new ArrayList<>();
        for (Map<String, AttributeValue> item : Items.underPrefix(db, table, partitionKey(topic, partition),
                RESET_PREFIX)) {
            out.add(new CursorReset(topic, partition, Items.longOr(item, PREVIOUS_OFFSET, -1),
                    Items.longOr(item, LAST_OFFSET, -1), Items.stringOrNull(item, RESET_REASON),
                    Items.stringOrNull(item, RESET_BY), Instant.ofEpochMilli(Items.longOr(item, RESET_AT, 0))));
        }
        return out;
    }

    private static String partitionKey(String topic, int partition) {
        return "KAFKA#" + topic + "#" + partition;
    }

    private static Map<String, AttributeValue> cursorKey(String topic, int partition) {
        if (topic == null || topic.isEmpty() || partition < 0) {
            throw new IllegalArgumentException("need a topic name and a partition >= 0, got " + topic + "/"
                    + partition);
        }
        return key(partitionKey(topic, partition), FileLedger.CURSOR);
    }
}
