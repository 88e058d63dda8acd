package io.inorder.writeapi;

import io.inorder.arcion.Origin;
import java.util.List;
import java.util.Objects;

/** Apply JSON Patch operations to one document: {@code PATCH .../docs}. */
public record Patch(String collection, String id, List<PatchOperation> operations, Origin origin) implements WriteOp {

    public Patch {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(origin, "origin");
        operations = List.copyOf(operations);
        if (operations.isEmpty()) {
            throw new IllegalArgumentException("a patch needs at least one operation");
        }
    }
}
