package io.inorder.arcion;

import java.util.Locale;

/** The Arcion output formats the readers understand (reference: arcion-cdc-formats.md §1–4). */
public enum ArcionFormat {
    /** Decide from the content: CSV or JSON by the first byte, then per JSON record by its shape. */
    AUTO,
    /** Kafka NATIVE: realtime envelopes with the cursor as an object, or flat snapshot rows. */
    NATIVE,
    /** NATIVE snapshot only: every JSON object is a flat row, even one with an {@code opType} column. */
    NATIVE_SNAPSHOT,
    /** Arcion internal S3 JSON: cursor and operationcount as JSON strings, string values, {@code exists} map. */
    S3_JSON,
    /** Debezium-style JSON CDC: {@code schema}/{@code payload} key and value, {@code op} r/c/u/d. */
    JSON_CDC,
    /** Arcion internal CSV, snapshot (X columns) or realtime (3X+3 columns), header-driven when a header exists. */
    CSV;

    /** Parses a command-line or configuration value such as {@code auto}, {@code s3-json}, {@code json_cdc}. */
    public static ArcionFormat parse(String text) {
        String norm = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (ArcionFormat f : values()) {
            if (f.name().equals(norm)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + text + "'; expected one of "
                + "auto, native, native-snapshot, s3-json, json-cdc, csv");
    }

    /** The spelling used on the command line and in configuration. */
    public String spelling() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
