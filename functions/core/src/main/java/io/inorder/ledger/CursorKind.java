package io.inorder.ledger;

/**
 * The kinds of cursor item, the partition key of the sparse {@link LedgerTable#CURSOR_INDEX}: S3 streams
 * ({@link FileLedger}), Kafka partitions ({@link PartitionCursor}), source tables ({@link TableCursor}) and their
 * snapshot gates ({@link SnapshotGate}).
 */
public enum CursorKind {
    S3, KAFKA, TABLE, SNAPSHOT
}
