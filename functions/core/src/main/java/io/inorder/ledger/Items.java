package io.inorder.ledger;

import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

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
}
