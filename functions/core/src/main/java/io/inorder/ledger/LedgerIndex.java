package io.inorder.ledger;

import static io.inorder.ledger.Items.s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Every cursor in the ledger, listed from the sparse index {@link LedgerTable#CURSOR_INDEX} (one query per kind, no
 * table scan, however many file arrivals the table holds). The index is eventually consistent: a cursor created a
 * moment ago may be missing from one listing; read each listed cursor through its owner for its current state.
 */
public final class LedgerIndex {

    /** A Kafka topic-partition with a cursor. */
    public record Partition(String topic, int partition) { }

    private final DynamoDbClient db;
    private final String table;

    public LedgerIndex(DynamoDbClient db, String table) {
        this.db = Objects.requireNonNull(db, "db");
        this.table = Objects.requireNonNull(table, "table");
    }

    /** Every S3 stream id ({@code <bucket>/<stream>}), sorted. */
    public List<String> streams() {
        return keys(CursorKind.S3).stream().map(pk -> pk.substring("S3#".length())).toList();
    }

    /** Every Kafka partition with a cursor, sorted by topic then partition. */
    public List<Partition> partitions() {
        List<Partition> out = new ArrayList<>();
        for (String pk : keys(CursorKind.KAFKA)) {
            // KAFKA#<topic>#<partition>; topic names cannot contain '#'.
            int hash = pk.lastIndexOf('#');
            out.add(new Partition(pk.substring("KAFKA#".length(), hash), Integer.parseInt(pk.substring(hash + 1))));
        }
        out.sort((a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition())
                : a.topic().compareTo(b.topic()));
        return out;
    }

    /** Every source table with progress recorded, sorted. */
    public List<String> tables() {
        return keys(CursorKind.TABLE).stream().map(pk -> pk.substring("TABLE#".length())).toList();
    }

    /** Every source table with a snapshot gate recorded ({@link SnapshotGate}), sorted. */
    public List<String> snapshotGates() {
        return keys(CursorKind.SNAPSHOT).stream().map(pk -> pk.substring("TABLE#".length())).toList();
    }

    private List<String> keys(CursorKind kind) {
        List<String> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = db.query(b -> b.tableName(table).indexName(LedgerTable.CURSOR_INDEX)
                    .keyConditionExpression(LedgerTable.CURSOR_KIND + " = :kind")
                    .expressionAttributeValues(Map.of(":kind", s(kind.name())))
                    .exclusiveStartKey(from));
            page.items().forEach(item -> out.add(item.get(LedgerTable.PARTITION_KEY).s()));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }
}
