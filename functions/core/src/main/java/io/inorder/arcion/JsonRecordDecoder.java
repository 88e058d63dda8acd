package io.inorder.arcion;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns the bytes of one JSON object into a {@link ChangeEvent}, or a {@link BadRecord} saying what is wrong. One
 * pass with Jackson's streaming parser straight into the event (no tree per record); only nested objects and arrays
 * inside row images become {@link JsonNode}s. Shapes (arcion-cdc-formats.md §2–4):
 * <ul>
 *   <li>JSON CDC: a {@code payload} object (value envelope), a {@code null} payload (tombstone), or, bare, an
 *       {@code op} with a {@code source} object;</li>
 *   <li>Arcion envelope (NATIVE or S3 JSON): an {@code opType}; cursor as object (NATIVE) or string (S3);
 *       an {@code exists} map switches on the S3 placeholder rules;</li>
 *   <li>anything else: a flat snapshot row.</li>
 * </ul>
 * Not thread-safe (reuses a writer); the factory is shared.
 */
final class JsonRecordDecoder {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonFactory FACTORY = MAPPER.getFactory();

    private static final String NULL_PLACEHOLDER = "null";
    /** The tombstone value of older Replicant JSON CDC output (and of the Redis Streams target page). */
    static final String TOMBSTONE_TEXT = "default";

    private final ArcionFormat format;
    private final StringWriter compact = new StringWriter(256);
    /** The bytes of the record being decoded (positions are sliced from them), and where its parser starts in them. */
    private byte[] record;
    private int parserOff;
    /** The last {@code tableName} object's bytes and the name read from them. */
    private byte[] lastTableBytes;
    private String lastTable;

    JsonRecordDecoder(ArcionFormat format) {
        this.format = format;
    }

    /**
     * A record that cannot be read; {@code reason} names what to fix, {@link #summary} says the same without the
     * record's values (for logs).
     */
    private static final class ShapeException extends Exception {
        private static final long serialVersionUID = 1L;

        final String summary;

        /** A reason that quotes nothing of the record. */
        ShapeException(String reason) {
            this(reason, reason);
        }

        ShapeException(String summary, String reason) {
            super(reason, null, false, false);
            this.summary = summary;
        }
    }

    /** What the top level (or a JSON CDC payload) said, gathered in one pass because fields come in any order. */
    private static final class Fields {
        String table;
        String opType;
        boolean hasOpType;
        String position;
        long sourceTime = -1;
        Row before;
        Row after;
        boolean beforeEmptyObject;
        boolean afterEmptyObject;
        /** The {@code exists} map as parallel arrays, in its order; null when the record has none. */
        String[] existsNames;
        int[] existsFlags;
        String op;
        boolean hasSource;
        boolean hasPayload;
        boolean payloadNull;
        Fields payload;
        /** The top level read as a flat row, for records that may turn out to have no envelope; made on demand. */
        Row.Builder flat;
        /** A field was consumed as envelope structure: a flat-row reading must re-parse the record. */
        boolean structural;
        /** What makes the record unusable, found while reading it. */
        String problem;
        String problemSummary;
    }

    /**
     * Reads the single JSON object in {@code b[off, off + len)} (a framed file record or a Kafka value); anything
     * after its closing brace makes it bad. {@code messageKey} (Kafka) is attached to the event.
     */
    ReadResult decode(byte[] b, int off, int len, Origin origin, JsonNode messageKey) {
        record = b;
        parserOff = off;
        try (JsonParser p = FACTORY.createParser(b, off, len)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                return bad(origin, "expected a JSON object, found " + describe(first), b, off, len);
            }
            ReadResult result;
            if (format == ArcionFormat.NATIVE_SNAPSHOT) {
                result = flatRow(readRow(p), origin, messageKey);
            } else {
                Fields f = new Fields();
                readFields(p, f, true);
                result = interpret(f, origin, messageKey, b, off, len);
            }
            JsonToken trailing = p.nextToken();
            if (trailing != null) {
                return bad(origin, "unexpected " + describe(trailing) + " after the record's closing brace", b, off,
                        len);
            }
            return result;
        } catch (ShapeException e) {
            return bad(origin, e.summary, e.getMessage(), b, off, len);
        } catch (CharConversionException e) {
            return bad(origin, "input is not valid UTF-8", "input is not valid UTF-8: " + e.getMessage(), b, off,
                    len);
        } catch (JsonProcessingException e) {
            // Jackson's message quotes the offending token, which is row data: the summary keeps only where.
            return bad(origin, "malformed JSON" + locationOf(e), "malformed JSON: " + e.getOriginalMessage()
                    + locationOf(e), b, off, len);
        } catch (IOException e) {
            // Parsing a byte array does no I/O; anything here is a content problem.
            return bad(origin, "unreadable JSON", "unreadable JSON: " + e.getMessage(), b, off, len);
        }
    }

    /**
     * Reads one record from a parser shared by many (newline-delimited input): the parser is on the record's
     * START_OBJECT at {@code b[start]}, and was created over {@code b} from {@code off} (Jackson's locations are
     * relative to it). A record with a bad shape comes back as a {@link BadRecord} with the parser just past its
     * end, so reading can go on; malformed JSON throws, and the caller starts a new parser.
     */
    ReadResult decodeObject(JsonParser p, byte[] b, int off, int start, Origin origin) throws IOException {
        record = b;
        parserOff = off;
        if (format == ArcionFormat.NATIVE_SNAPSHOT) {
            return flatRow(readRow(p), origin, null);
        }
        Fields f = new Fields();
        readFields(p, f, true);
        int end = off + (int) p.currentLocation().getByteOffset();
        try {
            return interpret(f, origin, null, b, start, end - start);
        } catch (ShapeException e) {
            return bad(origin, e.summary, e.getMessage(), b, start, end - start);
        }
    }

    /** A parser over {@code b[off, off + len)}, for one or many records. */
    static JsonParser parser(byte[] b, int off, int len) throws IOException {
        return FACTORY.createParser(b, off, len);
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " (at byte " + e.getLocation().getByteOffset() + " of the record)";
    }

    private static BadRecord bad(Origin origin, String reason, byte[] b, int off, int len) {
        return bad(origin, reason, reason, b, off, len);
    }

    private static BadRecord bad(Origin origin, String summary, String reason, byte[] b, int off, int len) {
        return BadRecord.withDetail(origin, summary, reason,
                Arrays.copyOfRange(b, off, off + Math.min(len, RecordBytes.RAW_CAP)));
    }

    private static String describe(JsonToken t) {
        return t == null ? "nothing" : t.asString() != null ? "'" + t.asString() + "'" : t.name();
    }

    // ---------------------------------------------------------------- one pass over the fields

    private void readFields(JsonParser p, Fields f, boolean topLevel) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            boolean object = t == JsonToken.START_OBJECT;
            switch (name) {
                case "tableName" -> {
                    if (object) {
                        f.table = tableName(p);
                    } else if (t == JsonToken.VALUE_STRING) {
                        f.table = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
                case "opType" -> {
                    f.hasOpType = true;
                    f.opType = t.isScalarValue() && t != JsonToken.VALUE_NULL ? p.getText() : null;
                    p.skipChildren();
                }
                case "cursor" -> {
                    if (object) {
                        copyCursor(p, f);
                    } else if (t == JsonToken.VALUE_STRING) {
                        f.position = p.getText();
                        f.sourceTime = timestampInCursorText(f.position);
                    } else {
                        p.skipChildren();
                    }
                }
                case "before" -> {
                    if (object) {
                        f.before = readRow(p);
                        f.beforeEmptyObject = f.before.isEmpty();
                    } else {
                        p.skipChildren();
                    }
                }
                case "after" -> {
                    if (object) {
                        f.after = readRow(p);
                        f.afterEmptyObject = f.after.isEmpty();
                    } else {
                        p.skipChildren();
                    }
                }
                case "exists" -> {
                    if (object) {
                        readExists(p, f);
                    } else {
                        p.skipChildren();
                    }
                }
                case "op" -> {
                    f.op = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    p.skipChildren();
                }
                case "source" -> {
                    if (object) {
                        f.hasSource = true;
                        copySource(p, f);
                    } else {
                        p.skipChildren();
                    }
                }
                case "payload" -> {
                    if (topLevel && object) {
                        f.hasPayload = true;
                        f.payload = new Fields();
                        readFields(p, f.payload, false);
                    } else if (t == JsonToken.VALUE_NULL
                            || (t == JsonToken.VALUE_STRING && TOMBSTONE_TEXT.equals(p.getText()))) {
                        // A null payload is a tombstone; so is "default", the tombstone value Arcion's JSON CDC page
                        // described until April 2023 (json-cdc-format.md before 6307bf5).
                        f.hasPayload = true;
                        f.payloadNull = true;
                    } else {
                        // Not a JSON CDC payload: an ordinary column of a flat row.
                        keepAsColumn(p, f, name, t, topLevel);
                        continue;
                    }
                }
                default -> {
                    keepAsColumn(p, f, name, t, topLevel);
                    continue;
                }
            }
            f.structural = true;
        }
    }

    /** Keeps a field for a possible flat row, unless the record already showed it has an envelope. */
    private static void keepAsColumn(JsonParser p, Fields f, String name, JsonToken t, boolean topLevel)
            throws IOException {
        if (!topLevel || f.hasOpType || f.hasPayload) {
            p.skipChildren();
            return;
        }
        if (f.flat == null) {
            f.flat = new Row.Builder();
        }
        f.flat.put(name, value(p, t));
    }

    private ReadResult interpret(Fields f, Origin origin, JsonNode key, byte[] b, int off, int len)
            throws IOException, ShapeException {
        if (f.problem != null) {
            throw new ShapeException(f.problemSummary, f.problem);
        }
        boolean cdc = format == ArcionFormat.JSON_CDC
                || (format == ArcionFormat.AUTO && !f.hasOpType && (f.hasPayload || (f.op != null && f.hasSource)));
        if (cdc) {
            if (f.hasPayload) {
                if (f.payloadNull) {
                    return tombstone(key, origin);
                }
                return jsonCdc(f.payload, origin, key);
            }
            return jsonCdc(f, origin, key);
        }
        if (f.hasOpType) {
            return envelope(f, origin, key);
        }
        Row row;
        if (!f.structural) {
            row = f.flat == null ? Row.empty() : f.flat.build();
        } else {
            // A row with columns named like envelope fields: re-read it column by column.
            try (JsonParser p = FACTORY.createParser(b, off, len)) {
                p.nextToken();
                row = readRow(p);
            }
        }
        return flatRow(row, origin, key);
    }

    private static ChangeEvent flatRow(Row row, Origin origin, JsonNode key) {
        return new ChangeEvent(null, Op.SNAPSHOT_ROW, null, row, Completeness.PARTIAL, Completeness.COMPLETE, -1, null,
                key, origin);
    }

    static ChangeEvent tombstone(JsonNode key, Origin origin) {
        return new ChangeEvent(null, Op.TOMBSTONE, null, null, Completeness.PARTIAL, Completeness.PARTIAL, -1, null,
                key, origin);
    }

    private static ChangeEvent jsonCdc(Fields f, Origin origin, JsonNode key) throws ShapeException {
        if (f.op == null) {
            throw new ShapeException("JSON CDC record without a string 'op' (expected r, c, u or d)");
        }
        Op op = switch (f.op) {
            case "r" -> Op.SNAPSHOT_ROW;
            case "c" -> Op.INSERT;
            case "u" -> Op.UPDATE;
            case "d" -> Op.DELETE;
            default -> throw new ShapeException("unknown JSON CDC op (expected r, c, u or d); the record is "
                    + "quarantined, never skipped silently", "unknown JSON CDC op '" + f.op
                    + "' (expected r, c, u or d); the record is quarantined, never skipped silently");
        };
        // Arcion writes {} for the missing image (arcion-cdc-formats.md §3): absent, not an empty row.
        Row before = f.beforeEmptyObject ? null : f.before;
        Row after = op == Op.DELETE || f.afterEmptyObject ? null : f.after;
        if (op != Op.DELETE && after == null) {
            throw new ShapeException("JSON CDC op '" + f.op + "' without an 'after' image");
        }
        if (op == Op.DELETE && before == null) {
            throw new ShapeException("JSON CDC delete without a 'before' image: no key to delete");
        }
        // JSON CDC carries no exists map: an update's images are whatever Arcion's image formats made them.
        Completeness beforeC = op == Op.UPDATE || op == Op.DELETE ? Completeness.UNSTATED : Completeness.PARTIAL;
        Completeness afterC = op == Op.UPDATE ? Completeness.UNSTATED
                : after != null ? Completeness.COMPLETE : Completeness.PARTIAL;
        return new ChangeEvent(f.table, op, before, after, beforeC, afterC, f.sourceTime, f.position, key, origin);
    }

    private ChangeEvent envelope(Fields f, Origin origin, JsonNode key) throws ShapeException {
        String letter = f.opType;
        Op op;
        if ("I".equals(letter)) {
            op = Op.INSERT;
        } else if ("U".equals(letter)) {
            op = Op.UPDATE;
        } else if ("D".equals(letter)) {
            op = Op.DELETE;
        } else {
            String advice = " (Arcion documents only I, U and D); the record is quarantined, never skipped silently: "
                    + "check the Replicant version and its output format";
            throw new ShapeException("unknown opType" + advice, "unknown opType '" + letter + "'" + advice);
        }
        Row before;
        Row after;
        Completeness beforeC;
        Completeness afterC;
        if (f.existsNames != null) {
            before = present(f.before, f, 2);
            after = present(f.after, f, 1);
            afterC = op != Op.DELETE && covers(after, f, 1) ? Completeness.COMPLETE : Completeness.PARTIAL;
            beforeC = op != Op.INSERT && covers(before, f, 2) ? Completeness.COMPLETE : Completeness.PARTIAL;
        } else {
            boolean placeholders = format == ArcionFormat.S3_JSON;
            before = placeholders ? nullsFromPlaceholders(f.before) : f.before;
            after = placeholders ? nullsFromPlaceholders(f.after) : f.after;
            // No exists map (NATIVE): an insert's after image is the row; an update's images and a delete's before
            // image hold what Arcion's image formats put there (by default the key and the changed columns only).
            afterC = op == Op.INSERT && after != null ? Completeness.COMPLETE
                    : op == Op.UPDATE ? Completeness.UNSTATED : Completeness.PARTIAL;
            beforeC = op == Op.INSERT ? Completeness.PARTIAL : Completeness.UNSTATED;
        }
        if (op == Op.INSERT) {
            before = null;
        }
        if (op == Op.DELETE) {
            after = null;
            if (before == null || before.isEmpty()) {
                throw new ShapeException("opType D without a 'before' image: no key to delete");
            }
        } else if (after == null) {
            throw new ShapeException("opType " + letter + " without an 'after' image");
        }
        return new ChangeEvent(f.table, op, before, after, beforeC, afterC, f.sourceTime, f.position, key, origin);
    }

    /** Whether {@code image} holds every column the exists map lists, each marked present on this side. */
    private static boolean covers(Row image, Fields f, int bit) {
        if (image == null) {
            return false;
        }
        for (int i = 0; i < f.existsNames.length; i++) {
            if ((f.existsFlags[i] & bit) == 0 || !image.has(f.existsNames[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * The columns of {@code image} that {@code exists} marks present on this side ({@code bit} 2 = old image,
     * 1 = new image), with the {@code "null"} placeholder read as SQL NULL. Columns not in {@code exists} are left
     * out: the map is the authority on what the record says.
     */
    private static Row present(Row image, Fields f, int bit) {
        if (image == null) {
            return null;
        }
        Row.Builder out = new Row.Builder();
        String[] order = f.existsNames;
        for (int i = 0; i < order.length; i++) {
            String c = order[i];
            if ((f.existsFlags[i] & bit) == 0) {
                continue;
            }
            // Images and exists usually list columns in the same order: try the same index first.
            int at = i < image.size() && image.name(i).equals(c) ? i : image.indexOf(c);
            if (at >= 0) {
                Object v = image.value(at);
                out.put(c, NULL_PLACEHOLDER.equals(v) ? null : v);
            }
        }
        return out.build();
    }

    private static Row nullsFromPlaceholders(Row image) {
        if (image == null) {
            return null;
        }
        Row.Builder out = new Row.Builder();
        for (int i = 0; i < image.size(); i++) {
            Object v = image.value(i);
            out.put(image.name(i), NULL_PLACEHOLDER.equals(v) ? null : v);
        }
        return out.build();
    }

    // ---------------------------------------------------------------- pieces

    /**
     * The table name, reusing the previous record's when the {@code tableName} object has the same bytes (records
     * of a file or topic are mostly of one table): the parser then only skips it.
     */
    private String tableName(JsonParser p) throws IOException {
        int start = parserOff + (int) p.currentTokenLocation().getByteOffset();
        if (lastTable != null && lastTableBytes.length <= record.length - start
                && Arrays.equals(record, start, start + lastTableBytes.length, lastTableBytes, 0,
                lastTableBytes.length)) {
            // The same bytes, closing brace included, are the same object.
            p.skipChildren();
            return lastTable;
        }
        String table = readTableName(p);
        return remember(table, start, parserOff + (int) p.currentLocation().getByteOffset());
    }

    private String remember(String table, int start, int end) {
        lastTable = table;
        lastTableBytes = Arrays.copyOfRange(record, start, end);
        return table;
    }

    /** {@code namespace.catalog}, {@code namespace.schema}, {@code name}, joined with dots, null parts left out. */
    private static String readTableName(JsonParser p) throws IOException {
        String catalog = null;
        String schema = null;
        String name = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if ("name".equals(field) && t == JsonToken.VALUE_STRING) {
                name = p.getText();
            } else if ("namespace".equals(field) && t == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String nsField = p.currentName();
                    JsonToken v = p.nextToken();
                    if (v == JsonToken.VALUE_STRING && "catalog".equals(nsField)) {
                        catalog = p.getText();
                    } else if (v == JsonToken.VALUE_STRING && "schema".equals(nsField)) {
                        schema = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        return joinTable(catalog, schema, name);
    }

    static String joinTable(String catalog, String schema, String name) {
        StringBuilder sb = new StringBuilder();
        for (String part : new String[] {catalog, schema, name}) {
            if (part != null && !part.isEmpty()) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(part);
            }
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /** A row image: each field's value per {@link Row}'s convention. The parser is on START_OBJECT. */
    private static Row readRow(JsonParser p) throws IOException {
        Row.Builder row = new Row.Builder();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            row.put(name, value(p, p.nextToken()));
        }
        return row.build();
    }

    /** null for JSON null, String for strings, JsonNode for everything else (numbers keep their exact text). */
    private static Object value(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_STRING -> p.getText();
            case VALUE_NULL -> null;
            case VALUE_TRUE -> BooleanNode.TRUE;
            case VALUE_FALSE -> BooleanNode.FALSE;
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> IntNode.valueOf(p.getIntValue());
                case LONG -> LongNode.valueOf(p.getLongValue());
                default -> BigIntegerNode.valueOf(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> DecimalNode.valueOf(p.getDecimalValue());
            default -> p.readValueAsTree();
        };
    }

    private static void readExists(JsonParser p, Fields f) throws IOException {
        String[] names = new String[16];
        int[] flags = new int[16];
        int n = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String column = p.currentName();
            JsonToken t = p.nextToken();
            String text = t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT ? p.getText() : null;
            int flag = text != null && text.length() == 1 ? text.charAt(0) - '0' : -1;
            if (flag < 0 || flag > 3) {
                // Recorded, not thrown: the object is read to its end first, so a parser shared by many records
                // can go on with the next one.
                if (f.problem == null) {
                    f.problem = "exists value " + (text == null ? describe(t) : "'" + text + "'") + " for column '"
                            + column + "' must be 0, 1, 2 or 3";
                    f.problemSummary = "exists value for column '" + column + "' must be 0, 1, 2 or 3";
                }
                p.skipChildren();
                continue;
            }
            if (n == names.length) {
                names = Arrays.copyOf(names, n * 2);
                flags = Arrays.copyOf(flags, n * 2);
            }
            names[n] = column;
            flags[n++] = flag;
        }
        f.existsNames = Arrays.copyOf(names, n);
        f.existsFlags = Arrays.copyOf(flags, n);
    }

    /**
     * Takes a NATIVE cursor object as compact JSON text, sliced from the record's own bytes (with whitespace outside
     * strings removed) rather than re-serialized, and picks its {@code timestamp}. The parser is on START_OBJECT.
     */
    private void copyCursor(JsonParser p, Fields f) throws IOException {
        int start = parserOff + (int) p.currentTokenLocation().getByteOffset();
        long time = -1;
        int depth = 1;
        boolean timeNext = false;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t.isStructStart()) {
                depth++;
                timeNext = false;
            } else if (t.isStructEnd()) {
                depth--;
            } else if (timeNext) {
                time = millis(p, t);
                timeNext = false;
            } else if (t == JsonToken.FIELD_NAME && depth == 1) {
                timeNext = "timestamp".equals(p.currentName());
            }
        }
        int end = parserOff + (int) p.currentLocation().getByteOffset();
        f.position = compactText(record, start, end);
        f.sourceTime = time;
    }

    /** JSON text of {@code b[from, to)} without the whitespace outside strings. */
    static String compactText(byte[] b, int from, int to) {
        int i0 = from;
        while (i0 < to && (b[i0] > ' ' || b[i0] < 0)) {
            i0++;
        }
        if (i0 == to) {
            // Already compact (the usual case for newline-delimited input): no string tracking needed.
            return new String(b, from, to - from, StandardCharsets.UTF_8);
        }
        byte[] out = null;
        int n = 0;
        boolean inString = false;
        boolean escaped = false;
        for (int i = from; i < to; i++) {
            byte c = b[i];
            boolean drop = false;
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                drop = true;
            }
            if (drop && out == null) {
                out = new byte[to - from];
                System.arraycopy(b, from, out, 0, i - from);
                n = i - from;
            } else if (!drop && out != null) {
                out[n++] = c;
            }
        }
        return out == null ? new String(b, from, to - from, StandardCharsets.UTF_8)
                : new String(out, 0, n, StandardCharsets.UTF_8);
    }

    /**
     * Copies a JSON CDC {@code source} block (without its synthesized {@code query}, which can be large) as the
     * position, and takes the table ({@code db.schema.table}) and {@code ts_ms} from it.
     */
    private void copySource(JsonParser p, Fields f) throws IOException {
        compact.getBuffer().setLength(0);
        String db = null;
        String schema = null;
        String table = null;
        long time = -1;
        try (JsonGenerator g = FACTORY.createGenerator(compact)) {
            g.writeStartObject();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if ("query".equals(name)) {
                    p.skipChildren();
                    continue;
                }
                switch (name) {
                    case "db" -> db = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "schema" -> schema = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "table" -> table = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "ts_ms" -> time = millis(p, t);
                    default -> { }
                }
                g.writeFieldName(name);
                g.copyCurrentStructure(p);
            }
            g.writeEndObject();
        }
        f.position = compact.toString();
        f.table = joinTable(db, schema, table);
        f.sourceTime = time;
    }

    private static long millis(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return p.getLongValue();
        }
        if (t == JsonToken.VALUE_STRING) {
            try {
                return Long.parseLong(p.getText().trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * The top-level {@code timestamp} of a cursor given as JSON text (S3 JSON and CSV double-encode it), or -1 when
     * the text has none. A small scanner rather than a parser: this runs once per record. The time is informative
     * only, so a cursor it cannot be read from is no error.
     */
    static long timestampInCursorText(String s) {
        if (s == null) {
            return -1;
        }
        int depth = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '"') {
                int end = i + 1;
                while (end < n && s.charAt(end) != '"') {
                    end += s.charAt(end) == '\\' ? 2 : 1;
                }
                if (end >= n) {
                    return -1;
                }
                if (depth == 1 && end - i - 1 == 9 && s.startsWith("timestamp", i + 1)) {
                    int colon = skipBlanks(s, end + 1);
                    if (colon < n && s.charAt(colon) == ':') {
                        return millisAt(s, skipBlanks(s, colon + 1));
                    }
                }
                i = end;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return -1;
    }

    private static int skipBlanks(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** An integer (plain or in quotes) starting at {@code i}, or -1. */
    private static long millisAt(String s, int i) {
        boolean quoted = i < s.length() && s.charAt(i) == '"';
        int from = quoted ? i + 1 : i;
        int to = from;
        while (to < s.length() && (Character.isDigit(s.charAt(to)) || (to == from && s.charAt(to) == '-'))) {
            to++;
        }
        if (to == from || (to < s.length() && ".eE".indexOf(s.charAt(to)) >= 0)) {
            return -1;
        }
        try {
            return Long.parseLong(s, from, to, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
