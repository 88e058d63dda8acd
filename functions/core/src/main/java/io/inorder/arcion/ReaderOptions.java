package io.inorder.arcion;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * How to read one input. Immutable; start from {@link #defaults()} and change what differs with the withers.
 *
 * @param format         the input format, or {@link ArcionFormat#AUTO} to decide from the content
 * @param csv            how CSV input is laid out (ignored for JSON)
 * @param maxRecordBytes the largest record accepted, in (decompressed) input bytes; a larger one becomes a
 *                       {@link BadRecord} and reading goes on after it
 */
public record ReaderOptions(ArcionFormat format, Csv csv, int maxRecordBytes) {

    /** 16 MiB: above Arcion's largest documented row sizes, small enough for a 128 MB Lambda to hold twice. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

    /** Whether a CSV input starts with a header line (Arcion applier {@code include-header}, default false). */
    public enum CsvHeader {
        /**
         * The first line is a header only when it provably is one: it names the configured columns (in any order), or
         * every key column. Otherwise it is data, like every other line.
         */
        AUTO,
        /** The first line is a header ({@code include-header: true}); it wins over the configured columns. */
        PRESENT,
        /** No header ({@code include-header: false}); the configured columns name the fields. */
        ABSENT
    }

    /**
     * Arcion CSV layout (arcion-cdc-formats.md §4.1; applier settings {@code delimiter}, {@code quote},
     * {@code escape}, {@code include-header}). Column lists matter only for files without a header line.
     *
     * @param columns         the names of a snapshot line's X fields, in file order, or {@code null}
     * @param realtimeColumns the names of a realtime line's X triplets, in file order, or {@code null} for the same
     *                        order as {@code columns}: Arcion's samples list snapshot columns in table order and
     *                        realtime triplets in another
     * @param keyColumns      the table's key columns: a first line naming all of them is a header (AUTO); empty when
     *                        unknown
     * @param table           the source table, named in refusals so they say where to configure; {@code null} when
     *                        unknown
     * @param delimiter       the field separator, ASCII
     * @param quote           the quote character, ASCII
     * @param escape          the character that escapes a quote (or itself) inside a quoted field; equal to
     *                        {@code quote} means RFC 4180 doubling. A doubled quote is read as one quote either way.
     * @param header          whether the first line is a header
     * @param nullMarker      the unquoted field text that means SQL NULL (Arcion writes {@code NULL})
     */
    public record Csv(List<String> columns, List<String> realtimeColumns, List<String> keyColumns, String table,
                      char delimiter, char quote, char escape, CsvHeader header, String nullMarker) {

        public Csv {
            columns = names("csvColumns", columns);
            realtimeColumns = names("csvRealtimeColumns", realtimeColumns);
            if (columns != null && realtimeColumns != null
                    && !new HashSet<>(columns).equals(new HashSet<>(realtimeColumns))) {
                throw new IllegalArgumentException("csvColumns " + columns + " and csvRealtimeColumns "
                        + realtimeColumns + " must name the same columns (they only order them differently)");
            }
            keyColumns = keyColumns == null ? List.of() : List.copyOf(keyColumns);
            Objects.requireNonNull(header, "header");
            Objects.requireNonNull(nullMarker, "nullMarker (use \"\" to read empty unquoted CSV fields as NULL)");
            requireCsvChar("csvDelimiter", delimiter);
            requireCsvChar("csvQuote", quote);
            requireCsvChar("csvEscape", escape);
            if (delimiter == quote || delimiter == escape) {
                throw new IllegalArgumentException("csvDelimiter '" + delimiter + "' must differ from csvQuote and"
                        + " csvEscape");
            }
        }

        private static List<String> names(String field, List<String> names) {
            if (names == null) {
                return null;
            }
            List<String> copy = List.copyOf(names);
            if (copy.isEmpty()) {
                throw new IllegalArgumentException(field + " is empty; give the table's column names or null");
            }
            if (new HashSet<>(copy).size() != copy.size()) {
                throw new IllegalArgumentException(field + " has duplicate names: " + copy);
            }
            return copy;
        }

        private static void requireCsvChar(String name, char c) {
            if (c >= 0x80 || c == '\n' || c == '\r') {
                throw new IllegalArgumentException(name + " must be one ASCII character other than CR or LF, got U+"
                        + String.format("%04X", (int) c));
            }
        }

        /** The triplet order of realtime lines: {@link #realtimeColumns}, else {@link #columns}; may be null. */
        public List<String> tripletColumns() {
            return realtimeColumns != null ? realtimeColumns : columns;
        }
    }

    public ReaderOptions {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(csv, "csv");
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
        }
    }

    /** AUTO format; CSV with comma, double quote escaped by doubling, header AUTO, {@code NULL}; 16 MiB records. */
    public static ReaderOptions defaults() {
        return new ReaderOptions(ArcionFormat.AUTO,
                new Csv(null, null, List.of(), null, ',', '"', '"', CsvHeader.AUTO, "NULL"),
                DEFAULT_MAX_RECORD_BYTES);
    }

    public List<String> csvColumns() {
        return csv.columns();
    }

    public char csvDelimiter() {
        return csv.delimiter();
    }

    public char csvQuote() {
        return csv.quote();
    }

    public char csvEscape() {
        return csv.escape();
    }

    public CsvHeader csvHeader() {
        return csv.header();
    }

    public String nullMarker() {
        return csv.nullMarker();
    }

    public ReaderOptions withFormat(ArcionFormat f) {
        return new ReaderOptions(f, csv, maxRecordBytes);
    }

    public ReaderOptions withCsv(Csv c) {
        return new ReaderOptions(format, c, maxRecordBytes);
    }

    public ReaderOptions withCsvColumns(List<String> columns) {
        return withCsv(new Csv(columns, csv.realtimeColumns(), csv.keyColumns(), csv.table(), csv.delimiter(),
                csv.quote(), csv.escape(), csv.header(), csv.nullMarker()));
    }

    public ReaderOptions withCsvRealtimeColumns(List<String> columns) {
        return withCsv(new Csv(csv.columns(), columns, csv.keyColumns(), csv.table(), csv.delimiter(), csv.quote(),
                csv.escape(), csv.header(), csv.nullMarker()));
    }

    /** The table the CSV input belongs to and its key columns (header recognition, and advice in refusals). */
    public ReaderOptions withCsvTable(String table, List<String> keyColumns) {
        return withCsv(new Csv(csv.columns(), csv.realtimeColumns(), keyColumns, table, csv.delimiter(), csv.quote(),
                csv.escape(), csv.header(), csv.nullMarker()));
    }

    public ReaderOptions withCsvDelimiter(char c) {
        return withCsv(new Csv(csv.columns(), csv.realtimeColumns(), csv.keyColumns(), csv.table(), c, csv.quote(),
                csv.escape(), csv.header(), csv.nullMarker()));
    }

    /** Changes the quote; an escape that was "doubled quote" stays "doubled quote" with the new quote. */
    public ReaderOptions withCsvQuote(char c) {
        char escape = csv.escape() == csv.quote() ? c : csv.escape();
        return withCsv(new Csv(csv.columns(), csv.realtimeColumns(), csv.keyColumns(), csv.table(), csv.delimiter(),
                c, escape, csv.header(), csv.nullMarker()));
    }

    public ReaderOptions withCsvEscape(char c) {
        return withCsv(new Csv(csv.columns(), csv.realtimeColumns(), csv.keyColumns(), csv.table(), csv.delimiter(),
                csv.quote(), c, csv.header(), csv.nullMarker()));
    }

    public ReaderOptions withCsvHeader(CsvHeader h) {
        return withCsv(new Csv(csv.columns(), csv.realtimeColumns(), csv.keyColumns(), csv.table(), csv.delimiter(),
                csv.quote(), csv.escape(), h, csv.nullMarker()));
    }

    public ReaderOptions withNullMarker(String marker) {
        return withCsv(new Csv(csv.columns(), csv.realtimeColumns(), csv.keyColumns(), csv.table(), csv.delimiter(),
                csv.quote(), csv.escape(), csv.header(), marker));
    }

    public ReaderOptions withMaxRecordBytes(int max) {
        return new ReaderOptions(format, csv, max);
    }
}
