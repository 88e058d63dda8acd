package io.inorder.local.workload;

/**
 * One generated Arcion file: its S3 key and place in its stream, and how it is written. Immutable; the bytes are
 * obtained from {@link Workload#open(WorkloadFile)}.
 *
 * @param key       the S3 key (and the path relative to a written workload directory), e.g.
 *                  {@code cdc/shop.orders_12.csv.gz}
 * @param stream    the key without its {@code _<n>} suffix and extension, as the default {@code S3_KEY_PATTERN}
 *                  reads it: {@code cdc/shop.orders}
 * @param sequence  the {@code _<n>} suffix: files of a stream must be applied in increasing sequence
 * @param table     the source table ({@code catalog.name}) all records of the file belong to
 * @param snapshot  whether the file holds snapshot rows (initial load) rather than realtime changes
 * @param layout    how the records are written
 * @param gzip      whether the bytes are gzip-compressed (the key then ends in {@code .gz})
 * @param records   how many records the file holds, malformed ones included (a CSV header is not a record)
 * @param size      the size in bytes as stored (compressed when gzip)
 */
public record WorkloadFile(String key, String stream, long sequence, String table, boolean snapshot, Layout layout,
                           boolean gzip, int records, long size) {

    /** How a file's records are written. */
    public enum Layout {
        /** S3 internal JSON envelopes, one per line. */
        JSON_LINES,
        /** S3 internal JSON envelopes, pretty-printed over several lines each (as in Arcion's samples). */
        JSON_PRETTY,
        /** S3 internal JSON envelopes written back to back with nothing between them. */
        JSON_CONCATENATED,
        /** Snapshot rows as flat JSON objects (column → value, SQL NULL as JSON null), no envelope, no table name. */
        JSON_FLAT_ROWS,
        /**
         * Realtime changes as NATIVE envelopes (Arcion's Kafka format): images hold the columns the record carries,
         * no {@code exists} map; the table config's {@code afterImage}/{@code beforeImage} say what they hold.
         */
        NATIVE_LINES,
        /**
         * Arcion CSV whose first line names the columns (snapshot: table order; realtime:
         * {@code <col>_new,<col>_old,<col>_exists}… in triplet order).
         */
        CSV_WITH_HEADER,
        /** Arcion CSV without a header: read with the table's {@code csvColumns} and {@code csvRealtimeColumns}. */
        CSV_WITHOUT_HEADER;

        public boolean csv() {
            return this == CSV_WITH_HEADER || this == CSV_WITHOUT_HEADER;
        }
    }
}
