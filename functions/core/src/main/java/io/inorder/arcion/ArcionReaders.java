package io.inorder.arcion;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Opens readers over Arcion output: whole inputs (S3 objects, local files) as a stream of records, and single Kafka
 * values. Format rules: arcion-cdc-formats.md §2–5; what each shape becomes is described on {@link ChangeEvent} and
 * in the README ("Input formats").
 */
public final class ArcionReaders {

    private ArcionReaders() {
    }

    /**
     * A reader over one input. Gzip is detected by its magic bytes. Under {@link ArcionFormat#AUTO} a first
     * significant byte <code>{</code> means JSON (each object's shape then decides NATIVE, S3 JSON, JSON CDC or flat
     * row), anything else CSV. Records are numbered from 0 in {@link Origin}s named {@code sourceName}; the
     * reader owns {@code in} and closes it.
     *
     * @throws IOException when {@code in} cannot be read (not when its content is bad: that yields
     *                     {@link BadRecord}s)
     * @throws IllegalArgumentException when the options cannot read this input (CSV without header and columns)
     */
    public static ArcionReader open(InputStream in, String sourceName, ReaderOptions opts) throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(opts, "opts");
        InputBytes bytes = new InputBytes(in);
        ArcionFormat format = opts.format();
        boolean csv;
        try {
            bytes.skipByteOrderMark();
            if (format == ArcionFormat.AUTO) {
                int first = bytes.firstSignificantByte();
                csv = first >= 0 && first != '{';
            } else {
                csv = format == ArcionFormat.CSV;
            }
        } catch (InputBytes.CorruptInputException e) {
            return failed(bytes, Origin.fileRecord(sourceName, 0, 0), e.getMessage());
        }
        return csv ? new CsvFileReader(bytes, sourceName, opts)
                : new JsonFileReader(bytes, sourceName, format, opts.maxRecordBytes());
    }

    /**
     * Reads one Kafka record's value (NATIVE or JSON CDC; Kafka's own compression is already undone by the
     * consumer). A {@code null} value is a tombstone ({@link Op#TOMBSTONE}), and so is the value {@code "default"}
     * older Replicant builds write instead; a 0-byte value is a {@link BadRecord}.
     * {@code key} is the message key as sent (JSON CDC: {@code schema}+{@code payload}, or bare), or {@code null};
     * its payload becomes {@link ChangeEvent#messageKey()}.
     */
    public static ReadResult readKafkaValue(byte[] key, byte[] value, Origin origin, ReaderOptions opts) {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(opts, "opts");
        if (opts.format() == ArcionFormat.CSV) {
            throw new IllegalArgumentException("Kafka values are JSON (NATIVE or JSON CDC); format csv cannot read"
                    + " them: use auto, native, native-snapshot or json-cdc");
        }
        JsonNode messageKey = null;
        if (key != null && key.length > 0 && !isDefaultText(key)) {
            try {
                JsonNode k = JsonRecordDecoder.MAPPER.readTree(key);
                messageKey = k != null && k.isObject() && k.has("payload") ? k.get("payload") : k;
            } catch (IOException e) {
                return BadRecord.withDetail(origin, "message key is not JSON", "message key is not JSON: "
                        + e.getMessage(), key);
            }
        }
        if (value == null || isDefaultText(value)) {
            return JsonRecordDecoder.tombstone(messageKey, origin);
        }
        if (value.length == 0) {
            return new BadRecord(origin, "empty Kafka value (0 bytes): neither a tombstone (null value) nor a JSON"
                    + " record");
        }
        if (value.length > opts.maxRecordBytes()) {
            return new BadRecord(origin, "record exceeds " + opts.maxRecordBytes() + " bytes (it has " + value.length
                    + "); raise maxRecordBytes if such rows are legitimate",
                    java.util.Arrays.copyOf(value, RecordBytes.RAW_CAP));
        }
        return new JsonRecordDecoder(opts.format()).decode(value, 0, value.length, origin, messageKey);
    }

    /**
     * Whether Kafka key or value bytes are Replicant's placeholder {@code "default"} (as a JSON string, or bare): the
     * tombstone value, and the key of a row without a key, in the JSON CDC page until April 2023 and in the Redis
     * Streams page still (json-cdc-format.md before 6307bf5, redis-streams.md "DML message structure").
     */
    private static boolean isDefaultText(byte[] b) {
        int from = 0;
        int to = b.length;
        while (from < to && b[from] <= ' ' && b[from] >= 0) {
            from++;
        }
        while (to > from && b[to - 1] <= ' ' && b[to - 1] >= 0) {
            to--;
        }
        if (to - from == 9 && b[from] == '"' && b[to - 1] == '"') {
            from++;
            to--;
        }
        return to - from == 7 && new String(b, from, 7, java.nio.charset.StandardCharsets.US_ASCII)
                .equals(JsonRecordDecoder.TOMBSTONE_TEXT);
    }

    /** A reader whose only record says why the input cannot be read. */
    private static ArcionReader failed(InputBytes bytes, Origin origin, String reason) {
        return new ArcionReader() {
            private boolean given;

            @Override
            public ReadResult next() {
                if (given) {
                    return null;
                }
                given = true;
                return new BadRecord(origin, reason);
            }

            @Override
            public long recordsRead() {
                return given ? 1 : 0;
            }

            @Override
            public void close() throws IOException {
                bytes.close();
            }
        };
    }
}
