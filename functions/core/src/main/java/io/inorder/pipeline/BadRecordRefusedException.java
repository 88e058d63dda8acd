package io.inorder.pipeline;

import io.inorder.arcion.BadRecord;

/**
 * A bad record met under {@code BAD_RECORD_POLICY=fail}: its stream or partition stops at it (the cursor stays before
 * it) until the data or the configuration is fixed, or the policy is changed to quarantine.
 */
public final class BadRecordRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient BadRecord badRecord;

    /**
     * @param rowData whether the message may quote the record's values ({@code LOG_ROW_DATA}): Lambda logs the
     *                message of an exception that ends an invocation
     */
    public BadRecordRefusedException(BadRecord badRecord, boolean rowData) {
        super("bad record at " + badRecord.origin().describe() + ": " + badRecord.loggable(rowData)
                + " (BAD_RECORD_POLICY=fail stops here: fix the input or the table config, or set "
                + "BAD_RECORD_POLICY=quarantine)");
        this.badRecord = badRecord;
    }

    public BadRecord badRecord() {
        return badRecord;
    }
}
