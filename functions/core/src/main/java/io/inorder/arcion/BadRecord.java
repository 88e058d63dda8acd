package io.inorder.arcion;

import java.util.Arrays;
import java.util.Objects;

/**
 * An input record that cannot be applied: malformed, unmappable, or rejected by the Write API. It is never dropped
 * silently; the pipeline quarantines it with its origin, its raw bytes (as far as they could be isolated) and the
 * reason, and counts it.
 *
 * <p>It carries the reason twice: {@link #reason} in full, for the quarantine (it may quote column values, keys,
 * {@code _id}s, parser excerpts or the Write API's message about the document), and {@link #summary}, which says what
 * is wrong and where (origin, table, column name) without any of those, for logs and exception messages: row data
 * stays out of logs unless {@code LOG_ROW_DATA} lets it in (architecture §3, Observability).
 *
 * @param reason  the full detail, as the quarantine keeps it
 * @param raw     the record's bytes as far as they could be isolated (empty when none)
 * @param summary the same reason without row data; equal to {@code reason} when that holds none
 */
public record BadRecord(Origin origin, String reason, byte[] raw, String summary) implements ReadResult {

    private static final byte[] NONE = new byte[0];

    public BadRecord {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(reason, "reason");
        raw = raw == null ? NONE : raw;
        summary = summary == null ? reason : summary;
    }

    /** A bad record whose reason holds no row data (it names only columns, tables, counts and limits). */
    public BadRecord(Origin origin, String reason, byte[] raw) {
        this(origin, reason, raw, reason);
    }

    /** A bad record without bytes whose reason holds no row data. */
    public BadRecord(Origin origin, String reason) {
        this(origin, reason, NONE, reason);
    }

    /** A bad record whose full reason quotes row data: {@code summary} says the same without it. */
    public static BadRecord withDetail(Origin origin, String summary, String detail, byte[] raw) {
        return new BadRecord(origin, detail, raw, Objects.requireNonNull(summary, "summary"));
    }

    /** The same record with another origin (a replayed or re-read record keeps its original place). */
    public BadRecord at(Origin other) {
        return new BadRecord(other, reason, raw, summary);
    }

    /** What a log line or an exception message may say: the summary, or the full reason when row data may be logged. */
    public String loggable(boolean rowData) {
        return rowData ? reason : summary;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BadRecord b && origin.equals(b.origin) && reason.equals(b.reason)
                && summary.equals(b.summary) && Arrays.equals(raw, b.raw);
    }

    @Override
    public int hashCode() {
        return Objects.hash(origin, reason, summary, Arrays.hashCode(raw));
    }

    /** The summary only: a bad record printed by accident must not leak row data. */
    @Override
    public String toString() {
        return "BadRecord[" + origin.describe() + ": " + summary + "]";
    }
}
