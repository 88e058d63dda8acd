package io.inorder.arcion;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
 * {@code BadRecord} too. The header, when there is one, is not a record: record 0 is the first data line.
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
    /** Column names: from the header, or {@code csvColumns}. */
    private String[] columns;
    /** With a header: whether its lines are realtime (3X+3); without one each line's field count decides. */
    private Boolean realtimeByHeader;

    CsvFileReader(InputBytes in, String source, ReaderOptions opts) {
        this.in = in;
        this.source = source;
        this.opts = opts;
        this.record = new RecordBytes(opts.maxRecordBytes());
        this.delimiter = (byte) opts.csvDelimiter();
        this.quote = (byte) opts.csvQuote();
        this.escape = (byte) opts.csvEscape();
        if (opts.csvHeader() == ReaderOptions.CsvHeader.ABSENT && opts.csvColumns() == null) {
            throw new IllegalArgumentException("CSV input '" + source + "' has no header (csvHeader ABSENT) and no"
                    + " csvColumns: give the table's column names so its lines can be read");
        }
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
     * Reads the first line and decides whether it is the header. Returns the first record's result when the first
     * line is data, {@code null} when it was a header (or the input is empty).
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
        ReaderOptions.CsvHeader mode = opts.csvHeader();
        List<String> known = opts.csvColumns();
        if (mode == ReaderOptions.CsvHeader.ABSENT) {
            columns = known.toArray(new String[0]);
            return data(Origin.fileRecord(source, index++, start));
        }
        String[] names = malformed == null && !record.tooLarge() ? fieldsAsText(false) : null;
        if (mode == ReaderOptions.CsvHeader.AUTO && known != null
                && (names == null || !describesColumns(names, known))) {
            columns = known.toArray(new String[0]);
            return data(Origin.fileRecord(source, index++, start));
        }
        String problem = names == null ? (malformed != null ? malformed : "not valid UTF-8 or too large")
                : headerProblem(names);
        if (problem != null) {
            done = true;
            return new BadRecord(Origin.fileRecord(source, index++, start), "unreadable CSV header (" + problem
                    + "); the file cannot be interpreted without it: fix the file or read it with csvHeader ABSENT"
                    + " and csvColumns", record.raw());
        }
        realtimeByHeader = isRealtimeHeader(names);
        columns = realtimeByHeader ? tripletNames(names) : names;
        return null;
    }

    private static String headerProblem(String[] names) {
        for (String n : names) {
            if (n == null || n.isEmpty()) {
                return "an empty column name";
            }
        }
        if (new java.util.HashSet<>(Arrays.asList(names)).size() != names.length) {
            return "duplicate column names";
        }
        return null;
    }

    /** Whether a first line names exactly the known columns, as a snapshot or a realtime header. */
    private static boolean describesColumns(String[] names, List<String> known) {
        if (Arrays.asList(names).equals(known)) {
            return true;
        }
        return isRealtimeHeader(names) && Arrays.asList(tripletNames(names)).equals(known);
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
        if (fieldCount == 1 && fieldEnds[0] == 0 && !fieldQuoted[0]) {
            return new BadRecord(origin, "empty line (0 bytes): not a record of " + columns.length + " columns",
                    record.raw());
        }
        String[] f = fieldsAsText(true);
        if (f == null) {
            return new BadRecord(origin, malformed, record.raw());
        }
        int x = columns.length;
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
            Row.Builder row = new Row.Builder();
            for (int i = 0; i < x; i++) {
                row.put(columns[i], f[i]);
            }
            return new ChangeEvent(null, Op.SNAPSHOT_ROW, null, row.build(), true, -1, null, null, origin);
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
            return new BadRecord(origin, "unknown opType '" + letter + "' (Arcion documents only I, U and D); the"
                    + " record is quarantined, never skipped silently: check the Replicant version and output format",
                    record.raw());
        }
        Row.Builder before = new Row.Builder();
        Row.Builder after = new Row.Builder();
        boolean complete = op != Op.DELETE;
        for (int i = 0; i < x; i++) {
            String flag = f[3 * i + 2];
            int e = flag != null && flag.length() == 1 ? flag.charAt(0) - '0' : -1;
            if (e < 0 || e > 3) {
                return new BadRecord(origin, "EXISTS flag '" + flag + "' for column '" + columns[i]
                        + "' must be 0, 1, 2 or 3", record.raw());
            }
            if ((e & 1) != 0) {
                after.put(columns[i], f[3 * i]);
            } else {
                complete = false;
            }
            if ((e & 2) != 0) {
                before.put(columns[i], f[3 * i + 1]);
            }
        }
        String cursor = f[3 * x + 1];
        Row b = op == Op.INSERT ? null : before.build();
        Row a = op == Op.DELETE ? null : after.build();
        if (op == Op.DELETE && b.isEmpty()) {
            return new BadRecord(origin, "opType D with no column in the old image (EXISTS 2 or 3): no key to delete",
                    record.raw());
        }
        return new ChangeEvent(null, op, b, a, complete, JsonRecordDecoder.timestampInCursorText(cursor), cursor,
                null, origin);
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
                            put(c);
                        }
                        s = State.QUOTED;
                    }
                    case AFTER_QUOTE -> {
                        if (c == quote && escape == quote) {
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
