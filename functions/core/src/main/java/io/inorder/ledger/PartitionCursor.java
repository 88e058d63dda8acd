package io.inorder.ledger;

import static io.inorder.ledger.Items.key;
import static io.inorder.ledger.Items.n;
import static io.inorder.ledger.Items.present;
import static io.inorder.ledger.Items.s;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The MSK side of the ledger: per topic-partition, the last offset whose change was acknowledged by the Write API
 * (item {@code pk = KAFKA#<topic>#<partition>}, {@code sk = CURSOR}). Records at or below it are skipped on
 * redelivery. The offset only grows: {@link #advance} is conditional on the stored offset being lower, so a slow
 * or replayed invocation can never move it back. Thread-safe.
 */
public final class PartitionCursor {

    private static final String LAST_OFFSET = "lastOffset";
    private static final String TOPIC = "topicName";
    private static final String PARTITION_NUMBER = "partitionNumber";
    private static final String UPDATED_AT = "updatedAt";
    private static final String QUARANTINED = "recordsQuarantined";

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
     * Where a partition stands: its last applied offset, when it moved there, and how many of its records were
     * quarantined (counted with the offset moves that passed them).
     */
    public record Progress(String topic, int partition, long lastOffset, Instant updatedAt, long quarantined) { }

    /** The partition's progress, read consistently; empty when nothing of it was applied yet. */
    public Optional<Progress> progress(String topic, int partition) {
        Map<String, AttributeValue> item = db.getItem(b -> b.tableName(table).key(cursorKey(topic, partition))
                .consistentRead(true)).item();
        if (!present(item) || !item.containsKey(LAST_OFFSET)) {
            return Optional.empty();
        }
        return Optional.of(new Progress(topic, partition, Items.longOr(item, LAST_OFFSET, -1),
                Instant.ofEpochMilli(Items.longOr(item, UPDATED_AT, 0)), Items.longOr(item, QUARANTINED, 0)));
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

    private static Map<String, AttributeValue> cursorKey(String topic, int partition) {
        if (topic == null || topic.isEmpty() || partition < 0) {
            throw new IllegalArgumentException("need a topic name and a partition >= 0, got " + topic + "/"
                    + partition);
        }
        return key("KAFKA#" + topic + "#" + partition, FileLedger.CURSOR);
    }
}
