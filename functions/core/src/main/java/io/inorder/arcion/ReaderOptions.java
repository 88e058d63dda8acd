package io.inorder.arcion;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * How to read one input. Immutable; start from {@link #defaults()} and change what differs with the withers.
 *
 * @param format         the input format, or {@link ArcionFormat#AUTO} to decide from the content
 * @param csvColumns     the table's column names for CSV files without a header (X names), or {@code null}
 * @param csvDelimiter   the CSV field separator (Arcion applier {@code delimiter}), ASCII
 * @param csvQuote       the CSV quote character (Arcion applier {@code quote}), ASCII
 * @param csvEscape      the character that escapes a quote inside a quoted field; equal to {@code csvQuote} means
 *                       doubled quotes ({@code ""}), as RFC 4180
 * @param csvHeader      whether the first CSV line is a header
 * @param nullMarker     the unquoted CSV field text that means SQL NULL (Arcion writes {@code NULL})
 * @param maxRecordBytes the largest record accepted, in (decompressed) input bytes; a larger one becomes a
 *                       {@link BadRecord} and reading goes on after it
 */
public record ReaderOptions(
        ArcionFormat format,
        List<String> csvColumns,
        char csvDelimiter,
        char csvQuote,
        char csvEscape,
        CsvHeader csvHeader,
        String nullMarker,
        int maxRecordBytes) {

    /** 16 MiB: above Arcion's largest documented row sizes, small enough for a 128 MB Lambda to hold twice. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

    /** Whether a CSV input starts with a header line (Arcion applier {@code include-header}). */
    public enum CsvHeader {
        /**
         * Without {@code csvColumns}: the first line is a header (the only way to name the columns). With
         * {@code csvColumns}: the first line is a header when its names are those columns, either as a snapshot
         * header (X names) or as a realtime header whose triplets carry those names.
         */
        AUTO,
        /** The first line is a header; it wins over {@code csvColumns}. */
        PRESENT,
        /** No header; {@code csvColumns} names the columns and is required. */
        ABSENT
    }

    public ReaderOptions {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(csvHeader, "csvHeader");
        Objects.requireNonNull(nullMarker, "nullMarker (use \"\" to read empty unquoted CSV fields as NULL)");
        if (csvColumns != null) {
            csvColumns = List.copyOf(csvColumns);
            if (csvColumns.isEmpty()) {
                throw new IllegalArgumentException("csvColumns is empty; give the table's column names or null");
            }
            if (new HashSet<>(csvColumns).size() != csvColumns.size()) {
                throw new IllegalArgumentException("csvColumns has duplicate names: " + csvColumns);
            }
        }
        requireCsvChar("csvDelimiter", csvDelimiter);
        requireCsvChar("csvQuote", csvQuote);
        requireCsvChar("csvEscape", csvEscape);
        if (csvDelimiter == csvQuote || csvDelimiter == csvEscape) {
            throw new IllegalArgumentException("csvDelimiter '" + csvDelimiter
                    + "' must differ from csvQuote and csvEscape");
        }
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
        }
    }

    private static void requireCsvChar(String name, char c) {
        if (c >= 0x80 || c == '\n' || c == '\r') {
            throw new IllegalArgumentException(name + " must be one ASCII character other than CR or LF, got U+"
                    + String.format("%04X", (int) c));
        }
    }

    /** AUTO format, comma, double quote escaped by doubling, header AUTO, {@code NULL}, 16 MiB records. */
    public static ReaderOptions defaults() {
        return new ReaderOptions(ArcionFormat.AUTO, null, ',', '"', '"', CsvHeader.AUTO, "NULL",
                DEFAULT_MAX_RECORD_BYTES);
    }

    public ReaderOptions withFormat(ArcionFormat f) {
        return new ReaderOptions(f, csvColumns, csvDelimiter, csvQuote, csvEscape, csvHeader, nullMarker,
                maxRecordBytes);
    }

    public ReaderOptions withCsvColumns(List<String> columns) {
        return new ReaderOptions(format, columns, csvDelimiter, csvQuote, csvEscape, csvHeader, nullMarker,
                maxRecordBytes);
    }

    public ReaderOptions withCsvDelimiter(char c) {
        return new ReaderOptions(format, csvColumns, c, csvQuote, csvEscape, csvHeader, nullMarker, maxRecordBytes);
    }

    /** Changes the quote; an escape that was "doubled quote" stays "doubled quote" with the new quote. */
    public ReaderOptions withCsvQuote(char c) {
        char escape = csvEscape == csvQuote ? c : csvEscape;
        return new ReaderOptions(format, csvColumns, csvDelimiter, c, escape, csvHeader, nullMarker, maxRecordBytes);
    }

    public ReaderOptions withCsvEscape(char c) {
        return new ReaderOptions(format, csvColumns, csvDelimiter, csvQuote, c, csvHeader, nullMarker,
                maxRecordBytes);
    }

    public ReaderOptions withCsvHeader(CsvHeader h) {
        return new ReaderOptions(format, csvColumns, csvDelimiter, csvQuote, csvEscape, h, nullMarker,
                maxRecordBytes);
    }

    public ReaderOptions withNullMarker(String marker) {
        return new ReaderOptions(format, csvColumns, csvDelimiter, csvQuote, csvEscape, csvHeader, marker,
                maxRecordBytes);
    }

    public ReaderOptions withMaxRecordBytes(int max) {
        return new ReaderOptions(format, csvColumns, csvDelimiter, csvQuote, csvEscape, csvHeader, nullMarker, max);
    }
}
