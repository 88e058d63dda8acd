package io.inorder.local.workload;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * One Arcion output file being written, record by record, in one {@link WorkloadFile.Layout}: S3 internal JSON
 * (newline-delimited, pretty-printed or concatenated; optionally with non-ASCII escaped), flat JSON snapshot rows,
 * or Arcion CSV (snapshot X columns or realtime 3X+3, with or without a header). Only this file's bytes are held,
 * compressed as they are written when gzip is on. Not thread-safe.
 */
final class ArcionFile {

    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(com.fasterxml.jackson.core.StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();
    private static final String NULL_MARKER = "NULL";

    final String key;
    final String stream;
    final long sequence;
    final TableShape shape;
    final boolean snapshot;
    final WorkloadFile.Layout layout;
    final boolean gzip;
    final int target;
    private final boolean escapeNonAscii;
    /** The CSV line ending: {@code \n}, or {@code \r\n} as CSV written on Windows (RFC 4180's own choice). */
    private final String lineEnd;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
    private final OutputStream out;
    private int records;

    ArcionFile(String key, String stream, long sequence, TableShape shape, boolean snapshot,
               WorkloadFile.Layout layout, boolean gzip, boolean escapeNonAscii, boolean crlf, int target) {
        this.key = key;
        this.stream = stream;
        this.sequence = sequence;
        this.shape = shape;
        this.snapshot = snapshot;
        this.layout = layout;
        this.gzip = gzip;
        this.escapeNonAscii = escapeNonAscii;
        this.lineEnd = crlf ? "\r\n" : "\n";
        this.target = target;
        try {
            this.out = gzip ? new GZIPOutputStream(bytes, 8192) : bytes;
            if (layout == WorkloadFile.Layout.CSV_WITH_HEADER) {
                header();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int records() {
        return records;
    }

    boolean full() {
        return records >= target;
    }

    /** Appends one record; returns its index in the file. */
    int append(ArcionRecord r) {
        try {
            switch (layout) {
                case CSV_WITH_HEADER, CSV_WITHOUT_HEADER -> csvLine(r);
                case JSON_FLAT_ROWS -> flatRow(r);
                case NATIVE_LINES -> nativeEnvelope(r);
                default -> envelope(r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return records++;
    }

    /**
     * Appends a record the readers must reject, shaped like the file's other records (so framing stays intact and
     * only this record is lost); returns what is wrong with it. Its index is {@link #records()} before the call.
     */
    String appendMalformed(ArcionRecord template) {
        String what;
        try {
            switch (layout) {
                case CSV_WITH_HEADER, CSV_WITHOUT_HEADER -> {
                    if (snapshot) {
                        what = "a CSV snapshot line one field short";
                        StringBuilder line = new StringBuilder();
                        for (int i = 1; i < shape.columns.size(); i++) {
                            line.append(i > 1 ? "," : "").append("x").append(i);
                        }
                        out.write((line + lineEnd).getBytes(StandardCharsets.UTF_8));
                    } else {
                        what = "a CSV realtime line with EXISTS flag 7";
                        int[] exists = template.exists().clone();
                        exists[shape.csvOrder[0]] = 7;
                        csvLine(new ArcionRecord(shape, template.op(), template.before(), template.after(), exists,
                                template.cursor(), template.counts()));
                    }
                }
                case JSON_FLAT_ROWS -> {
                    // An object with a missing value: framed like any row (a leading '[' would make the whole
                    // file read as CSV, since the first byte decides the format).
                    what = "a flat JSON row with a missing value";
                    out.write(("{\"" + shape.columns.get(0).name() + "\":\"x\",\"" + shape.columns.get(1).name()
                            + "\":}\n").getBytes(StandardCharsets.UTF_8));
                }
                case NATIVE_LINES -> {
                    what = "a NATIVE envelope with the undocumented opType T";
                    nativeEnvelope(new ArcionRecord(shape, 'T', template.before(), template.after(),
                            template.exists(), template.cursor(), template.counts()));
                }
                default -> {
                    what = "an S3 JSON envelope with the undocumented opType T";
                    envelope(new ArcionRecord(shape, 'T', template.before(), template.after(), template.exists(),
                            template.cursor(), template.counts()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        records++;
        return what;
    }

    /** The finished file's bytes (compressed when gzip is on). */
    byte[] finish() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    WorkloadFile describe(long size) {
        return new WorkloadFile(key, stream, sequence, shape.table(), snapshot, layout, gzip, records, size);
    }

    // ---------------------------------------------------------------- JSON

    private JsonGenerator generator() throws IOException {
        JsonGenerator g = JSON.createGenerator(out);
        if (escapeNonAscii) {
            g.enable(JsonWriteFeature.ESCAPE_NON_ASCII.mappedFeature());
        }
        if (layout == WorkloadFile.Layout.JSON_PRETTY) {
            // An explicit "\n": Jackson's default indenter uses the platform's line separator, which would make
            // the bytes depend on the machine that generated them.
            g.setPrettyPrinter(new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n")));
        }
        return g;
    }

    private void endRecord(JsonGenerator g) throws IOException {
        g.close();
        if (layout != WorkloadFile.Layout.JSON_CONCATENATED) {
            out.write('\n');
        }
    }

    private void envelope(ArcionRecord r) throws IOException {
        JsonGenerator g = generator();
        TableShape s = r.shape();
        g.writeStartObject();
        tableName(g, s);
        g.writeStringField("opType", r.op() == 'S' ? "I" : String.valueOf(r.op()));
        g.writeStringField("cursor", r.cursor());
        g.writeObjectFieldStart("before");
        for (int i = 0; i < s.columns.size(); i++) {
            String v = r.inOld(i) ? r.before()[i] : null;
            g.writeStringField(s.columns.get(i).name(), v == null ? "null" : v);
        }
        g.writeEndObject();
        g.writeObjectFieldStart("after");
        for (int i = 0; i < s.columns.size(); i++) {
            String v = r.inNew(i) ? r.after()[i] : null;
            g.writeStringField(s.columns.get(i).name(), v == null ? "null" : v);
        }
        g.writeEndObject();
        g.writeObjectFieldStart("exists");
        for (int i = 0; i < s.columns.size(); i++) {
            g.writeStringField(s.columns.get(i).name(), Integer.toString(r.exists()[i]));
        }
        g.writeEndObject();
        g.writeStringField("operationcount", r.counts());
        g.writeEndObject();
        endRecord(g);
    }

    /**
     * A NATIVE realtime envelope (native-format.md): the cursor as an object, each image holding exactly the columns
     * the record carries (SQL NULL as JSON null), no {@code exists} map — so nothing in the record tells a partial
     * image from a whole row, as with Replicant's default image formats.
     */
    private void nativeEnvelope(ArcionRecord r) throws IOException {
        JsonGenerator g = generator();
        TableShape s = r.shape();
        g.writeStartObject();
        tableName(g, s);
        g.writeStringField("opType", String.valueOf(r.op()));
        g.writeFieldName("cursor");
        g.writeRawValue(r.cursor());
        nativeImage(g, "before", r, r.op() == 'I' ? null : r.before(), 2);
        nativeImage(g, "after", r, r.op() == 'D' ? null : r.after(), 1);
        g.writeEndObject();
        endRecord(g);
    }

    private static void nativeImage(JsonGenerator g, String field, ArcionRecord r, String[] image, int bit)
            throws IOException {
        if (image == null) {
            g.writeNullField(field);
            return;
        }
        g.writeObjectFieldStart(field);
        for (int i = 0; i < r.shape().columns.size(); i++) {
            if ((r.exists()[i] & bit) == 0) {
                continue;
            }
            String v = image[i];
            if (v == null) {
                g.writeNullField(r.shape().columns.get(i).name());
            } else {
                g.writeStringField(r.shape().columns.get(i).name(), v);
            }
        }
        g.writeEndObject();
    }

    /** The envelope's {@code tableName} object, as NATIVE and S3 JSON write it. */
    private static void tableName(JsonGenerator g, TableShape s) throws IOException {
        g.writeObjectFieldStart("tableName");
        g.writeObjectFieldStart("namespace");
        g.writeStringField("catalog", s.catalog);
        g.writeNullField("schema");
        g.writeNumberField("hash", Math.abs(s.catalog.hashCode() % 100_000));
        g.writeEndObject();
        g.writeStringField("name", s.name);
        g.writeNumberField("hash", Math.abs(s.table().hashCode() % 100_000));
        g.writeEndObject();
    }

    private void flatRow(ArcionRecord r) throws IOException {
        JsonGenerator g = generator();
        TableShape s = r.shape();
        g.writeStartObject();
        for (int i = 0; i < s.columns.size(); i++) {
            String v = r.after()[i];
            if (v == null) {
                g.writeNullField(s.columns.get(i).name());
            } else {
                g.writeStringField(s.columns.get(i).name(), v);
            }
        }
        g.writeEndObject();
        endRecord(g);
    }

    // ---------------------------------------------------------------- CSV

    private void header() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int i : snapshot ? shape.tableOrder : shape.csvOrder) {
            String name = shape.columns.get(i).name();
            if (line.length() > 0) {
                line.append(',');
            }
            if (snapshot) {
                line.append(name);
            } else {
                line.append(name).append("_new,").append(name).append("_old,").append(name).append("_exists");
            }
        }
        if (!snapshot) {
            line.append(",opType,cursor,operationcount");
        }
        line.append(lineEnd);
        out.write(line.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void csvLine(ArcionRecord r) throws IOException {
        StringBuilder line = new StringBuilder(256);
        TableShape s = r.shape();
        boolean first = true;
        for (int i : snapshot ? s.tableOrder : s.csvOrder) {
            if (!first) {
                line.append(',');
            }
            first = false;
            if (snapshot) {
                field(line, r.after()[i]);
            } else {
                field(line, r.inNew(i) ? r.after()[i] : null);
                line.append(',');
                field(line, r.inOld(i) ? r.before()[i] : null);
                line.append(',').append(r.exists()[i]);
            }
        }
        if (!snapshot) {
            line.append(',').append(r.op()).append(',');
            field(line, r.cursor());
            line.append(',');
            field(line, r.counts());
        }
        line.append(lineEnd);
        out.write(line.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** RFC 4180 field: SQL NULL as the bare marker; text quoted when it holds a delimiter, quote, line break or
     * reads as the marker. */
    private static void field(StringBuilder line, String value) {
        if (value == null) {
            line.append(NULL_MARKER);
            return;
        }
        boolean quote = value.equals(NULL_MARKER);
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = c == ',' || c == '"' || c == '\n' || c == '\r';
        }
        if (!quote) {
            line.append(value);
            return;
        }
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                line.append('"');
            }
            line.append(c);
        }
        line.append('"');
    }
}
