package io.inorder.local.workload;

/**
 * A record the generator wrote malformed on purpose ({@link WorkloadSpec#badRecordShare()}): the readers must yield a
 * {@code BadRecord} at exactly this place, the pipeline must quarantine it, and no row changes. Immutable.
 *
 * @param fileKey the S3 key of the file holding it
 * @param record  its index in the file (0-based; a CSV header is not a record)
 * @param what    what is wrong with it, for messages
 */
public record MalformedRecord(String fileKey, int record, String what) {

    /** {@code key#index}, as {@code Origin.describe()} starts for a file record. */
    public String origin() {
        return fileKey + "#" + record;
    }
}
