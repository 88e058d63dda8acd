package io.inorder.mapping;

import java.util.Locale;

/**
 * A column type hint. Arcion writes most values as text ({@code "7"} for an int column); a hint converts them so
 * the collection holds real numbers, booleans or nested JSON. Columns without a hint are written as they arrive.
 */
public enum ColumnType {
    /** Text as is; a non-text JSON value becomes its JSON text. */
    STRING,
    /** An integer or decimal number, written exactly as the source wrote it (no binary floating point). */
    NUMBER,
    /** {@code true}/{@code false} (also {@code 1}/{@code 0}, {@code t}/{@code f}, case-insensitive). */
    BOOLEAN,
    /** Text holding JSON (a JSON column), parsed into a nested value. */
    JSON;

    static ColumnType parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown type '" + text + "'; expected string, number, boolean or json");
        }
    }
}
