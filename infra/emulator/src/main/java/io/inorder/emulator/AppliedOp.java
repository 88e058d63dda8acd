package io.inorder.emulator;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One write operation as the emulator applied it to a collection's visible state.
 *
 * @param id              the document {@code _id}
 * @param kind            {@code add}, {@code patch} or {@code delete}
 * @param partitionOffset the offset of the write request in its partition's log (1 for a partition's first request)
 * @param partition       the partition the {@code _id} routes to (the same for every write of one {@code _id})
 * @param sequence        the position in the collection's apply order, from 1
 * @param payload         what was sent: the document for add, the operations array for patch, {@code null} for delete
 */
public record AppliedOp(String id, String kind, long partitionOffset, int partition, long sequence, JsonNode payload) {
}
