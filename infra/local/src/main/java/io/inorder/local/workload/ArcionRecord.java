package io.inorder.local.workload;

/**
 * One record as Arcion would write it, before encoding: the images column by column (in {@link TableShape#columns}
 * order) and the {@code exists} flags that say which side holds each column (1 = new image, 2 = old image, 3 =
 * both, 0 = neither; arcion-cdc-formats.md §4.1). A value is {@code null} for SQL NULL.
 *
 * @param op      {@code 'S'} for a snapshot row, else the opType letter {@code I}, {@code U} or {@code D}
 * @param cursor  the cursor as JSON text (S3 JSON and CSV double-encode it)
 * @param counts  the running {@code operationcount} as JSON text
 */
record ArcionRecord(TableShape shape, char op, String[] before, String[] after, int[] exists, String cursor,
                    String counts) {

    boolean inNew(int column) {
        return (exists[column] & 1) != 0;
    }

    boolean inOld(int column) {
        return (exists[column] & 2) != 0;
    }
}
