package io.inorder.pipeline;

import static io.inorder.pipeline.JsonText.object;
import static io.inorder.pipeline.JsonText.quote;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * One chaos trial's source changes: Arcion realtime records for {@code shop.orders} over a handful of ids (inserts,
 * full-image updates, partial-image status changes, deletes), split into files — S3 JSON, or CSV without a header
 * whose triplets come in an order of their own ({@link #CSV_REALTIME_COLUMNS}, read through {@code csvRealtimeColumns}:
 * Replicant's default {@code include-header: false}) — with an independent model
 * of the collection after every record applied in source order. Two kinds of record must end up quarantined and
 * leave the model unchanged: a malformed one (an opType Arcion never writes) and an insert of a fresh id carrying
 * the column {@link #REJECT_FIELD}, which the emulator's error-field fault rejects per document. A rejected insert is
 * the only change ever made to its id, so coalescing can never fold it into another change.
 * Every record carries {@code rev}, its 1-based source index, so an apply log can be checked against source order.
 */
final class ChaosWorkload {

    static final String REJECT_FIELD = "reject";
    /** The table's columns in table order (snapshot lines, {@code csvColumns}). */
    static final List<String> CSV_COLUMNS = List.of("id", "status", "rev", REJECT_FIELD);
    /** The order of realtime CSV triplets ({@code csvRealtimeColumns}): not the table's, as in Arcion's samples. */
    static final List<String> CSV_REALTIME_COLUMNS = List.of("status", REJECT_FIELD, "rev", "id");

    private static final String TABLE = "{\"namespace\":{\"catalog\":\"shop\",\"schema\":null,\"hash\":11},"
            + "\"name\":\"orders\",\"hash\":22}";
    private static final String[] IDS = {"a", "b", "c", "d"};
    private static final String[] STATUSES = {"NEW", "PAID", "SHIPPED", "CLOSED"};

    /** One source record: its file, index in the file, what it is, and its raw line as S3 JSON and as CSV. */
    record Change(int file, int index, long rev, String kind, String id, String line, String csv) {
        @Override
        public String toString() {
            return "file " + (file + 1) + " #" + index + " rev " + rev + " " + kind + " " + id;
        }
    }

    final List<List<Change>> files = new ArrayList<>();
    /** Per file, whether it is written as header-less CSV rather than S3 JSON. */
    final List<Boolean> csvFiles = new ArrayList<>();
    private final List<Map<String, Map<String, String>>> history = new ArrayList<>();
    private final Map<String, Map<String, String>> documents = new TreeMap<>();
    private final Set<Long> quarantinedRevs = new LinkedHashSet<>();
    private long rev;
    private int fresh;

    /** {@code fileCount} files of 1..{@code maxRecords} records each, drawn from {@code random}. */
    ChaosWorkload(Random random, int fileCount, int maxRecords, double badRate) {
        for (int f = 0; f < fileCount; f++) {
            List<Change> file = new ArrayList<>();
            csvFiles.add(random.nextInt(3) == 0);
            int records = 1 + random.nextInt(maxRecords);
            for (int i = 0; i < records; i++) {
                file.add(next(random, f, i, badRate));
            }
            files.add(file);
        }
    }

    private Change next(Random random, int file, int index, double badRate) {
        double draw = random.nextDouble();
        String status = STATUSES[random.nextInt(STATUSES.length)];
        long r = ++rev;
        String[] line;
        String kind;
        String id;
        if (draw < badRate / 2) {
            id = IDS[random.nextInt(IDS.length)];
            kind = "malformed";
            line = record("X", nulls(), row(id, "BROKEN", r, false), flags(false));
            quarantinedRevs.add(r);
        } else if (draw < badRate) {
            id = "r" + (++fresh);
            kind = "rejected-insert";
            line = record("I", nulls(), row(id, status, r, true), flags(true));
            quarantinedRevs.add(r);
        } else {
            id = IDS[random.nextInt(IDS.length)];
            Map<String, String> doc = documents.get(id);
            if (doc == null) {
                kind = "insert";
                Map<String, String> after = row(id, status, r, false);
                documents.put(id, after);
                line = record("I", nulls(), after, flags(false));
            } else {
                double op = random.nextDouble();
                if (op < 0.35) {
                    kind = "update";
                    Map<String, String> after = row(id, status, r, false);
                    line = record("U", doc, after, exists("3", "3", "3"));
                    documents.put(id, after);
                } else if (op < 0.7) {
                    kind = "status";
                    Map<String, String> after = new LinkedHashMap<>(doc);
                    after.put("status", status);
                    after.put("rev", Long.toString(r));
                    documents.put(id, after);
                    line = record("U", row(id, "null", "null"), row("null", status, Long.toString(r)),
                            exists("2", "1", "1"));
                } else {
                    kind = "delete";
                    documents.remove(id);
                    line = record("D", row(id, "null", "null"), nulls(), exists("2", "0", "0"));
                }
            }
        }
        history.add(snapshot());
        return new Change(file, index, r, kind, id, line[0], line[1]);
    }

    /** The collection as in-order application leaves it. */
    Map<String, Map<String, String>> documents() {
        return snapshot();
    }

    /** The collection after the first {@code records} records in source order (over all files). */
    Map<String, Map<String, String>> documentsAfter(int records) {
        return records == 0 ? Map.of() : history.get(records - 1);
    }

    /** How many records come before file {@code file} (0-based) in source order. */
    int recordsBefore(int file) {
        int n = 0;
        for (int f = 0; f < file; f++) {
            n += files.get(f).size();
        }
        return n;
    }

    int records() {
        return recordsBefore(files.size());
    }

    /** The revisions of the records that must be quarantined. */
    Set<Long> quarantinedRevs() {
        return quarantinedRevs;
    }

    boolean hasRejections() {
        return files.stream().flatMap(List::stream).anyMatch(c -> c.kind().equals("rejected-insert"));
    }

    byte[] body(int file) {
        StringBuilder b = new StringBuilder();
        for (Change c : files.get(file)) {
            b.append(csvFiles.get(file) ? c.csv() : c.line()).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The file name extension of file {@code file}: {@code .csv} or {@code .json}. */
    String extension(int file) {
        return csvFiles.get(file) ? ".csv" : ".json";
    }

    private Map<String, Map<String, String>> snapshot() {
        Map<String, Map<String, String>> copy = new TreeMap<>();
        documents.forEach((id, doc) -> copy.put(id, Map.copyOf(doc)));
        return copy;
    }

    /** The record as S3 JSON and as a header-less CSV realtime line (triplets in {@link #CSV_REALTIME_COLUMNS}). */
    private String[] record(String op, Map<String, String> before, Map<String, String> after,
            Map<String, String> exists) {
        long timestamp = 1_700_000_000_000L + rev * 1000;
        String cursor = "{\"extractorId\":0,\"timestamp\":" + timestamp + ",\"log\":\"binlog.000042\",\"position\":"
                + (1000 + rev) + ",\"logSeqNum\":" + rev + ",\"v\":2}";
        String counts = "{\"insertCount\":1,\"updateCount\":0,\"deleteCount\":0,\"replaceCount\":0}";
        String json = "{\"tableName\":" + TABLE + ",\"opType\":\"" + op + "\",\"cursor\":" + quote(cursor)
                + ",\"before\":" + object(before) + ",\"after\":" + object(after) + ",\"exists\":" + object(exists)
                + ",\"operationcount\":" + quote(counts) + "}";
        StringBuilder csv = new StringBuilder();
        for (String column : CSV_REALTIME_COLUMNS) {
            int flag = Integer.parseInt(exists.getOrDefault(column, "0"));
            csv.append((flag & 1) != 0 ? after.get(column) : "NULL").append(',')
                    .append((flag & 2) != 0 ? before.get(column) : "NULL").append(',').append(flag).append(',');
        }
        csv.append(op).append(',').append(csvQuote(cursor)).append(',').append(csvQuote(counts));
        return new String[] {json, csv.toString()};
    }

    private static String csvQuote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    private static Map<String, String> row(String id, String status, long rev, boolean reject) {
        Map<String, String> row = row(id, status, Long.toString(rev));
        if (reject) {
            row.put(REJECT_FIELD, "yes");
        }
        return row;
    }

    private static Map<String, String> row(String id, String status, String rev) {
        Map<String, String> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("status", status);
        row.put("rev", rev);
        return row;
    }

    private static Map<String, String> nulls() {
        return row("null", "null", "null");
    }

    private static Map<String, String> flags(boolean reject) {
        Map<String, String> exists = exists("1", "1", "1");
        if (reject) {
            exists.put(REJECT_FIELD, "1");
        }
        return exists;
    }

    private static Map<String, String> exists(String id, String status, String rev) {
        Map<String, String> exists = new LinkedHashMap<>();
        exists.put("id", id);
        exists.put("status", status);
        exists.put("rev", rev);
        return exists;
    }
}
