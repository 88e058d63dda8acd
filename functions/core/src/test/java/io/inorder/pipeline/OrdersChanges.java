package io.inorder.pipeline;

import static io.inorder.pipeline.JsonText.object;
import static io.inorder.pipeline.JsonText.quote;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes Arcion S3-JSON realtime records (the internal CDC format: tableName object, opType, cursor as a JSON string,
 * string images with {@code "null"} placeholders, exists flags) for the table {@code shop.orders} with columns
 * {@code id, status, total, rev}, and keeps an independent model of the table after applying them in source order.
 * Records must be generated in source order (file 1 before file 2); they may then be uploaded in any order.
 * {@code rev} is the record's source index, so an apply log can be checked against source order.
 */
final class OrdersChanges {

    private static final String TABLE = "{\"namespace\":{\"catalog\":\"shop\",\"schema\":null,\"hash\":11},"
            + "\"name\":\"orders\",\"hash\":22}";
    private static final String[] COLUMNS = {"id", "status", "total", "rev"};

    private final Map<String, Map<String, String>> documents = new TreeMap<>();
    private final List<Map<String, Map<String, String>>> history = new ArrayList<>();
    private long rev;
    private String lastCursor;

    /** An insert with a full after image. */
    String insert(String id, String status, String total) {
        Map<String, String> after = row(id, status, total, Long.toString(++rev));
        documents.put(id, after);
        return record("I", nulls(), after, flags("1", "1", "1", "1"));
    }

    /** An update with full before and after images: the mapper upserts the after image. */
    String update(String id, String status, String total) {
        Map<String, String> before = requireDocument(id);
        Map<String, String> after = row(id, status, total, Long.toString(++rev));
        documents.put(id, after);
        return record("U", before, after, flags("3", "3", "3", "3"));
    }

    /**
     * An update under Arcion's default image formats: key only in before, only the changed columns (status, rev) in
     * after, everything else a {@code "null"} placeholder: the mapper patches the two columns.
     */
    String changeStatus(String id, String status) {
        Map<String, String> doc = new LinkedHashMap<>(requireDocument(id));
        String r = Long.toString(++rev);
        doc.put("status", status);
        doc.put("rev", r);
        documents.put(id, doc);
        Map<String, String> before = row(id, "null", "null", "null");
        Map<String, String> after = row("null", status, "null", r);
        return record("U", before, after, flags("2", "1", "0", "1"));
    }

    /** A delete with only the key in the before image. */
    String delete(String id) {
        requireDocument(id);
        ++rev;
        documents.remove(id);
        return record("D", row(id, "null", "null", "null"), nulls(), flags("2", "0", "0", "0"));
    }

    /** A record whose opType Arcion never writes: the reader turns it into a bad record; the model is unchanged. */
    String unknownOperation(String id) {
        ++rev;
        return record("X", nulls(), row(id, "BROKEN", "0", Long.toString(rev)), flags("1", "1", "1", "1"));
    }

    /** Each document as the in-order application leaves it, by id. */
    Map<String, Map<String, String>> documents() {
        Map<String, Map<String, String>> copy = new TreeMap<>();
        documents.forEach((id, doc) -> copy.put(id, Map.copyOf(doc)));
        return copy;
    }

    /** The documents after the first {@code records} records written (in source order over all files). */
    Map<String, Map<String, String>> documentsAfter(int records) {
        return records == 0 ? Map.of() : history.get(records - 1);
    }

    /** The cursor (source position) of the last record written. */
    String lastCursor() {
        return lastCursor;
    }

    /** The records of one NDJSON file. */
    static byte[] file(List<String> records) {
        return (String.join("\n", records) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** {@code count} inserts of fresh ids, then updates, status changes and deletes over them: several windows. */
    List<String> busyFile(String idPrefix, int count) {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(insert(idPrefix + i, "NEW", i + ".00"));
        }
        for (int i = 0; i < count; i += 2) {
            records.add(update(idPrefix + i, "PAID", (i + 1) + ".50"));
        }
        for (int i = 1; i < count; i += 3) {
            records.add(changeStatus(idPrefix + i, "SHIPPED"));
        }
        for (int i = 0; i < count; i += 4) {
            records.add(delete(idPrefix + i));
        }
        for (int i = 0; i < count; i += 8) {
            records.add(insert(idPrefix + i, "REOPENED", "1.00"));
        }
        return records;
    }

    private Map<String, String> requireDocument(String id) {
        Map<String, String> doc = documents.get(id);
        if (doc == null) {
            throw new IllegalStateException("test data bug: no document " + id + " to change");
        }
        return doc;
    }

    private String record(String op, Map<String, String> before, Map<String, String> after,
            Map<String, String> exists) {
        long timestamp = 1_700_000_000_000L + rev * 1000;
        String cursor = "{\"extractorId\":0,\"timestamp\":" + timestamp + ",\"extractionTimestamp\":"
                + (timestamp + 420) + ",\"log\":\"binlog.000042\",\"position\":" + (1000 + rev) + ",\"logSeqNum\":" + rev
                + ",\"slaveServerId\":1,\"v\":2}";
        lastCursor = cursor;
        history.add(documents());
        return "{\"tableName\":" + TABLE + ",\"opType\":\"" + op + "\",\"cursor\":" + quote(cursor)
                + ",\"before\":" + object(before) + ",\"after\":" + object(after) + ",\"exists\":" + object(exists)
                + ",\"operationcount\":" + quote("{\"insertCount\":1,\"updateCount\":0,\"deleteCount\":0,"
                + "\"replaceCount\":0}") + "}";
    }

    private static Map<String, String> row(String id, String status, String total, String rev) {
        Map<String, String> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("status", status);
        row.put("total", total);
        row.put("rev", rev);
        return row;
    }

    private static Map<String, String> nulls() {
        return row("null", "null", "null", "null");
    }

    private static Map<String, String> flags(String... flags) {
        Map<String, String> exists = new LinkedHashMap<>();
        for (int i = 0; i < COLUMNS.length; i++) {
            exists.put(COLUMNS[i], flags[i]);
        }
        return exists;
    }
}
