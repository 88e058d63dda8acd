package io.inorder.ledger;

import static io.inorder.ledger.Items.key;
import static io.inorder.ledger.Items.n;
import static io.inorder.ledger.Items.present;
import static io.inorder.ledger.Items.s;
import static io.inorder.ledger.Items.stringOrNull;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Where the reconciler's sweep over the S3 streams stopped, so the next sweep resumes there instead of at the first
 * stream: with a fixed time budget per sweep and thousands of streams, every stream is then visited within
 * {@code streams / streams-per-sweep + 1} sweeps whatever their count. Also the streams last found blocked, which each
 * sweep visits first so their gap age is published every sweep, not once per round.
 *
 * <p>One item ({@code pk = RECONCILER#S3}, {@code sk = CURSOR}); it carries no {@link LedgerTable#CURSOR_KIND}, so
 * it is not listed as a stream. Written without a condition: two sweeps running at once (a slow sweep overlapping the
 * next tick) only visit some streams twice, which is harmless — the reconciler never applies anything itself.
 */
public final class SweepCursor {

    /** How many blocked streams are remembered; beyond it, the others are still found (and alarmed) in their round. */
    public static final int MAX_REMEMBERED_BLOCKED = 500;

    private static final String PARTITION = "RECONCILER#S3";
    private static final String RESUME_AFTER = "resumeAfter";
    private static final String BLOCKED = "blockedStreams";
    private static final String UPDATED_AT = "updatedAt";

    /**
     * @param resumeAfter the last stream visited in the round ({@code null}: start at the first stream)
     * @param blocked     streams found blocked on a missing file when last visited, at most
     *                    {@value #MAX_REMEMBERED_BLOCKED}
     */
    public record Position(String resumeAfter, SortedSet<String> blocked) {

        public static final Position START = new Position(null, new TreeSet<>());

        public Position {
            Objects.requireNonNull(blocked, "blocked");
            blocked = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(blocked));
        }
    }

    private final DynamoDbClient db;
    private final String table;
    private final Clock clock;

    public SweepCursor(DynamoDbClient db, String table, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.table = Objects.requireNonNull(table, "table");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The saved position, read consistently; {@link Position#START} before the first sweep saved one. */
    public Position read() {
        Map<String, AttributeValue> item = db.getItem(b -> b.tableName(table).key(itemKey()).consistentRead(true))
                .item();
        if (!present(item)) {
            return Position.START;
        }
        AttributeValue blocked = item.get(BLOCKED);
        return new Position(stringOrNull(item, RESUME_AFTER),
                blocked == null || !blocked.hasSs() ? new TreeSet<>() : new TreeSet<>(blocked.ss()));
    }

    /** Saves the position (the last writer wins; see the class comment). */
    public void save(Position position) {
        Map<String, AttributeValue> item = new HashMap<>(itemKey());
        if (position.resumeAfter() != null) {
            item.put(RESUME_AFTER, s(position.resumeAfter()));
        }
        Set<String> blocked = position.blocked();
        if (!blocked.isEmpty()) {
            // A string set cannot be empty in DynamoDB: no attribute means none blocked.
            item.put(BLOCKED, AttributeValue.fromSs(blocked.stream().limit(MAX_REMEMBERED_BLOCKED).toList()));
        }
        item.put(UPDATED_AT, n(clock.millis()));
        db.putItem(b -> b.tableName(table).item(item));
    }

    private static Map<String, AttributeValue> itemKey() {
        return key(PARTITION, FileLedger.CURSOR);
    }
}
