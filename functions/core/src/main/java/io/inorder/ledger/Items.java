package io.inorder.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** Attribute-map plumbing shared by the ledger's item types; keeps the SDK's verbose builders out of the logic. */
final class Items {

    private Items() {
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of(LedgerTable.PARTITION_KEY, s(pk), LedgerTable.SORT_KEY, s(sk));
    }

    static long longOr(Map<String, AttributeValue> item, String name, long fallback) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? fallback : Long.parseLong(v.n());
    }

    /** The string attribute, or null when the item has none. */
    static String stringOrNull(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    static boolean present(Map<String, AttributeValue> item) {
        return item != null && !item.isEmpty();
    }

    /**
     * Every item of partition {@code pk} whose sort key starts with {@code prefix}, in sort-key order, read
     * consistently page by page (an operator's audit records: skips, cursor resets).
     */
    static List<Map<String, AttributeValue>> underPrefix(DynamoDbClient db, String table, String pk, String prefix) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = db.query(b -> b.tableName(table).consistentRead(true)
                    .keyConditionExpression(LedgerTable.PARTITION_KEY + " = :pk AND begins_with("
                            + LedgerTable.SORT_KEY + ", :prefix)")
                    .expressionAttributeValues(Map.of(":pk", s(pk), ":prefix", s(prefix)))
                    .exclusiveStartKey(from));
            out.addAll(page.items());
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }
}
