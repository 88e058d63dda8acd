package io.inorder.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small Arcion files for tests: S3 internal JSON records of {@code shop.orders} (id, status) and realtime CSV. */
final class CdcFiles {

    static final String TABLES = """
            {"workspace": "commons",
             "tables": {"shop.orders": {"collection": "orders", "primaryKey": ["id"]},
                        "shop.order_items": {"collection": "order_items", "primaryKey": ["order_id", "line_no"],
                                             "prefixes": ["cdc/shop.order_items"]}}}""";

    private static long position = 1000;

    private CdcFiles() { }

    /** An insert or full-image update of {@code shop.orders}. */
    static String upsert(String op, int id, String status) {
        String before = op.equals("I") ? "{\"id\":\"null\",\"status\":\"null\"}"
                : "{\"id\":\"" + id + "\",\"status\":\"null\"}";
        return record(op, before, "{\"id\":\"" + id + "\",\"status\":\"" + status + "\"}",
                "{\"id\":\"1\",\"status\":\"1\"}");
    }

    static String delete(int id) {
        return record("D", "{\"id\":\"" + id + "\",\"status\":\"null\"}", "{\"id\":\"null\",\"status\":\"null\"}",
                "{\"id\":\"2\",\"status\":\"0\"}");
    }

    private static synchronized String record(String op, String before, String after, String exists) {
        long p = position++;
        return "{\"tableName\":{\"namespace\":{\"catalog\":\"shop\",\"schema\":null,\"hash\":11},\"name\":\"orders\","
                + "\"hash\":22},\"opType\":\"" + op + "\",\"cursor\":\"{\\\"extractorId\\\":0,\\\"timestamp\\\":"
                + (1_700_000_000_000L + p) + ",\\\"log\\\":\\\"binlog.000042\\\",\\\"position\\\":" + p
                + ",\\\"logSeqNum\\\":" + p + ",\\\"v\\\":2}\",\"before\":" + before + ",\"after\":" + after
                + ",\"exists\":" + exists + ",\"operationcount\":\"{\\\"insertCount\\\":1,\\\"updateCount\\\":0,"
                + "\\\"deleteCount\\\":0,\\\"replaceCount\\\":0}\"}\n";
    }

    /** A realtime CSV file of {@code shop.order_items} inserts (order_id, line_no, qty). */
    static String itemsCsv(int... orderLineQty) {
        StringBuilder s = new StringBuilder("order_id_new,order_id_old,order_id_exists,line_no_new,line_no_old,"
                + "line_no_exists,qty_new,qty_old,qty_exists,opType,cursor,operationcount\n");
        for (int i = 0; i < orderLineQty.length; i += 3) {
            s.append(orderLineQty[i]).append(",NULL,1,").append(orderLineQty[i + 1]).append(",NULL,1,")
                    .append(orderLineQty[i + 2]).append(",NULL,1,I,\"{\"\"timestamp\"\":1700000000000}\",\"{}\"\n");
        }
        return s.toString();
    }

    static Path write(Path dir, String key, String... records) {
        try {
            Path file = dir.resolve(key);
            Files.createDirectories(file.getParent());
            Files.writeString(file, String.join("", records));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
