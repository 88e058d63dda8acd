package io.inorder.msk;

import java.util.List;

/**
 * The MSK function's response: the partial-batch answer of an event source mapping with
 * {@code FunctionResponseTypes: [ReportBatchItemFailures]} (aws-lambda-notes.md §3.2):
 * {@code {"batchItemFailures":[{"itemIdentifier":{"partition":"<topic>-<p>","offset":N}}]}}, where {@code offset}
 * is the first record Lambda must deliver again. Empty on success. aws-lambda-java-events has no such class; this
 * one is a plain bean so the runtime's serializer writes exactly these names. Immutable.
 */
public final class KafkaBatchResponse {

    private final List<ItemFailure> batchItemFailures;

    public KafkaBatchResponse(List<ItemFailure> batchItemFailures) {
        this.batchItemFailures = List.copyOf(batchItemFailures);
    }

    public static KafkaBatchResponse success() {
        return new KafkaBatchResponse(List.of());
    }

    public List<ItemFailure> getBatchItemFailures() {
        return batchItemFailures;
    }

    /** One partition to resume. */
    public static final class ItemFailure {

        private final ItemIdentifier itemIdentifier;

        public ItemFailure(String partition, long offset) {
            this.itemIdentifier = new ItemIdentifier(partition, offset);
        }

        public ItemIdentifier getItemIdentifier() {
            return itemIdentifier;
        }
    }

    /** The records-map key of the partition ({@code <topic>-<partition>}) and the offset to resume from. */
    public static final class ItemIdentifier {

        private final String partition;
        private final long offset;

        ItemIdentifier(String partition, long offset) {
            this.partition = partition;
            this.offset = offset;
        }

        public String getPartition() {
            return partition;
        }

        public long getOffset() {
            return offset;
        }
    }
}
