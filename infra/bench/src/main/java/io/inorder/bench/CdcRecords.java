package io.inorder.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Synthetic Arcion records of one table, {@value #TABLE}, with the width of a typical order row: twelve columns of
 * ids, amounts, codes, timestamps and a free-text note sized so the mapped document has about {@code documentBytes}
 * bytes. Two envelopes (arcion-cdc-formats.md §2 and §4.2): the S3 internal JSON format (cursor and operation count as
 * JSON strings, every value a string, the {@code exists} map) and NATIVE (cursor as an object, {@code before} null for
 * inserts). Full images (Arcion's {@code ALL}), so every record maps to one upsert.
 *
 * <p>Record {@code i} is a pure function of {@code i} and the settings: a run is reproducible and a file can be
 * written in pieces. With {@code keySpace} 0 every record has its own id ({@code i}); seven in ten are inserts, the
 * rest updates. With a key space, ids cycle through it pseudo-randomly and every record is an update (a hot key set).
 */
final class CdcRecords {

    enum Envelope { S3_JSON, NATIVE }

    static final String TABLE = "bench.orders";
    static final String WORKSPACE = "bench";
    static final String COLLECTION = "orders";
    /**
     * The table config every benchmark uses: one table, keyed by {@code id}, declared with whole-row images (NATIVE
     * records do not say so themselves; without it their updates would be patches).
     */
    static final String TABLE_CONFIG = "{\"workspace\":\"" + WORKSPACE + "\",\"tables\":{\"" + TABLE
            + "\":{\"collection\":\"" + COLLECTION + "\",\"primaryKey\":[\"id\"],\"afterImage\":\"all\","
            + "\"beforeImage\":\"all\"}}}";

    /** The mapped document without its note: {@code _id}, eleven columns and {@code _event_time}. */
    private static final int DOCUMENT_WITHOUT_NOTE = 330;
    private static final long START_MILLIS = 1_767_225_600_000L;
    private static final String[] STATUS = {"NEW", "PAID", "PACKED", "SHIPPED", "DELIVERED", "RETURNED"};
    private static final String[] CURRENCY = {"EUR", "USD", "GBP", "JPY"};
    private static final String[] REGION = {"eu-west", "us-east", "ap-south", "sa-east"};
    private static final String WORDS = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
            + "incididunt ut labore et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ";
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();

    private final Envelope envelope;
    private final int noteChars;
    private final long keySpace;

    CdcRecords(Envelope envelope, int documentBytes, long keySpace) {
        this.envelope = envelope;
        this.noteChars = Math.max(8, documentBytes - DOCUMENT_WITHOUT_NOTE);
        this.keySpace = keySpace;
    }

    Envelope envelope() {
        return envelope;
    }

    /** Records {@code [first, first + count)}, one per line. */
    void write(OutputStream out, long first, long count) throws IOException {
        for (long i = first; i < first + count; i++) {
            try (JsonGenerator g = JSON.createGenerator(out)) {
                record(g, i);
            }
            out.write('\n');
        }
    }

    /** Records {@code [0, count)} as one input. */
    byte[] bytes(int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(count * (noteChars + 1_200));
        try {
            write(out, 0, count);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The id of record {@code i}. */
    long id(long i) {
        return keySpace == 0 ? i : Math.floorMod(mix(i), keySpace);
    }

    /** Whether record {@code i} is an insert (otherwise an update with both images). */
    boolean isInsert(long i) {
        return keySpace == 0 && i % 10 < 7;
    }

    private void record(JsonGenerator g, long i) throws IOException {
        boolean insert = isInsert(i);
        long time = START_MILLIS + i * 7;
        g.writeStartObject();
        g.writeObjectFieldStart("tableName");
        g.writeObjectFieldStart("namespace");
        g.writeStringField("catalog", "bench");
        g.writeNullField("schema");
        g.writeNumberField("hash", 31_337);
        g.writeEndObject();
        g.writeStringField("name", "orders");
        g.writeNumberField("hash", 4_242);
        g.writeEndObject();
        g.writeStringField("opType", insert ? "I" : "U");
        String cursor = "{\"extractorId\":0,\"timestamp\":" + time + ",\"extractionTimestamp\":" + (time + 420)
                + ",\"log\":\"binlog.000042\",\"position\":" + (4 + i * 211) + ",\"logSeqNum\":" + (i + 1)
                + ",\"slaveServerId\":1,\"v\":2}";
        if (envelope == Envelope.S3_JSON) {
            g.writeStringField("cursor", cursor);
        } else {
            g.writeFieldName("cursor");
            g.writeRawValue(cursor);
        }
        g.writeFieldName("before");
        if (insert) {
            if (envelope == Envelope.S3_JSON) {
                placeholders(g);
            } else {
                g.writeNull();
            }
        } else {
            image(g, id(i), mix(i - 1));
        }
        g.writeFieldName("after");
        image(g, id(i), mix(i));
        if (envelope == Envelope.S3_JSON) {
            g.writeObjectFieldStart("exists");
            String flag = insert ? "1" : "3";
            for (String c : COLUMNS) {
                g.writeStringField(c, flag);
            }
            g.writeEndObject();
            g.writeStringField("operationcount", "{\"insertCount\":" + (i * 7 / 10 + 1) + ",\"updateCount\":"
                    + (i * 3 / 10) + ",\"deleteCount\":0,\"replaceCount\":0}");
        }
        g.writeEndObject();
    }

    static final String[] COLUMNS = {"id", "customer_id", "status", "total", "currency", "quantity", "sku",
            "region", "email", "created_at", "updated_at", "note"};

    /** An S3 JSON image of nothing: every column the {@code "null"} placeholder. */
    private static void placeholders(JsonGenerator g) throws IOException {
        g.writeStartObject();
        for (String c : COLUMNS) {
            g.writeStringField(c, "null");
        }
        g.writeEndObject();
    }

    /** The row with key {@code id} whose other values derive from {@code h}. */
    private void image(JsonGenerator g, long id, long h) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", Long.toString(id));
        g.writeStringField("customer_id", Long.toString(100_000 + Math.floorMod(h, 900_000)));
        g.writeStringField("status", STATUS[(int) Math.floorMod(h >>> 7, STATUS.length)]);
        g.writeStringField("total", Math.floorMod(h >>> 11, 100_000) + "." + (Math.floorMod(h >>> 3, 90) + 10));
        g.writeStringField("currency", CURRENCY[(int) Math.floorMod(h >>> 13, CURRENCY.length)]);
        g.writeStringField("quantity", Long.toString(1 + Math.floorMod(h >>> 17, 40)));
        g.writeStringField("sku", "SKU-" + Long.toHexString(h & 0xFFFFFFFFFFL).toUpperCase(java.util.Locale.ROOT));
        g.writeStringField("region", REGION[(int) Math.floorMod(h >>> 19, REGION.length)]);
        g.writeStringField("email", "customer" + Math.floorMod(h, 900_000) + "@example.com");
        g.writeStringField("created_at", "2026-01-01 00:" + two(h >>> 23, 60) + ":" + two(h >>> 29, 60) + ".000000");
        g.writeStringField("updated_at", "2026-01-02 " + two(h >>> 31, 24) + ":" + two(h >>> 37, 60) + ":"
                + two(h >>> 41, 60) + ".000000");
        g.writeStringField("note", note(h));
        g.writeEndObject();
    }

    private String note(long h) {
        StringBuilder b = new StringBuilder(noteChars);
        int at = (int) Math.floorMod(h, WORDS.length());
        while (b.length() < noteChars) {
            int n = Math.min(noteChars - b.length(), WORDS.length() - at);
            b.append(WORDS, at, at + n);
            at = 0;
        }
        return b.toString();
    }

    private static String two(long h, int mod) {
        int v = (int) Math.floorMod(h, mod);
        return v < 10 ? "0" + v : Integer.toString(v);
    }

    /** SplitMix64's finalizer: spreads consecutive indexes over the whole range. */
    static long mix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
