package io.inorder.local.workload;

import java.util.Map;

/**
 * One logical source change of a workload, for debugging a mismatch: what it did, to which row, and where it was
 * written. Immutable.
 *
 * @param index      the change's place in the whole workload (0-based, generation order)
 * @param table      the source table
 * @param kind       what the change did and how its images were written
 * @param id         the document {@code _id} of the row after the change (before it, for a delete)
 * @param previousId the {@code _id} before a key change, else {@code null}
 * @param values     the columns the change wrote (all of them for inserts, snapshot rows and full images; the
 *                   changed ones for partial images; none for deletes), SQL NULL as {@code null}; unmodifiable
 * @param fileKey    the S3 key of the file holding the record
 * @param record     the record's index in that file (0-based; a CSV header is not a record)
 */
public record Change(long index, String table, Kind kind, String id, String previousId, Map<String, String> values,
                     String fileKey, int record) {

    /** What a change did, and how its images were written. */
    public enum Kind {
        /** A snapshot row (initial load). */
        SNAPSHOT,
        /** {@code I}: a new row, every column in the new image. */
        INSERT,
        /** {@code I} re-sending a live row's current image (a full-mode replay): applying it changes nothing. */
        REPLAY,
        /** {@code U} with full images ({@code exists} 3 everywhere). */
        UPDATE_FULL,
        /** {@code U} with Arcion's default images: key in the old image, changed columns in the new. */
        UPDATE_PARTIAL,
        /** {@code U} that changes the primary key, with full images. */
        KEY_CHANGE,
        /** {@code D} with only the key columns in the old image. */
        DELETE_KEY_ONLY,
        /** {@code D} with the full old image. */
        DELETE_FULL;

        /** How many Write API operations the change maps to (a key change is a delete plus an upsert). */
        public int operations() {
            return this == KEY_CHANGE ? 2 : 1;
        }
    }
}
