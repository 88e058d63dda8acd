package io.inorder.writeapi;

import io.inorder.arcion.Origin;

/**
 * One Write API operation on one document of one collection: what the mapper produces and the batcher consumes.
 * Immutable. The three kinds map to the three document endpoints (reference: rockset-write-api.md §2).
 */
public sealed interface WriteOp permits Upsert, Patch, Delete {

    /** The target collection (in the configured workspace). */
    String collection();

    /** The document's {@code _id}: deterministic, from the source primary key. */
    String id();

    /** The source record this operation came from (the latest one, once operations are coalesced). */
    Origin origin();
}
