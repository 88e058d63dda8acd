package io.inorder.local;

import java.util.concurrent.atomic.AtomicLong;

/**
 * NATIVE realtime envelopes of table {@code shop.orders} (arcion-cdc-formats.md §2), the same bytes Arcion writes to
 * a Kafka value or, one per line, to an S3 file. Each envelope gets the next binlog position and a later timestamp.
 */
final class NativeChanges {

    static final String TABLE_CONFIG = """
            {"workspace": "commons",
             "tables": {"shop.orders": {"collection": "orders", "primaryKey": ["id"]},
                        "shop.customers": {"collection": "customers", "primaryKey": ["id"]},
                        "shop.order_items": {"collection": "order_items", "primaryKey": []},
                        "shop.payments": {"collection": "payments", "primaryKey": ["id"],
                                          "topics": ["arcion-prod.shop-payments"]}}}""";

    private static final AtomicLong POSITION = new AtomicLong(1000);

    private NativeChanges() { }

    static String insert(int id, String status) {
        return envelope("I", null, row(id, status));
    }

    static String update(int id, String from, String to) {
        return envelope("U", row(id, from), row(id, to));
    }

    static String delete(int id, String status) {
        return envelope("D", row(id, status), null);
    }

    private static String row(int id, String status) {
        return "{\"id\":\"" + id + "\",\"status\":\"" + status + "\"}";
    }

    private static String envelope(String op, String before, String after) {
        long p = POSITION.incrementAndGet();
        return "{\"tableName\":{\"namespace\":{\"catalog\":\"shop\",\"schema\":null,\"hash\":11},\"name\":\"orders\","
                + "\"hash\":22},\"opType\":\"" + op + "\",\"cursor\":{\"extractorId\":0,\"timestamp\":"
                + (1_763_892_000_000L + p) + ",\"extractionTimestamp\":" + (1_763_892_000_400L + p)
                + ",\"log\":\"binlog.000042\",\"position\":" + p + ",\"v\":2},\"before\":" + before + ",\"after\":"
                + after + "}";
    }
}
