package io.inorder.arcion;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * Reads Arcion internal CSV (arcion-cdc-formats.md §4.1): snapshot lines of X columns and realtime lines of 3X+3
 * columns (X triplets NEW, OLD, EXISTS, then opType, cursor, operation counts). RFC 4180 quoting with configurable
 * delimiter, quote and escape; quoted fields may hold delimiters, quotes and line breaks.
 *
 * <p>The scanner works on bytes (the delimiters are ASCII, which never occurs inside a UTF-8 multi-byte sequence),
 * so every record keeps its exact byte offset and raw bytes, and each field is decoded as strict UTF-8 on its own:
 * a line with invalid bytes becomes a {@link BadRecord} and the next line is read normally. A line with the wrong
 * number of fields, a stray character after a closing quote, an empty line, an unknown opType or EXISTS flag is a
 * {@code BadRecord} too.
 *
 * <p>Header: Arcion writes one only with {@code include-header: true} (default false). Under {@code csvHeader} AUTO
 * the first line is a header only when it provably is one (see {@link #provablyHeader}); otherwise it is data, and
 * when no column names are configured every line of the file is a {@code BadRecord} naming the setting to give —
 * never a data row silently taken for a header. The header, when there is one, is not a record: record 0 is the
 * first data line. Snapshot lines and realtime triplets may have column orders of their own
 * ({@code csvColumns}, {@code csvRealtimeColumns}), as in Arcion's own samples.
 *
 * <p>Quoting: a doubled quote inside a quoted field is one quote whatever the escape; a configured escape (such as
 * Arcion's sample {@code \}) escapes the quote and itself, and before any other character is kept as it is.
 */
final class CsvFileReader implements ArcionReader {

    private enum State { START, UNQUOTED, QUOTED, ESCAPE, AFTER_QUOTE }

    private final InputBytes in;
    private final String source;
    private final ReaderOptions opts;
    private final RecordBytes record;
    private final byte delimiter;
    private final byte quote;
    private final byte escape;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    // The fields of the current record: unescaped bytes, end offsets, and whether each was quoted.
    private byte[] fieldBytes = new byte[4096];
    private int fieldLen;
    private int[] fieldEnds = new int[64];
    private boolean[] fieldQuoted = new boolean[64];
    private int fieldCount;
    private String malformed;
    private boolean endedInsideQuotes;

    private long index;
    private boolean done;
    private boolean started;
    /** Names of a snapshot line's fields: from a snapshot header, or {@code csvColumns}; null when unknown. */
    private String[] columns;
    /** Names of a realtime line's triplets: from a realtime header, or the configured order; null when unknown. */
    private String[] triplets;
    /** With a header: whether its lines are realtime (3X+3); without one each line's field count decides. */
    private Boolean realtimeByHeader;
    /** Why no data line can be read (no header and no configured columns): every line becomes a bad record. */
    private String unnamed;

    CsvFileReader(InputBytes in, String source, ReaderOptions opts) {
        this.in = in;
        this.source = source;
        this.opts = opts;
        this.record = new RecordBytes(opts.maxRecordBytes());
        this.delimiter = (byte) opts.csvDelimiter();
        this.quote = (byte) opts.csvQuote();
        this.escape = (byte) opts.csvEscape();
    }

    @Override
    public long recordsRead() {
        return index;
    }

    @Override
    public ReadResult next() throws IOException {
        if (done) {
            return null;
        }
        long start = -1;
        try {
            if (!started) {
                started = true;
                ReadResult first = header();
                if (first != null || done) {
                    return first;
                }
            }
            if (!in.available()) {
                done = true;
                return null;
            }
            start = in.offset();
            scan();
            return data(Origin.fileRecord(source, index++, start));
        } catch (InputBytes.CorruptInputException e) {
            done = true;
            return new BadRecord(Origin.fileRecord(source, index++, start < 0 ? in.offset() : start),
                    e.getMessage(), record.raw());
        }
    }

    /**
     * Reads the first line and decides whether it is the header: always with {@code csvHeader} PRESENT, never with
     * ABSENT, and under AUTO only when it provably is one ({@link #provablyHeader}) — a data row taken for a header
     * would be lost without a trace. Returns the first record's result when the first line is data, {@code null}
     * when it was a header (or the input is empty).
     */
    private ReadResult header() throws IOException {
        if (!in.available()) {
            done = true;
            return null;
        }
        long start = in.offset();
        if (!scan()) {
            done = true;
            return null;
        }
        ReaderOptions.Csv csv = opts.csv();
        ReaderOptions.CsvHeader mode = csv.header();
        String[] names = mode == ReaderOptions.CsvHeader.ABSENT || malformed != null || record.tooLarge() ? null
                : fieldsAsText(false);
        if (mode == ReaderOptions.CsvHeader.PRESENT) {
            String problem = names == null ? (malformed != null ? malformed : "not valid UTF-8 or too large")
                    : headerProblem(names);
            if (problem != null) {
                done = true;
                return new BadRecord(Origin.fileRecord(source, index++, start), "unreadable CSV header (" + problem
                        + "); the file cannot be interpreted without it: fix the file, or set \"csvHeader\": "
                        + "\"absent\" with \"csvColumns\" for " + tableAdvice() + " if its files have no header line",
                        record.raw());
            }
            useHeader(names);
            return null;
        }
        if (names != null && provablyHeader(names)) {
            useHeader(names);
            return null;
        }
        columns = csv.columns() == null ? null : csv.columns().toArray(new String[0]);
        triplets = csv.tripletColumns() == null ? null : csv.tripletColumns().toArray(new String[0]);
        if (columns == null && triplets == null) {
            unnamed = unnamedReason(mode);
        }
        // The line was scanned as a possible header: read it again as data, from the same bytes.
        return data(Origin.fileRecord(source, index++, start));
    }

    private void useHeader(String[] names) {
        realtimeByHeader = isRealtimeHeader(names) && !namesSnapshotColumns(names);
        if (realtimeByHeader) {
            triplets = tripletNames(names);
        } else {
            columns = names;
        }
    }

    /**
     * Whether a first line is a header beyond doubt: unique non-empty names that are the configured columns (any
     * order, as a snapshot header or as a realtime header's triplets), or that include every key column of the table,
     * or that have a realtime header's shape where a data line has its EXISTS flags and opType. A data line cannot do
     * that unless its key fields hold the key columns' own names.
     */
    private boolean provablyHeader(String[] names) {
        if (headerProblem(names) != null) {
            return false;
        }
        if (namesSnapshotColumns(names)) {
            return true;
        }
        if (isRealtimeHeader(names)) {
            String[] t = tripletNames(names);
            return sameNames(t, opts.csv().tripletColumns()) || namesKey(t) || neverData(names);
        }
        return namesKey(names);
    }

    /**
     * Whether a realtime-shaped line could not be a data line: no EXISTS position holds a flag 0-3 and its opType
     * position holds no I, U or D. Such a line read as data would be a bad record anyway.
     */
    private static boolean neverData(String[] names) {
        int x = (names.length - 3) / 3;
        for (int i = 0; i < x; i++) {
            String flag = names[3 * i + 2];
            if (flag.length() == 1 && flag.charAt(0) >= '0' && flag.charAt(0) <= '3') {
                return false;
            }
        }
        String op = names[3 * x];
        return !op.equals("I") && !op.equals("U") && !op.equals("D");
    }

    private boolean namesSnapshotColumns(String[] names) {
        ReaderOptions.Csv csv = opts.csv();
        return sameNames(names, csv.columns()) || sameNames(names, csv.realtimeColumns());
    }

    private static boolean sameNames(String[] names, List<String> configured) {
        return configured != null && names.length == configured.size()
                && new HashSet<>(Arrays.asList(names)).equals(new HashSet<>(configured));
    }

    private boolean namesKey(String[] names) {
        List<String> key = opts.csv().keyColumns();
        return !key.isEmpty() && Arrays.asList(names).containsAll(key);
    }

    private String tableAdvice() {
        String table = opts.csv().table();
        return table != null ? "table '" + table + "' in the table config"
                : "the file's table in the table config (the table whose \"prefixes\" match its key)";
    }

    private String unnamedReason(ReaderOptions.CsvHeader mode) {
        List<String> key = opts.csv().keyColumns();
        String why = mode == ReaderOptions.CsvHeader.ABSENT ? "\"csvHeader\" is \"absent\" and no column names are"
                + " configured"
                : "the file has no header line naming its columns (its first line names " + (key.isEmpty()
                ? "no known column" : "not all of the key columns " + key) + ", so it is data) and no column names"
                + " are configured";
        return "CSV line without column names: " + why + ". Set \"csvColumns\" (the snapshot column order; add"
                + " \"csvRealtimeColumns\" when realtime triplets come in another order) for " + tableAdvice()
                + ", or \"csvHeader\": \"present\" if its files start with a header (Arcion include-header: true)";
    }

    private static String headerProblem(String[] names) {
        for (String n : names) {
            if (n == null || n.isEmpty()) {
                return "an empty column name";
            }
        }
        if (new HashSet<>(Arrays.asList(names)).size() != names.length) {
            return "duplicate column names";
        }
        return null;
    }

    /**
     * A realtime header has 3X+3 names (X ≥ 1) whose triplets name one column each: the three names reduce to the
     * same base once a {@code new}/{@code old}/{@code exists} prefix or suffix is removed (e.g. {@code id_new,
     * id_old, id_exists}); or its first metadata name is {@code opType} (any case, separators ignored).
     */
    static boolean isRealtimeHeader(String[] names) {
        int n = names.length;
        if (n < 6 || n % 3 != 0) {
            return false;
        }
        if (normalized(names[n - 3]).equals("optype")) {
            return true;
        }
        for (int i = 0; i + 3 < n; i += 3) {
            String b = base(names[i]);
            if (names[i].equals(names[i + 1]) || names[i + 1].equals(names[i + 2]) || names[i].equals(names[i + 2])
                    || !b.equals(base(names[i + 1])) || !b.equals(base(names[i + 2]))) {
                return false;
            }
        }
        return true;
    }

    static String[] tripletNames(String[] names) {
        String[] out = new String[(names.length - 3) / 3];
        for (int i = 0; i < out.length; i++) {
            out[i] = base(names[3 * i]);
        }
        return out;
    }

    private static final String[] AFFIXES = {"exists", "exist", "new", "old"};

    /** A triplet name without its {@code new}/{@code old}/{@code exists} prefix or suffix and separator. */
    static String base(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String a : AFFIXES) {
            if (lower.length() > a.length() + 1) {
                if (lower.endsWith(a) && isSeparator(lower.charAt(lower.length() - a.length() - 1))) {
                    return name.substring(0, name.length() - a.length() - 1);
                }
                if (lower.startsWith(a) && isSeparator(lower.charAt(a.length()))) {
                    return name.substring(a.length() + 1);
                }
            }
        }
        return name;
    }

    private static boolean isSeparator(char c) {
        return c == '_' || c == '.' || c == '-' || c == ' ' || c == ':';
    }

    private static String normalized(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                sb.append(Character.toLowerCase(c));
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- one data line

    private ReadResult data(Origin origin) {
        if (record.tooLarge()) {
            return new BadRecord(origin, "record exceeds " + opts.maxRecordBytes() + " bytes (it has "
                    + record.length + "); raise maxRecordBytes if such rows are legitimate", record.raw());
        }
        if (endedInsideQuotes) {
            done = true;
            return new BadRecord(origin, "input ends inside a quoted field (truncated record or unbalanced quote)",
                    record.raw());
        }
        if (malformed != null) {
            return new BadRecord(origin, malformed, record.raw());
        }
        if (unnamed != null) {
            return new BadRecord(origin, unnamed, record.raw());
        }
        int x = columns != null ? columns.length : triplets.length;
        if (fieldCount == 1 && fieldEnds[0] == 0 && !fieldQuoted[0]) {
            return new BadRecord(origin, "empty line (0 bytes): not a record of " + x + " columns", record.raw());
        }
        String[] f = fieldsAsText(true);
        if (f == null) {
            return new BadRecord(origin, malformed, record.raw());
        }
        boolean realtime;
        if (realtimeByHeader != null) {
            int expected = realtimeByHeader ? 3 * x + 3 : x;
            if (f.length != expected) {
                return new BadRecord(origin, "wrong column count: the header has " + expected + " columns, this line"
                        + " has " + f.length, record.raw());
            }
            realtime = realtimeByHeader;
        } else if (f.length == x) {
            realtime = false;
        } else if (f.length == 3 * x + 3) {
            realtime = true;
        } else {
            return new BadRecord(origin, "wrong column count: expected " + x + " (snapshot) or " + (3 * x + 3)
                    + " (realtime) for the " + x + " configured columns, this line has " + f.length, record.raw());
        }
        if (!realtime) {
            if (columns == null) {
                return new BadRecord(origin, "snapshot line of " + x + " fields, but only \"csvRealtimeColumns\" is"
                        + " configured: set \"csvColumns\" (the snapshot column order) for " + tableAdvice(),
                        record.raw());
            }
            Row.Builder row = new Row.Builder();
            for (int i = 0; i < x; i++) {
                row.put(columns[i], f[i]);
            }
            return new ChangeEvent(null, Op.SNAPSHOT_ROW, null, row.build(), Completeness.PARTIAL,
                    Completeness.COMPLETE, -1, null, null, origin);
        }
        return realtime(f, x, origin);
    }

    private ReadResult realtime(String[] f, int x, Origin origin) {
        String letter = f[3 * x];
        Op op;
        if ("I".equals(letter)) {
            op = Op.INSERT;
        } else if ("U".equals(letter)) {
            op = Op.UPDATE;
        } else if ("D".equals(letter)) {
            op = Op.DELETE;
        } else {
            String advice = " (Arcion documents only I, U and D); the record is quarantined, never skipped silently:"
                    + " check the Replicant version and output format";
            return BadRecord.withDetail(origin, "unknown opType" + advice, "unknown opType '" + letter + "'" + advice,
                    record.raw());
        }
        Row.Builder before = new Row.Builder();
        Row.Builder after = new Row.Builder();
        boolean complete = op != Op.DELETE;
        boolean beforeComplete = op != Op.INSERT;
        for (int i = 0; i < x; i++) {
            String flag = f[3 * i + 2];
            int e = flag != null && flag.length() == 1 ? flag.charAt(0) - '0' : -1;
            if (e < 0 || e > 3) {
                return BadRecord.withDetail(origin, "EXISTS flag for column '" + triplets[i]
                        + "' must be 0, 1, 2 or 3", "EXISTS flag '" + flag + "' for column '" + triplets[i]
                        + "' must be 0, 1, 2 or 3", record.raw());
            }
            if ((e & 1) != 0) {
                after.put(triplets[i], f[3 * i]);
            } else {
                complete = false;
            }
            if ((e & 2) != 0) {
                before.put(triplets[i], f[3 * i + 1]);
            } else {
                beforeComplete = false;
            }
        }
        String cursor = f[3 * x + 1];
        Row b = op == Op.INSERT ? null : before.build();
        Row a = op == Op.DELETE ? null : after.build();
        if (op == Op.DELETE && b.isEmpty()) {
            return new BadRecord(origin, "opType D with no column in the old image (EXISTS 2 or 3): no key to delete",
                    record.raw());
        }
        return new ChangeEvent(null, op, b, a, beforeComplete ? Completeness.COMPLETE : Completeness.PARTIAL,
                complete ? Completeness.COMPLETE : Completeness.PARTIAL,
                JsonRecordDecoder.timestampInCursorText(cursor), cursor, null, origin);
    }

    /**
     * The fields as text, with the unquoted null marker as {@code null} when {@code nulls} (data lines; a header's
     * names are always text). Returns null, with {@link #malformed} set, on invalid UTF-8.
     */
    private String[] fieldsAsText(boolean nulls) {
        String[] out = new String[fieldCount];
        byte[] marker = opts.nullMarker().getBytes(StandardCharsets.UTF_8);
        int from = 0;
        for (int i = 0; i < fieldCount; i++) {
            int to = fieldEnds[i];
            if (nulls && !fieldQuoted[i] && to - from == marker.length
                    && Arrays.equals(fieldBytes, from, to, marker, 0, marker.length)) {
                out[i] = null;
            } else {
                boolean ascii = true;
                for (int k = from; k < to; k++) {
                    if (fieldBytes[k] < 0) {
                        ascii = false;
                        break;
                    }
                }
                if (ascii) {
                    out[i] = new String(fieldBytes, from, to - from, StandardCharsets.ISO_8859_1);
                } else {
                    try {
                        out[i] = utf8.decode(ByteBuffer.wrap(fieldBytes, from, to - from)).toString();
                    } catch (CharacterCodingException e) {
                        malformed = "field " + (i + 1) + " is not valid UTF-8 (" + e + ")";
                        return null;
                    }
                }
            }
            from = to;
        }
        return out;
    }

    // ---------------------------------------------------------------- the scanner

    /**
     * Scans one record (up to an unquoted line break or the end of the input) into the field arrays. Returns
     * false when the input has no more bytes.
     */
    private boolean scan() throws IOException {
        record.reset();
        fieldLen = 0;
        fieldCount = 0;
        malformed = null;
        endedInsideQuotes = false;
        if (!in.available()) {
            return false;
        }
        State s = State.START;
        boolean quotedField = false;
        while (in.available()) {
            byte[] b = in.buf;
            int from = in.pos;
            int lim = in.lim;
            boolean store = !record.tooLarge();
            for (int p = from; p < lim; p++) {
                byte c = b[p];
                switch (s) {
                    case START, UNQUOTED -> {
                        if (c == delimiter) {
                            endField(quotedField);
                            quotedField = false;
                            s = State.START;
                        } else if (c == '\n') {
                            if (fieldLen > fieldStart() && fieldBytes[fieldLen - 1] == '\r') {
                                fieldLen--;
                            }
                            endField(quotedField);
                            record.append(b, from, p);
                            in.pos = p + 1;
                            return true;
                        } else if (c == quote && s == State.START) {
                            s = State.QUOTED;
                            quotedField = true;
                        } else {
                            if (store) {
                                put(c);
                            }
                            s = State.UNQUOTED;
                        }
                    }
                    case QUOTED -> {
                        if (c == escape && escape != quote) {
                            s = State.ESCAPE;
                        } else if (c == quote) {
                            s = State.AFTER_QUOTE;
                        } else if (store) {
                            put(c);
                        }
                    }
                    case ESCAPE -> {
                        if (store) {
                            // The escape escapes a quote or itself; before anything else it is an ordinary character
                            // (a Windows path keeps its backslashes).
                            if (c != quote && c != escape) {
                                put(escape);
                            }
                            put(c);
                        }
                        s = State.QUOTED;
                    }
                    case AFTER_QUOTE -> {
                        // A doubled quote is one quote even when another escape is configured: Arcion's own samples
                        // double the quotes of the cursor column (arcion-internal-cdc-format.md), its applier sample
                        // sets escape to a backslash (amazon-s3.md).
                        if (c == quote) {
                            if (store) {
                                put(c);
                            }
                            s = State.QUOTED;
                        } else if (c == delimiter) {
                            endField(quotedField);
                            quotedField = false;
                            s = State.START;
                        } else if (c == '\n') {
                            endField(quotedField);
                            record.append(b, from, p);
                            in.pos = p + 1;
                            return true;
                        } else if (c != '\r') {
                            if (malformed == null) {
                                malformed = "unexpected character '" + (char) (c & 0xff) + "' after the closing quote"
                                        + " of field " + (fieldCount + 1) + " (quote inside a quoted field must be"
                                        + " escaped)";
                            }
                            s = State.UNQUOTED;
                        }
                    }
                    default -> throw new IllegalStateException(s.name());
                }
            }
            record.append(b, from, lim);
            in.pos = lim;
        }
        if (s == State.QUOTED || s == State.ESCAPE) {
            endedInsideQuotes = true;
        }
        if (fieldLen > fieldStart() && fieldBytes[fieldLen - 1] == '\r' && s == State.UNQUOTED) {
            fieldLen--;
        }
        endField(quotedField);
        return true;
    }

    private int fieldStart() {
        return fieldCount == 0 ? 0 : fieldEnds[fieldCount - 1];
    }

    private void put(byte c) {
        if (fieldLen == fieldBytes.length) {
            fieldBytes = Arrays.copyOf(fieldBytes, fieldLen * 2);
        }
        fieldBytes[fieldLen++] = c;
    }

    private void endField(boolean quoted) {
        if (fieldCount == fieldEnds.length) {
            fieldEnds = Arrays.copyOf(fieldEnds, fieldCount * 2);
            fieldQuoted = Arrays.copyOf(fieldQuoted, fieldCount * 2);
        }
        fieldEnds[fieldCount] = fieldLen;
        fieldQuoted[fieldCount++] = quoted;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
