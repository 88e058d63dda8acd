package io.inorder.arcion;

/** What a source change did to its row. */
public enum Op {
    /** A row inserted ({@code opType I}, JSON CDC {@code c}). */
    INSERT,
    /** A row updated ({@code U}, {@code u}); its images may be partial (see {@link ChangeEvent#afterCompleteness()}). */
    UPDATE,
    /** A row deleted ({@code D}, {@code d}); only {@code before} is set, often with the key columns only. */
    DELETE,
    /** A row from an initial snapshot (flat rows, CSV snapshot lines, JSON CDC {@code r}); applied as an upsert. */
    SNAPSHOT_ROW,
    /** A Kafka tombstone (null value after a delete): carries nothing to apply. */
    TOMBSTONE
}
